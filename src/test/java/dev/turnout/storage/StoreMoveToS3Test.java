package dev.turnout.storage;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.turnout.TestDb.count;
import static dev.turnout.storage.StoreMoveTest.X3;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "done when": POST /api/artifacts/copy moves a registry from postgres to s3 (S3Mock) while every model
 * keeps serving, a version never loaded before loads from s3, and a second copy has nothing left to move.
 */
@QuarkusTest
@TestProfile(StoreMoveToS3Test.PostgresThenS3.class)
class StoreMoveToS3Test {

    /** Writes to postgres, with an s3 store configured to move to. */
    public static class PostgresThenS3 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3MockResource.class, Map.of("store", "postgres")));
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BlobStores stores;

    @Test
    void movesEveryArtifactToS3AndEveryModelStillServes() throws Exception {
        String served = Fixtures.uniqueName("to-s3");
        String other = Fixtures.uniqueName("to-s3-other");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v1.onnx")).post("/api/models/{name}/versions", served)
                .then().statusCode(201);
        String v2 = given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .post("/api/models/{name}/versions", served).then().statusCode(201).extract().path("sha256");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx")).post("/api/models/{name}/versions", other)
                .then().statusCode(201);
        for (String name : new String[] {served, other}) {
            given().contentType("application/json").body("{\"version\": 1}")
                    .put("/api/models/{name}/active?wait=30s", name).then().statusCode(200);
        }
        assertTrue(count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'") >= 3);

        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"s3\"}")
                .post("/api/artifacts/copy").then().statusCode(200)
                .body("moved", greaterThanOrEqualTo(3)).body("failed", empty()).body("remaining", equalTo(0));

        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE store = 'postgres'"));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_large_object"));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_chunked"));
        assertTrue(stores.get(StoreKind.S3).exists(ContentAddress.of(v2)));

        // both active models keep serving; version 2 of the first, never loaded yet, loads from s3
        given().contentType("application/json").body(X3).post("/v2/models/{name}/infer", served).then()
                .statusCode(200).body("outputs[0].data", contains(7.0f));
        given().contentType("application/json").body(X3).post("/v2/models/{name}/infer", other).then()
                .statusCode(200).body("outputs[0].data", contains(11.0f));
        given().contentType("application/json").body(X3).post("/v2/models/{name}/versions/2/infer", served).then()
                .statusCode(200).body("outputs[0].data", contains(11.0f));
        given().get("/api/models/{name}/versions/2/artifact", served).then().statusCode(200)
                .header("ETag", "\"" + v2 + "\"");

        given().contentType("application/json").body("{\"from\": \"postgres\", \"to\": \"s3\"}")
                .post("/api/artifacts/copy").then().statusCode(200).body("moved", equalTo(0));
        for (String name : new String[] {served, other}) {
            given().delete("/api/models/{name}/active?wait=30s", name).then().statusCode(200);
        }
    }
}
