package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The store contract with the filesystem store. */
@QuarkusTest
@TestProfile(FilesystemStoreProfile.class)
class FilesystemStoreTest extends StoreContractTest {

    @Override
    StoreKind kind() {
        return StoreKind.FILESYSTEM;
    }
}
