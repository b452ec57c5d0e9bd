package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.db.EmbeddedDatabase;
import dev.turnout.rollout.ReplicasIT;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server, restarted with a model active: readiness stays DOWN until the request-path warm-up of that model
 * has run through the real HTTP stack and engine, and the first UP answer already reports it (and the prediction
 * counter already counts it), so "ready" means "warmed". Not a timing test: it checks order, not speed.
 */
class WarmupReadinessIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String TOKEN = "warmup-it-" + java.util.UUID.randomUUID();
    static final int REQUESTS = 300;
    static Path work;
    static EmbeddedDatabase database;
    static final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void database() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        work = Files.createTempDirectory("turnout-warmup-it");
        database = EmbeddedDatabase.start(work.resolve("pg"), ReplicasIT.freePort());
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process process : started) {
            process.destroy();
            process.waitFor();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void readinessTurnsUpOnlyAfterEveryActiveModelWasWarmedOverHttp() throws Exception {
        String name = Fixtures.uniqueName("warmed");
        int port = ReplicasIT.freePort();
        int management = ReplicasIT.freePort();

        Process first = launch("first", port, management, name);
        awaitReady(management, Duration.ofSeconds(90));
        api(port).multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        api(port).contentType("application/json").body("{\"version\": 1}").put("/api/models/{name}/active", name)
                .then().statusCode(200);
        first.destroy();
        first.waitFor();

        // the second start finds the model active: poll readiness until UP, keeping every answer
        launch("second", port, management, name);
        List<Response> answers = new ArrayList<>();
        Response up = awaitReady(management, Duration.ofSeconds(90), answers);

        for (Response down : answers) {
            JsonPath check = servingCheck(down);
            if (check != null) {
                assertTrue(!String.valueOf(check.getString("data.warmup")).startsWith("DONE"),
                        "readiness was DOWN with the warm-up done: " + down.asString());
            }
        }
        JsonPath check = servingCheck(up);
        assertNotNull(check, up.asString());
        assertTrue(check.getString("data.warmup").startsWith("DONE: done"), up.asString());
        String warmed = check.getString("data.'warmup." + name + "'");
        assertTrue(warmed.contains("OIP v2: " + REQUESTS + " answered 200"), up.asString());
        assertTrue(warmed.contains("/predict: " + REQUESTS + " answered 200"), up.asString());

        // the engine really ran them: the prediction counter holds both forms' warm-up requests (nothing else asked)
        String metrics = RestAssured.given().baseUri("http://localhost").port(management).get("/q/metrics").asString();
        String ok = metrics.lines().filter(line -> line.startsWith("turnout_predictions_total{")
                        && line.contains("model=\"" + name + "\"") && line.contains("outcome=\"ok\""))
                .findFirst().orElseThrow(() -> new AssertionError("no prediction counter for " + name));
        assertEquals(2.0 * REQUESTS, Double.parseDouble(ok.substring(ok.lastIndexOf(' ') + 1)), ok);
        RestAssured.given().baseUri("http://localhost").port(port).contentType("application/json")
                .body("{\"example\": [[3.0]]}").post("/predict").then().statusCode(200)
                .body("prediction[0]", contains(7.0f));
    }

    /** The "Active models loaded" check of a readiness answer, once the initial load has put the model in it. */
    private static JsonPath servingCheck(Response response) {
        List<Map<String, Object>> checks = response.jsonPath().getList("checks");
        for (int i = 0; checks != null && i < checks.size(); i++) {
            if ("Active models loaded".equals(checks.get(i).get("name"))) {
                return new JsonPath(response.asString()).setRootPath("checks[" + i + "]");
            }
        }
        return null;
    }

    private static Response awaitReady(int management, Duration limit) throws InterruptedException {
        return awaitReady(management, limit, new ArrayList<>());
    }

    private static Response awaitReady(int management, Duration limit, List<Response> down) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            try {
                Response response = RestAssured.given().baseUri("http://localhost").port(management)
                        .get("/q/health/ready");
                if (response.statusCode() == 200) {
                    return response;
                }
                down.add(response);
            } catch (Exception notListening) { // RestAssured rethrows ConnectException undeclared
                // not up yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not ready within " + limit + "; logs in " + work);
    }

    private static io.restassured.specification.RequestSpecification api(int port) {
        return RestAssured.given().baseUri("http://localhost").port(port).header("Authorization", "Bearer " + TOKEN);
    }

    private static Process launch(String id, int port, int management, String defaultModel) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management,
                "-Dturnout.data-dir=" + work.resolve("data"),
                "-Dturnout.security.tokens.it.sha256=" + ReplicasIT.sha256(TOKEN),
                "-Dturnout.security.tokens.it.roles=publisher,operator,viewer",
                "-Dturnout.serving.default-model=" + defaultModel,
                "-Dturnout.serving.warmup.requests=" + REQUESTS,
                "-Dturnout.serving.warmup.max-requests=" + REQUESTS,
                "-Dturnout.serving.warmup.timeout=60s",
                "-Dquarkus.shutdown.delay-enabled=false",
                "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(work.toFile(), "server.log")));
        builder.environment().put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        builder.environment().put("QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
        Process process = builder.start();
        started.add(process);
        return process;
    }
}
