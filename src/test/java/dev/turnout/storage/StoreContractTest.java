package dev.turnout.storage;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every artifact store must do, through the registry and serving APIs: each subclass runs it with one store as
 * {@code turnout.artifacts.store}.
 */
abstract class StoreContractTest {

    @Inject
    BlobStores stores;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    dev.turnout.registry.ArtifactCollector collector;

    abstract StoreKind kind();

    static String sha256(File file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file.toPath())));
    }

    boolean stored(String sha256) throws Exception {
        return stores.current().exists(ContentAddress.of(sha256));
    }

    @Test
    void newArtifactsGoToTheConfiguredStore() {
        assertEquals(kind(), stores.current().kind());
    }

    @Test
    void uploadDownloadDigestAndDelete() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        String sha = sha256(model);
        String name = Fixtures.uniqueName("store");
        given().multiPart("artifact", model).post("/api/models/{name}/versions", name).then().statusCode(201)
                .body("sha256", equalTo(sha));
        assertTrue(stored(sha));
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ? AND store = ?", sha,
                kind().id()));

        byte[] downloaded = given().get("/api/models/{name}/versions/1/artifact", name).then().statusCode(200)
                .header("ETag", "\"" + sha + "\"").extract().asByteArray();
        assertArrayEquals(Files.readAllBytes(model.toPath()), downloaded);

        given().delete("/api/models/{name}/versions/1", name).then().statusCode(204);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", sha));
        // bytes other than large objects go once the deletion has committed, on the collector's thread
        for (long deadline = System.nanoTime() + 10_000_000_000L; stored(sha) && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
        }
        assertFalse(stored(sha), "the deleted artifact's blob is gone");
    }

    @Test
    void aDownloadResumesWithARange() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        byte[] bytes = Files.readAllBytes(model.toPath());
        int n = bytes.length;
        String sha = sha256(model);
        String name = Fixtures.uniqueName("range");
        given().multiPart("artifact", model).post("/api/models/{name}/versions", name).then().statusCode(201);
        String path = "/api/models/" + name + "/versions/1/artifact";

        byte[] middle = given().header("Range", "bytes=10-19").get(path).then().statusCode(206)
                .header("Content-Range", "bytes 10-19/" + n).header("Content-Length", "10")
                .header("ETag", "\"" + sha + "\"").header("Accept-Ranges", "bytes").extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 10, 20), middle);
        byte[] rest = given().header("Range", "bytes=100-").get(path).then().statusCode(206)
                .header("Content-Range", "bytes 100-" + (n - 1) + "/" + n).extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 100, n), rest);
        byte[] tail = given().header("Range", "bytes=-5").get(path).then().statusCode(206).extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, n - 5, n), tail);

        given().header("Range", "bytes=" + n + "-").get(path).then().statusCode(416)
                .header("Content-Range", "bytes */" + n).body("code", equalTo("RANGE_NOT_SATISFIABLE"));

        // If-Range: the range only for these very bytes; another tag or a date gets the whole artifact
        given().header("Range", "bytes=0-3").header("If-Range", "\"" + sha + "\"").get(path).then().statusCode(206);
        byte[] whole = given().header("Range", "bytes=0-3").header("If-Range", "\"" + "0".repeat(64) + "\"")
                .get(path).then().statusCode(200).header("Content-Length", String.valueOf(n)).extract().asByteArray();
        assertArrayEquals(bytes, whole);
        given().header("Range", "bytes=0-3").header("If-Range", "Sat, 05 Dec 2026 07:00:00 GMT").get(path).then()
                .statusCode(200);
        given().header("Range", "bytes=0-3,10-13").get(path).then().statusCode(200); // several ranges: all of it
    }

    @Test
    void refusalsLeaveNothingInTheStore() throws Exception {
        List<String> before = stores.current().keysWrittenBefore(java.time.Instant.now().plusSeconds(3600));
        String name = Fixtures.uniqueName("refused");
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        given().multiPart("artifact", model).multiPart("sha256", "0".repeat(64))
                .post("/api/models/{name}/versions", name).then().statusCode(422).body("code", equalTo("DIGEST_MISMATCH"));
        given().multiPart("artifact", model).multiPart("signature", "{\"inputs\":[{\"name\":\"nope\",\"datatype\":"
                        + "\"FP32\",\"shape\":[-1,1]}],\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}")
                .post("/api/models/{name}/versions", name).then().statusCode(422);
        given().multiPart("artifact", "junk.onnx", "not a model".getBytes())
                .post("/api/models/{name}/versions", name).then().statusCode(422);
        assertFalse(stored(sha256(model)));
        assertEquals(before, stores.current().keysWrittenBefore(java.time.Instant.now().plusSeconds(3600)));
    }

    @Test
    void racingUploadsOfTheSameBytesShareOneBlob() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        String sha = sha256(model);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> uploads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String name = Fixtures.uniqueName("race");
                Callable<Integer> upload = () -> given().multiPart("artifact", model)
                        .post("/api/models/{name}/versions", name).then().extract().statusCode();
                uploads.add(pool.submit(upload));
            }
            for (Future<Integer> upload : uploads) {
                assertEquals(201, upload.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", sha));
        assertEquals(4, count(dataSource, "SELECT count(*) FROM model_version WHERE sha256 = ?", sha));
        assertTrue(stored(sha));
        collector.sweep(Duration.ZERO);
        assertTrue(stored(sha), "a referenced blob survives any sweep");
    }

    @Test
    void aReplicaLoadsAndServesFromTheStore() throws Exception {
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        String name = Fixtures.uniqueName("served");
        given().multiPart("artifact", model).post("/api/models/{name}/versions", name).then().statusCode(201);
        given().contentType("application/json").body("{\"version\": 1}").put("/api/models/{name}/active?wait=30s", name)
                .then().statusCode(200);
        given().contentType("application/json")
                .body("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}")
                .post("/v2/models/{name}/infer", name).then().statusCode(200)
                .body("outputs[0].data", contains(7.0f));
        given().delete("/api/models/{name}/active?wait=30s", name).then().statusCode(200);
    }

    @Test
    void aBlobLeftByACrashBeforeTheCommitIsSweptAfterTheGracePeriod() throws Exception {
        // What a crash between the store write and the commit leaves: a blob no row references.
        File model = Fixtures.uniqueOnnx("linear-v1.onnx");
        String key = ContentAddress.of(sha256(model));
        stores.current().put(key, model.toPath());
        assertTrue(stores.current().exists(key));

        collector.sweep(Duration.ofHours(1));
        assertTrue(stores.current().exists(key), "a blob younger than the grace period is kept");

        // a referenced blob survives any sweep
        File kept = Fixtures.uniqueOnnx("linear-v1.onnx");
        String name = Fixtures.uniqueName("kept");
        given().multiPart("artifact", kept).post("/api/models/{name}/versions", name).then().statusCode(201);

        Thread.sleep(5); // the sweep takes blobs written strictly before now
        assertTrue(collector.sweep(Duration.ZERO) >= 1);
        assertFalse(stores.current().exists(key), "the unreferenced blob is deleted");
        assertTrue(stored(sha256(kept)));
        given().get("/api/models/{name}/versions/1/artifact", name).then().statusCode(200);
    }
}
