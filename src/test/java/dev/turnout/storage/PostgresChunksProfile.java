package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The postgres store writing new blobs as bytea chunks with binary COPY instead of large objects. */
public class PostgresChunksProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("turnout.artifacts.store", "postgres", "turnout.artifacts.postgres.write-chunks", "true");
    }
}
