package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store contract with the s3 store, against S3Mock; and a blob larger than a part (multipart upload). */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3StoreTest extends StoreContractTest {

    @Override
    StoreKind kind() {
        return StoreKind.S3;
    }

    @Test
    void aBlobOfSeveralPartsIsUploadedInPartsAndReadWholeOrInRanges() throws Exception {
        byte[] bytes = new byte[12 << 20]; // three parts of 5M
        new Random().nextBytes(bytes);
        Path file = Files.write(Files.createTempFile("multipart", ".bin"), bytes);
        String key = ContentAddress.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        BlobStore store = stores.current();
        try {
            store.put(key, file);
            assertTrue(store.exists(key));
            try (InputStream in = store.open(key)) {
                assertArrayEquals(bytes, in.readAllBytes());
            }
            try (InputStream in = store.open(key, new ByteRange((5 << 20) - 3, 6))) {
                assertArrayEquals(Arrays.copyOfRange(bytes, (5 << 20) - 3, (5 << 20) + 3), in.readAllBytes());
            }
            Path fetched = Files.createTempFile("fetched", ".bin");
            try {
                store.download(key, fetched); // three ranges, fetched in parallel
                assertArrayEquals(bytes, Files.readAllBytes(fetched));
            } finally {
                Files.deleteIfExists(fetched);
            }
            store.put(key, file); // again: kept, made fresh
            store.delete(key);
            assertFalse(store.exists(key));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
