package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTest;

/** The store contract with the default store: PostgreSQL, new blobs as bytea chunks (large objects: the test beside). */
@QuarkusTest
class PostgresStoreTest extends StoreContractTest {

    @Override
    StoreKind kind() {
        return StoreKind.POSTGRES;
    }
}
