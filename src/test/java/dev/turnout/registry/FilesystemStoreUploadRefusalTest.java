package dev.turnout.registry;

import dev.turnout.storage.FilesystemStoreProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every refusal with artifacts in the filesystem store (refused() checks the store holds the blobs it held before). */
@QuarkusTest
@TestProfile(FilesystemStoreProfile.class)
class FilesystemStoreUploadRefusalTest extends UploadRefusalTest {
}
