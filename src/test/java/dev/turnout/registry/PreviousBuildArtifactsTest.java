package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestDb.execute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * V7 (artifact stores) shares the database with the build before it, which knows artifact.blob_oid only (README
 * "Upgrading Turnout: expand/contract"): rows such a build writes are readable here and freed with their large object
 * when it deletes them. (With write-chunks off this build's rows name their large object too:
 * PostgresLargeObjectsStoreTest.)
 */
@QuarkusTest
class PreviousBuildArtifactsTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anArtifactThePreviousBuildWroteIsReadAndItsDeletionFreesEverything() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        byte[] bytes = Files.readAllBytes(model.toPath());
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        String template = Fixtures.uniqueName("n-1");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", template)
                .then().statusCode(201);
        String name = Fixtures.uniqueName("n-1");
        // What the previous build writes for an upload: a large object, the artifact row naming it, the version.
        execute(dataSource, "INSERT INTO artifact (sha256, size_bytes, blob_oid) VALUES (?, ?, lo_from_bytea(0, ?))",
                sha, (long) bytes.length, bytes);
        execute(dataSource, "INSERT INTO model (name) VALUES (?)", name);
        execute(dataSource, "INSERT INTO model_version (model_id, version, format, sha256, signature) "
                + "SELECT (SELECT id FROM model WHERE name = ?), 1, 'onnx', ?, v.signature FROM model_version v "
                + "JOIN model m ON m.id = v.model_id WHERE m.name = ?", name, sha, template);

        byte[] downloaded = given().get("/api/models/{name}/versions/1/artifact", name).then().statusCode(200)
                .header("ETag", equalTo("\"" + sha + "\"")).extract().asByteArray();
        assertArrayEquals(bytes, downloaded);
        long oid = count(dataSource, "SELECT blob_oid FROM artifact WHERE sha256 = ?", sha);

        // The previous build deletes the version, then the unreferenced row.
        execute(dataSource, "DELETE FROM model_version WHERE sha256 = ?", sha);
        execute(dataSource, "DELETE FROM artifact WHERE sha256 = ?", sha);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = ?", oid));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_large_object WHERE blob_oid = ?", oid));
    }
}
