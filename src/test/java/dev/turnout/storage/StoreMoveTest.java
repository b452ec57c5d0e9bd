package dev.turnout.storage;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /api/artifacts/copy moves a registry from postgres to the filesystem store while every model keeps serving. */
@QuarkusTest
@TestProfile(StoreMoveTest.PostgresThenFilesystem.class)
class StoreMoveTest {

    /** Writes to postgres, with a filesystem store configured to move to. */
    public static class PostgresThenFilesystem implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("turnout.artifacts.store", "postgres",
                        "turnout.artifacts.filesystem.path", Files.createTempDirectory("turnout-move").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final String X3 = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BlobStores stores;

    @Test
    void movesEveryArtifactVerifiedAndEveryModelStillServes() throws Exception {
        String name = Fixtures.uniqueName("moved");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        String v2 = given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .post("/api/models/{name}/versions", name).then().statusCode(201).extract().path("sha256");
        given().contentType("application/json").body("{\"version\": 1}").put("/api/models/{name}/active?wait=30s", name)
                .then().statusCode(200);
        String key = PostgresBlobRows.keyOf(dataSource, v2);

        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"filesystem\"}")
                .post("/api/artifacts/copy").then().statusCode(200)
                .body("moved", greaterThanOrEqualTo(2)).body("failed", empty()).body("remaining", equalTo(0));

        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'"));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_large_object"));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_chunked"));
        assertFalse(PostgresBlobRows.exists(dataSource, key), "the moved bytes stayed in the postgres store");
        assertTrue(stores.get(StoreKind.FILESYSTEM).exists(ContentAddress.of(v2)));

        // the active version keeps serving; version 2, never loaded yet, loads from the filesystem store
        given().contentType("application/json").body(X3).post("/v2/models/{name}/infer", name).then().statusCode(200)
                .body("outputs[0].data", contains(7.0f));
        given().contentType("application/json").body(X3).post("/v2/models/{name}/versions/2/infer", name).then()
                .statusCode(200).body("outputs[0].data", contains(11.0f));
        given().get("/api/models/{name}/versions/2/artifact", name).then().statusCode(200)
                .header("ETag", "\"" + v2 + "\"");

        // again: nothing left to move
        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"filesystem\"}")
                .post("/api/artifacts/copy").then().statusCode(200).body("moved", equalTo(0));
        given().delete("/api/models/{name}/active?wait=30s", name).then().statusCode(200);
    }

    @Test
    void refusesUnknownAndUnconfiguredStores() {
        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"tape\"}")
                .post("/api/artifacts/copy").then().statusCode(400).body("error", containsString("known: postgres"));
        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"s3\"}")
                .post("/api/artifacts/copy").then().statusCode(400)
                .body("error", containsString("turnout.artifacts.s3.bucket"));
        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"postgres\"}")
                .post("/api/artifacts/copy").then().statusCode(400);
        // a store name is echoed bounded and printable, as every name is
        String error = given().contentType("application/json")
                .body("{\"from\": \"postgres\", \"to\": \"tape\\u0000\\n" + "x".repeat(5000) + "\"}")
                .post("/api/artifacts/copy").then().statusCode(400).body("error", containsString("known: postgres"))
                .extract().path("error");
        assertTrue(error.length() < 300, error);
        assertFalse(error.contains("\u0000") || error.contains("\n"), error);
    }

    @Test
    void anUnknownFieldIsRefusedAndNothingMoves() throws Exception {
        // {"dry_run": true} was ignored, and the call moved every artifact
        String name = Fixtures.uniqueName("stay");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        long inPostgres = count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'");
        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"filesystem\", \"dry_run\": true}")
                .post("/api/artifacts/copy").then().statusCode(400).contentType("application/json")
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("unknown field 'dry_run'"))
                .body("error", containsString("from, to"));
        assertEquals(inPostgres, count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'"));
    }

    @Test
    void aCopyWhileAnotherRunsIsRefused() throws Exception {
        // Two copies at once raced over the same artifacts: the one that lost reported moved bytes as failed.
        // A running copy holds this session lock (on any replica); hold it here as one would.
        String name = Fixtures.uniqueName("busy");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        long inPostgres = count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'");
        try (Connection running = dataSource.getConnection();
             Statement lock = running.createStatement()) {
            lock.execute("SELECT pg_advisory_lock(hashtext('turnout.artifacts.copy'))");
            try {
                given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"filesystem\"}")
                        .post("/api/artifacts/copy").then().statusCode(409).contentType("application/json")
                        .body("code", equalTo("CONFLICT")).body("error", containsString("already running"));
                assertEquals(inPostgres, count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'"));
            } finally {
                lock.execute("SELECT pg_advisory_unlock(hashtext('turnout.artifacts.copy'))");
            }
        }
    }
}
