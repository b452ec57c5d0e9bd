package dev.turnout.storage;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The store contract with the default store, PostgreSQL large objects. */
@QuarkusTest
class PostgresStoreTest extends StoreContractTest {

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
        try (InputStream in = stores.current().open(key)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }
}
