package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store contract with the postgres store writing bytea chunks. */
@QuarkusTest
@TestProfile(PostgresChunksProfile.class)
class PostgresChunksStoreTest extends StoreContractTest {

    @Override
    StoreKind kind() {
        return StoreKind.POSTGRES;
    }
}
