package dev.turnout.registry;

import dev.turnout.storage.S3StoreProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every refusal with artifacts in the s3 store (S3Mock) (refused() checks the store holds the blobs it held before). */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3StoreUploadRefusalTest extends UploadRefusalTest {
}
