package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.registry.ArtifactStore;
import dev.turnout.registry.Digests;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.StoredArtifact;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The artifact cache's bound on disk, with artifacts uploaded to the real registry: each cache here has a data
 * directory of its own and room for two of the three artifacts.
 */
@QuarkusTest
class ArtifactCacheTest {

    @Inject
    ArtifactStore store;
    @Inject
    RegistryService registry;

    @TempDir
    Path dataDir;

    @Test
    void theLeastRecentlyUsedArtifactIsEvictedWhenTheCacheIsFull() throws Exception {
        StoredArtifact a = upload();
        StoredArtifact b = upload();
        StoredArtifact c = upload();
        ArtifactCache cache = new ArtifactCache(store, dataDir, roomForTwoOf(a, b, c));

        Path fileA = cache.fetch(a);
        Path fileB = cache.fetch(b);
        cache.fetch(a); // a is now used more recently than b
        Path fileC = cache.fetch(c);

        assertFalse(Files.exists(fileB), "b, the least recently used, was evicted");
        assertEquals(a.sha256(), Digests.sha256(fileA));
        assertEquals(c.sha256(), Digests.sha256(fileC));
    }

    @Test
    void anArtifactInUseIsNeverEvicted() throws Exception {
        StoredArtifact a = upload();
        StoredArtifact b = upload();
        StoredArtifact c = upload();
        ArtifactCache cache = new ArtifactCache(store, dataDir, roomForTwoOf(a, b, c));

        try (CachedArtifact served = cache.acquire(a)) {
            Path fileB = cache.fetch(b);
            Path fileC = cache.fetch(c); // a is the least recently used, but in use: b goes
            assertFalse(Files.exists(fileB));
            cache.fetch(b); // and now c goes, not a
            assertFalse(Files.exists(fileC));
            assertEquals(a.sha256(), Digests.sha256(served.path()));
        }

        // a was in use until it was released just now: b goes first, but then a can go too
        Path fileA = dataDir.resolve("cache").resolve(a.sha256() + ".onnx");
        cache.fetch(c);
        assertTrue(Files.exists(fileA));
        cache.fetch(b);
        assertFalse(Files.exists(fileA));
    }

    @Test
    void artifactsInUseMayExceedTheLimitUntilReleased() throws Exception {
        StoredArtifact a = upload();
        StoredArtifact b = upload();
        ArtifactCache cache = new ArtifactCache(store, dataDir, roomForOneOf(a, b));

        try (CachedArtifact first = cache.acquire(a); CachedArtifact second = cache.acquire(b)) {
            assertTrue(Files.exists(first.path()));
            assertTrue(Files.exists(second.path()));
        }
        try (var files = Files.list(dataDir.resolve("cache"))) {
            assertEquals(1, files.filter(file -> file.toString().endsWith(".onnx")).count(),
                    "back under the limit once both are released");
        }
    }

    @Test
    void partialFilesAreDeletedAtStartAndCachedArtifactsKeptAndCounted() throws Exception {
        StoredArtifact a = upload();
        StoredArtifact b = upload();
        Path cached = new ArtifactCache(store, dataDir, Long.MAX_VALUE).fetch(a);
        Path partial = dataDir.resolve("cache").resolve(b.sha256() + "123456789.part");
        Files.write(partial, new byte[1024]); // a fetch its process died in

        ArtifactCache restarted = new ArtifactCache(store, dataDir, roomForOneOf(a, b));
        assertFalse(Files.exists(partial));
        assertTrue(Files.exists(cached));

        restarted.fetch(b);
        assertFalse(Files.exists(cached), "the artifact found at start counts against the limit");
    }

    private StoredArtifact upload() {
        String name = Fixtures.uniqueName("cache-bound");
        given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        return registry.artifactOf(name, 1);
    }

    private static long roomForTwoOf(StoredArtifact a, StoredArtifact b, StoredArtifact c) {
        return a.sizeBytes() + b.sizeBytes() + c.sizeBytes() - 1;
    }

    private static long roomForOneOf(StoredArtifact a, StoredArtifact b) {
        return Math.max(a.sizeBytes(), b.sizeBytes());
    }
}
