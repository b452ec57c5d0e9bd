package dev.turnout.registry;

import dev.turnout.storage.FilesystemStoreProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The registry API tests with artifacts in the filesystem store. */
@QuarkusTest
@TestProfile(FilesystemStoreProfile.class)
class FilesystemStoreRegistryApiTest extends RegistryApiTest {
}
