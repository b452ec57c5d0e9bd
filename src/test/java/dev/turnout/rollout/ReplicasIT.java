package dev.turnout.rollout;

import dev.turnout.Fixtures;
import dev.turnout.db.EmbeddedDatabase;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged replicas (separate JVMs) on one PostgreSQL: a flip through either reaches both through the database,
 * and a database restart does not interrupt predictions.
 */
public class ReplicasIT {

    static final String X3 = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 1], \"data\": [3.0]}]}";
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** The packaged jar runs the prod profile: the management API needs a token. */
    static final String TOKEN = "replicas-it-" + java.util.UUID.randomUUID();

    static Path work;
    static int databasePort;
    static EmbeddedDatabase database;
    static final List<Process> replicas = new ArrayList<>();
    static int portA;
    static int portB;
    static final java.util.Map<Integer, Integer> managementPorts = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        work = Files.createTempDirectory("turnout-replicas");
        databasePort = freePort();
        database = EmbeddedDatabase.start(work.resolve("pg"), databasePort);
        portA = freePort();
        portB = freePort();
        replicas.add(launch("replica-a", portA));
        replicas.add(launch("replica-b", portB));
        for (int port : new int[] {portA, portB}) {
            await(Duration.ofSeconds(90), () -> status(on(managementPorts.get(port)).get("/q/health/ready")) == 200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process replica : replicas) {
            replica.destroy();
        }
        for (Process replica : replicas) {
            replica.waitFor();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void flipsReachEveryReplicaAndPredictionsSurviveADatabaseRestart() throws Exception {
        String name = Fixtures.uniqueName("replicated");
        for (String fixture : List.of("linear-v1.onnx", "linear-v2.onnx")) {
            on(portA).multiPart("artifact", Fixtures.model(fixture)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }

        // a flip through A: answered once B serves it too, which only the database could have told B
        flip(portA, name, 1).statusCode(200)
                .body("replicas", hasSize(2))
                .body("replicas.serving", everyItem(equalTo(1)));
        infer(portB, name).then().statusCode(200).header("X-Turnout-Model-Version", "1")
                .body("outputs[0].data", contains(7.0f));

        flip(portB, name, 2).statusCode(200).body("replicas.serving", everyItem(equalTo(2)));
        infer(portA, name).then().statusCode(200).header("X-Turnout-Model-Version", "2")
                .body("outputs[0].data", contains(11.0f));
        on(portA).get("/api/models/{name}", name).then().statusCode(200)
                .body("replicas.replica", contains("replica-a", "replica-b"));

        // the database goes away: predictions continue from memory, management calls say what is wrong
        database.close();
        for (int i = 0; i < 20; i++) {
            infer(i % 2 == 0 ? portA : portB, name).then().statusCode(200).body("outputs[0].data", contains(11.0f));
        }
        on(portA).get("/api/models/{name}", name).then().statusCode(503)
                .body("code", equalTo("UNAVAILABLE"))
                .body("error", containsString("database is unreachable"));
        on(portB).contentType("application/json").body("{\"version\": 1}").put("/api/models/{name}/active", name)
                .then().statusCode(503);
        on(managementPorts.get(portA)).get("/q/health/ready").then().statusCode(200);

        // it comes back: management recovers, and flips reach both replicas again
        database = EmbeddedDatabase.start(work.resolve("pg"), databasePort);
        await(Duration.ofSeconds(60), () -> status(on(portA).get("/api/models/" + name)) == 200
                && status(on(portB).get("/api/models/" + name)) == 200);
        await(Duration.ofSeconds(60), () -> {
            var response = on(portA).get("/api/models/" + name);
            return response.statusCode() == 200 && response.jsonPath().getList("replicas").size() == 2;
        });
        flip(portA, name, 1).statusCode(200).body("replicas.serving", everyItem(equalTo(1)));
        infer(portB, name).then().statusCode(200).body("outputs[0].data", contains(7.0f));
        assertEquals(3, on(portA).get("/api/models/{name}/activations", name).jsonPath().getList("version").size());
    }

    static io.restassured.response.ValidatableResponse flip(int port, String name, int version) {
        return on(port).contentType("application/json").body("{\"version\": " + version + "}")
                .put("/api/models/{name}/active?wait=30s", name).then();
    }

    static io.restassured.response.Response infer(int port, String name) {
        return on(port).contentType("application/json").body(X3).post("/v2/models/{name}/infer", name);
    }

    static RequestSpecification on(int port) {
        return RestAssured.given().baseUri("http://localhost").port(port).header("Authorization", "Bearer " + TOKEN);
    }

    static int status(io.restassured.response.Response response) {
        return response.statusCode();
    }

    static Process launch(String id, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path dataDir = work.resolve(id);
        int management = freePort();
        managementPorts.put(port, management);
        ProcessBuilder builder = new ProcessBuilder(java,
                "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management,
                "-Dturnout.data-dir=" + dataDir,
                "-Dturnout.rollout.replica-id=" + id,
                "-Dturnout.rollout.heartbeat-interval=500ms",
                "-Dturnout.security.tokens.it.sha256=" + sha256(TOKEN),
                "-Dturnout.security.tokens.it.roles=publisher,operator,viewer",
                "-Dturnout.serving.reconcile-interval=2s",
                "-Dquarkus.shutdown.delay=0s",
                "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(new File(work.toFile(), id + ".log"));
        builder.environment().put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        builder.environment().put("QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
        return builder.start();
    }

    static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (Exception notYet) { // RestAssured rethrows ConnectException undeclared
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not reached within " + limit + "; logs in " + work);
    }

    public static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
