package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store contract with the s3 store, against S3Mock; a blob of several parts below the multipart threshold (8M in
 * the tests: one PutObject) and one above it (a multipart upload), each read back whole, in ranges and by digest.
 */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3StoreTest extends StoreContractTest {

    @ConfigProperty(name = "turnout.artifacts.s3.endpoint")
    URI endpoint;

    @Test
    void aBlobBelowTheMultipartThresholdIsWrittenWithOnePutAndReadBackWhole() throws Exception {
        byte[] bytes = new byte[7 << 20]; // more than a part (5M), less than the threshold (8M)
        new Random().nextBytes(bytes);
        Path file = Files.write(Files.createTempFile("single-put", ".bin"), bytes);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String key = ContentAddress.of(sha256);
        BlobStore store = stores.current();
        try {
            store.put(key, file);
            assertFalse(eTag(key).contains("-"), "a multipart upload's ETag ends in -<parts>: " + eTag(key));
            try (InputStream in = store.open(key)) {
                assertEquals(sha256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
            }
            downloadPutAgainAndDelete(store, key, file, bytes); // two ranges, fetched in parallel
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Downloads the blob in parallel ranges and compares it, puts it again (kept, made fresh), deletes it. */
    private static void downloadPutAgainAndDelete(BlobStore store, String key, Path file, byte[] bytes) throws Exception {
        Path fetched = Files.createTempFile("fetched", ".bin");
        try {
            store.download(key, fetched);
            assertArrayEquals(bytes, Files.readAllBytes(fetched));
        } finally {
            Files.deleteIfExists(fetched);
        }
        store.put(key, file);
        store.delete(key);
        assertFalse(store.exists(key));
    }

    /** The object's ETag as S3Mock reports it (S3Mock takes unsigned requests). */
    private String eTag(String key) throws Exception {
        HttpURLConnection head = (HttpURLConnection) endpoint.resolve("/" + S3MockResource.BUCKET + "/registry/" + key)
                .toURL().openConnection();
        head.setRequestMethod("HEAD");
        try {
            assertEquals(200, head.getResponseCode());
            return head.getHeaderField("ETag");
        } finally {
            head.disconnect();
        }
    }

    @Override
    StoreKind kind() {
        return StoreKind.S3;
    }

    @Test
    void aBlobOfSeveralPartsIsUploadedInPartsAndReadWholeOrInRanges() throws Exception {
        byte[] bytes = new byte[12 << 20]; // above the threshold (8M): three parts of 5M
        new Random().nextBytes(bytes);
        Path file = Files.write(Files.createTempFile("multipart", ".bin"), bytes);
        String key = ContentAddress.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        BlobStore store = stores.current();
        try {
            store.put(key, file);
            assertTrue(store.exists(key));
            assertTrue(eTag(key).contains("-3"), "the ETag of a multipart upload of 3 parts: " + eTag(key));
            try (InputStream in = store.open(key)) {
                assertArrayEquals(bytes, in.readAllBytes());
            }
            try (InputStream in = store.open(key, new ByteRange((5 << 20) - 3, 6))) {
                assertArrayEquals(Arrays.copyOfRange(bytes, (5 << 20) - 3, (5 << 20) + 3), in.readAllBytes());
            }
            downloadPutAgainAndDelete(store, key, file, bytes); // three ranges, fetched in parallel
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
