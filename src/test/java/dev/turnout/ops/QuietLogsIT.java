package dev.turnout.ops;

import dev.turnout.Fixtures;
import dev.turnout.rollout.ReplicasIT;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.hamcrest.Matchers.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server on a CPU machine with its own embedded database, through a normal life (start, upload, flip,
 * predict, SIGTERM): its log has no WARN or ERROR line to alarm an operator, and one summary line says how it runs.
 */
class QuietLogsIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String TOKEN = "quiet-logs-it-" + java.util.UUID.randomUUID();
    private static final Pattern ALARM = Pattern.compile("^\\S+ \\S+ (WARN|ERROR) ");

    @Test
    void aNormalStartAndStopLogNoWarningAndOneSummary() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        Path work = Files.createTempDirectory("turnout-quiet");
        Path log = work.resolve("server.log");
        int port = ReplicasIT.freePort();
        int management = ReplicasIT.freePort();
        Process server = launch(work, log, port, management);
        try {
            awaitReady(management, log);
            String name = Fixtures.uniqueName("quiet");
            on(port).multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
            // and both engines: TorchScript starts PyTorch, which probes for GPUs
            on(port).multiPart("artifact", Fixtures.model("linear-v1.pt")).multiPart("signature",
                    Fixtures.LINEAR_SIGNATURE).post("/api/models/{name}/versions", name).then().statusCode(201);
            for (int version : new int[] {1, 2}) {
                on(port).contentType("application/json").body("{\"version\": " + version + "}")
                        .put("/api/models/{name}/active?wait=30s", name).then().statusCode(200);
                on(port).contentType("application/json").body("{\"inputs\": [{\"name\": \"x\", \"datatype\": "
                        + "\"FP32\", \"shape\": [1, 1], \"data\": [3.0]}]}")
                        .post("/v2/models/{name}/infer", name).then().statusCode(200)
                        .body("outputs[0].data", contains(7.0f));
            }
        } finally {
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "no exit within 60 s of SIGTERM; log: " + log);
        }

        List<String> lines = Files.readAllLines(log);
        List<String> alarms = lines.stream().filter(line -> ALARM.matcher(line).find()).toList();
        assertEquals(List.of(), alarms, () -> "WARN/ERROR lines in a normal run; full log: " + log);
        List<String> summaries = lines.stream().filter(line -> line.contains("Turnout started:")).toList();
        assertEquals(1, summaries.size(), () -> "one start summary line expected: " + summaries);
        String summary = summaries.get(0);
        for (String part : List.of("API port " + port, "management port " + management, "database embedded PostgreSQL",
                "security on", "models loaded 0 of 0")) {
            assertTrue(summary.contains(part), () -> "'" + part + "' missing from " + summary);
        }
    }

    /** The prod profile refuses to run without security: that refusal is the one alarm, not one among others. */
    @Test
    void securityDisabledInProductionIsRefusedWithOneClearError() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        Path work = Files.createTempDirectory("turnout-quiet");
        Path log = work.resolve("server.log");
        Process server = launch(work, log, ReplicasIT.freePort(), ReplicasIT.freePort(),
                "-Dturnout.security.enabled=false");
        assertTrue(server.waitFor(90, TimeUnit.SECONDS), "still running with security disabled; log: " + log);
        assertEquals(1, server.exitValue());

        String output = Files.readString(log);
        assertTrue(output.contains("turnout.security.enabled=false is for development and tests only"), output);
        assertFalse(output.contains("NullPointerException"), () -> "a NullPointerException before the refusal: " + log);
        List<String> alarms = output.lines().filter(line -> ALARM.matcher(line).find()).toList();
        assertEquals(1, alarms.size(), () -> "only the refusal should alarm: " + alarms);
        assertTrue(alarms.get(0).contains("Failed to start"), alarms::toString);
    }

    private static Process launch(Path work, Path log, int port, int management, String... settings)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java,
                "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management,
                "-Dturnout.data-dir=" + work.resolve("data"),
                "-Dturnout.security.tokens.it.sha256=" + ReplicasIT.sha256(TOKEN),
                "-Dturnout.security.tokens.it.roles=publisher,operator,viewer",
                "-Dquarkus.shutdown.delay=0s")
                .redirectErrorStream(true)
                .redirectOutput(new File(log.toString()));
        builder.command().addAll(List.of(settings));
        builder.command().addAll(List.of("-jar", JAR.toString()));
        // no datasource configured: the server starts its own embedded PostgreSQL, and must stop it cleanly
        builder.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        return builder.start();
    }

    private static void awaitReady(int management, Path log) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (on(management).get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (Exception notYet) { // RestAssured rethrows ConnectException undeclared
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within 90 s; log: " + log);
    }

    private static RequestSpecification on(int port) {
        return RestAssured.given().baseUri("http://localhost").port(port).header("Authorization", "Bearer " + TOKEN);
    }
}
