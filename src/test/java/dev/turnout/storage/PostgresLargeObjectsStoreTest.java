package dev.turnout.storage;

import dev.turnout.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The store contract with the postgres store writing large objects (write-chunks off, the layout before V13). */
@QuarkusTest
@TestProfile(PostgresLargeObjectsProfile.class)
class PostgresLargeObjectsStoreTest extends StoreContractTest {

    @Override
    StoreKind kind() {
        return StoreKind.POSTGRES;
    }

    @Test
    void aLargeObjectIsReadWholeByReadAllBytes() throws Exception {
        // InputStream.readAllBytes asks for 0 bytes once its first buffer is full: that is not the end of the blob
        byte[] bytes = new byte[300_000];
        new Random().nextBytes(bytes);
        String key = ContentAddress.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        Path file = Files.createTempFile("large-object", ".bin");
        Files.write(file, bytes);
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                stores.current().put(key, file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Files.delete(file);
        assertEquals(1, count(dataSource, "SELECT count(*) FROM blob_large_object WHERE key = ?", key),
                "written as a large object");
        try (InputStream in = stores.current().open(key)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    @Test
    void rowsNameTheirLargeObjectAsBuildsBeforeV13Read() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        String name = Fixtures.uniqueName("n-1");
        String sha = given().multiPart("artifact", model).post("/api/models/{name}/versions", name).then()
                .statusCode(201).extract().path("sha256");
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact a JOIN blob_large_object b "
                + "ON b.key = a.storage_key AND b.blob_oid = a.blob_oid JOIN pg_largeobject_metadata m ON m.oid = a.blob_oid "
                + "WHERE a.sha256 = ? AND a.store = 'postgres'", sha));
    }
}
