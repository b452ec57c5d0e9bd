package dev.turnout.storage;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/** New artifacts go to an S3-compatible server the tests start (S3Mock). */
public class S3StoreProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3MockResource.class));
    }
}
