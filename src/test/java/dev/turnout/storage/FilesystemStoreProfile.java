package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** New artifacts go to a filesystem store in a fresh temporary directory. */
public class FilesystemStoreProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("turnout.artifacts.store", "filesystem",
                    "turnout.artifacts.filesystem.path", Files.createTempDirectory("turnout-fs-store").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
