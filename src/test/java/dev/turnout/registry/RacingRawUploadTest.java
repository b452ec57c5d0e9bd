package dev.turnout.registry;

import dev.turnout.Fixtures;
import dev.turnout.storage.ContentAddress;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Raw uploads into the postgres store write their large object while the body arrives, before its digest (the key)
 * is known; uploads of the same bytes at the same moment must still end with one large object under the key, every
 * upload answered 201 and every version reading those bytes.
 */
@QuarkusTest
class RacingRawUploadTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void racingRawUploadsOfTheSameBytesKeepOneLargeObject() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        byte[] bytes = Files.readAllBytes(model.toPath());
        String key = ContentAddress.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        long objectsBefore = count(dataSource, "SELECT count(*) FROM pg_largeobject_metadata");
        List<String> names = new ArrayList<>();
        List<CompletableFuture<Integer>> uploads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = Fixtures.uniqueName("race-raw");
            names.add(name);
            uploads.add(CompletableFuture.supplyAsync(() -> given().contentType("application/octet-stream")
                    .body(bytes).post("/api/models/{name}/versions", name).statusCode()));
        }
        for (CompletableFuture<Integer> upload : uploads) {
            assertEquals(201, upload.get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, count(dataSource, "SELECT count(*) FROM blob_large_object WHERE key = ?", key));
        assertEquals(objectsBefore + 1, count(dataSource, "SELECT count(*) FROM pg_largeobject_metadata"),
                "the racing uploads' other large objects must be gone");
        for (String name : names) {
            assertArrayEquals(bytes, given().get("/api/models/{name}/versions/1/artifact", name).then()
                    .statusCode(200).extract().asByteArray());
        }
    }
}
