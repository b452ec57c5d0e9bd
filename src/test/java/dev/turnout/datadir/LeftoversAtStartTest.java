package dev.turnout.datadir;

import dev.turnout.config.TurnoutConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory as a killed Turnout leaves it (an upload spooled half-way, a fetch into the model cache cut off)
 * is cleaned when the next one starts, before it serves; a finished cached artifact stays.
 */
@QuarkusTest
@TestProfile(LeftoversAtStartTest.CrashedDataDir.class)
class LeftoversAtStartTest {

    static final String SPOOLED = "uploads/2c7d0c1e-3f7b-4f3c-9a7e-3b9e0a6f1d42";
    static final String PARTIAL = "cache/" + "ab".repeat(32) + "5071286423418237501.part";
    static final String CACHED = "cache/" + "cd".repeat(32) + ".onnx";

    @Inject
    TurnoutConfig config;

    @Test
    void whatACrashLeftIsGoneAndTheCacheIsKept() {
        Path dataDir = config.dataDir();
        assertFalse(Files.exists(dataDir.resolve(SPOOLED)), "the spooled upload of a dead process");
        assertFalse(Files.exists(dataDir.resolve(PARTIAL)), "the partial fetch of a dead process");
        assertTrue(Files.exists(dataDir.resolve(CACHED)), "a finished cached artifact");
    }

    /** The test's own data directory, seeded with what a crash leaves, before Quarkus starts on it. */
    public static class CrashedDataDir implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Seeded.class));
        }
    }

    public static class Seeded implements QuarkusTestResourceLifecycleManager {
        private Path dataDir;

        @Override
        public Map<String, String> start() {
            try {
                dataDir = Files.createTempDirectory("turnout-crashed");
                for (String leftover : List.of(SPOOLED, PARTIAL, CACHED)) {
                    Files.createDirectories(dataDir.resolve(leftover).getParent());
                    Files.write(dataDir.resolve(leftover), new byte[4096]);
                }
                return Map.of("turnout.data-dir", dataDir.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
