package dev.turnout.dataset;

import dev.turnout.storage.FilesystemStoreProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every dataset test with the bytes in the filesystem store. */
@QuarkusTest
@TestProfile(FilesystemStoreProfile.class)
class FilesystemStoreDatasetTest extends DatasetApiTest {
}
