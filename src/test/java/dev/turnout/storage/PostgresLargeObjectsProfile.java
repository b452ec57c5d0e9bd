package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The postgres store writing new blobs as large objects, as builds before V13 did (write-chunks off). */
public class PostgresLargeObjectsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("turnout.artifacts.store", "postgres", "turnout.artifacts.postgres.write-chunks", "false");
    }
}
