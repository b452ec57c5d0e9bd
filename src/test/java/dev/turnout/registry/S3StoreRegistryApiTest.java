package dev.turnout.registry;

import dev.turnout.storage.S3StoreProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The registry API tests with artifacts in the s3 store (S3Mock). */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3StoreRegistryApiTest extends RegistryApiTest {
}
