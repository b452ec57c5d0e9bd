package dev.turnout.registry;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestDb.execute;
import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
class RegistryEditTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void racingUploadsToOneModelGetDistinctNumbers() throws Exception {
        String name = Fixtures.uniqueName("race");
        int uploads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(uploads);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                String fixture = i % 2 == 0 ? "linear-v1.onnx" : "linear-v2.onnx";
                results.add(CompletableFuture.supplyAsync(() -> {
                    awaitQuietly(start);
                    return upload(name, fixture).then().statusCode(201).extract().<Integer>path("version");
                }, pool));
            }
            start.countDown();
            List<Integer> versions = results.stream().map(CompletableFuture::join).sorted().toList();
            assertEquals(List.of(1, 2, 3, 4), versions);
        } finally {
            pool.shutdownNow();
        }
        given().get("/api/models/{name}", name).then().body("version_count", equalTo(uploads));
    }

    @Test
    void sameBytesShareOneBlobUntilTheLastVersionGoes() throws Exception {
        String first = Fixtures.uniqueName("shared-a");
        String second = Fixtures.uniqueName("shared-b");
        java.io.File bytes = Fixtures.uniqueOnnx("mlp.onnx"); // bytes no other test uploads
        String sha = given().multiPart("artifact", bytes).post("/api/models/{name}/versions", first)
                .then().statusCode(201).extract().path("sha256");
        given().multiPart("artifact", bytes).post("/api/models/{name}/versions", second).then().statusCode(201);
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = '" + sha + "'"));
        String blob = PostgresBlobRows.keyOf(dataSource, sha);

        given().delete("/api/models/{name}/versions/1", first).then().statusCode(204);
        assertTrue(PostgresBlobRows.exists(dataSource, blob), "bytes another version uses were removed");
        given().get("/api/models/{name}/versions/1/artifact", second).then().statusCode(200);

        given().delete("/api/models/{name}/versions/1", second).then().statusCode(204);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = '" + sha + "'"));
        assertTrue(PostgresBlobRows.gone(dataSource, blob), "the last version's bytes stayed behind");
    }

    @Test
    void readsRefuseMalformedAndUnknownNames() {
        given().get("/api/models/{name}", "Bad Name").then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"));
        given().get("/api/models/{name}", "no-such-model").then().statusCode(404).body("error", containsString("no-such-model"));
        given().get("/api/models/{name}/versions", "no-such-model").then().statusCode(404);
        String name = Fixtures.uniqueName("reads");
        upload(name, "linear-v1.onnx").then().statusCode(201);
        given().get("/api/models/{name}/versions/abc", name).then().statusCode(400)
                .body("error", containsString("whole numbers"));
        given().get("/api/models/{name}/versions/0", name).then().statusCode(400);
        given().get("/api/models/{name}/versions/99", name).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().get("/api/models/{name}/versions/99/artifact", name).then().statusCode(404);
        given().get("/api/nothing-here").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void patchRefusesWhatItCannotChangeAndChangesNothing() {
        String name = Fixtures.uniqueName("patch-refused");
        upload(name, "linear-v1.onnx", "metrics", "{\"rmse\": 0.5}").then().statusCode(201);
        String path = "/api/models/{name}/versions/1";
        given().contentType("application/json").body("{not json").patch(path, name).then().statusCode(400)
                .body("code", equalTo("INVALID_ARGUMENT"));
        given().contentType("application/json").body("[1]").patch(path, name).then().statusCode(400)
                .body("error", containsString("JSON object"));
        given().contentType("application/json").body("{\"sha256\": \"00\"}").patch(path, name).then().statusCode(400)
                .body("error", containsString("never change"));
        given().contentType("application/json").body("{\"metrics\": {\"rmse\": \"low\"}}").patch(path, name).then()
                .statusCode(400).body("error", containsString("finite numbers"));
        given().contentType("application/json").body("{\"metrics\": {\"rmse\": 0.1}, \"tags\": [\"x\"]}").patch(path, name)
                .then().statusCode(400);
        given().contentType("application/json").body("{\"description\": 5}").patch(path, name).then().statusCode(400);
        given().contentType("text/plain").body("rmse=0").patch(path, name).then().statusCode(415);
        given().contentType("application/json").body("{}").patch("/api/models/{name}/versions/7", name).then()
                .statusCode(404);
        // the refused "metrics + bad tags" request did not half-apply
        given().get(path, name).then().body("metrics.rmse", equalTo(0.5f));
    }

    @Test
    void aNulCharacterInADescriptionOrTagIsRefusedNotStored() {
        // PostgreSQL text and jsonb cannot hold U+0000: written as given, the insert or update failed with a 500
        String name = Fixtures.uniqueName("nul");
        upload(name, "linear-v1.onnx", "description", "y = 2x\u0000+ 1").then().statusCode(400)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("U+0000"));
        upload(name, "linear-v1.onnx", "tags", "{\"team\": \"pri\\u0000cing\"}").then().statusCode(400)
                .body("error", containsString("U+0000"));
        upload(name, "linear-v1.onnx", "description", "y = 2x + 1").then().statusCode(201);
        String path = "/api/models/{name}/versions/1";
        given().contentType("application/json").body("{\"description\": \"a\\u0000b\"}").patch(path, name).then()
                .statusCode(400).body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("U+0000"));
        given().contentType("application/json").body("{\"tags\": {\"team\": \"a\\u0000b\"}}").patch(path, name).then()
                .statusCode(400).body("error", containsString("U+0000"));
        given().get(path, name).then().statusCode(200).body("description", equalTo("y = 2x + 1"));
    }

    @Test
    void theActiveVersionCannotBeDeleted() throws Exception {
        String name = Fixtures.uniqueName("active");
        upload(name, "linear-v1.onnx").then().statusCode(201);
        execute(dataSource, "UPDATE model SET active_version = 1 WHERE name = '" + name + "'");
        given().delete("/api/models/{name}/versions/1", name).then().statusCode(409)
                .body("code", equalTo("CONFLICT")).body("error", containsString("active version"));
        given().get("/api/models/{name}/versions/1", name).then().statusCode(200);
        given().delete("/api/models/{name}/versions/5", name).then().statusCode(404);
    }

    @Test
    void theDatabaseKeepsVersionsImmutableAndNamesValid() throws Exception {
        String name = Fixtures.uniqueName("immutable");
        upload(name, "linear-v1.onnx").then().statusCode(201);
        String other = RegistryApiTest.sha256("linear-v2.onnx");
        String ofThisModel = " WHERE model_id = (SELECT id FROM model WHERE name = ?)";
        assertThrows(SQLException.class,
                () -> execute(dataSource, "UPDATE model_version SET format = 'torchscript'" + ofThisModel, name));
        assertThrows(SQLException.class,
                () -> execute(dataSource, "UPDATE model_version SET sha256 = ?" + ofThisModel, other, name));
        assertThrows(SQLException.class, () -> execute(dataSource, "INSERT INTO model (name) VALUES ('Has Spaces')"));
        assertThrows(SQLException.class,
                () -> execute(dataSource, "UPDATE model SET active_version = 9 WHERE name = ?", name));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
