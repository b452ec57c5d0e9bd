package dev.turnout.serving;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An OIP input that gives its name, datatype and shape before its data is read straight into an array of the declared
 * size. The size must be one the body can fill: a 2 KB request declaring 30 inputs of 4,194,304 FP64 elements with no
 * data made the server allocate ~1 GiB (a 500 OutOfMemoryError on a 1 GiB heap), without a token and for a model
 * that does not exist, since the body is read before the model is looked up.
 */
@QuarkusTest
class DeclaredShapeAllocationTest {

    private static final long MIB = 1 << 20;

    @Test
    void shapesTheBodyCannotFillAllocateNothingLikeThem() {
        StringBuilder body = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < 30; i++) {
            body.append(i == 0 ? "" : ",").append("{\"name\":\"x").append(i)
                    .append("\",\"datatype\":\"FP64\",\"shape\":[4194304],\"data\":[]}");
        }
        body.append("]}");
        long before = allocatedByAllThreads();
        given().contentType("application/json").body(body.toString()).post("/v2/models/{name}/infer", "no-such-model")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        long allocated = allocatedByAllThreads() - before;
        assertTrue(allocated < 64 * MIB, "a " + body.length() + "-byte request allocated " + allocated / MIB + " MiB");
    }

    /** Bytes allocated so far by the threads alive now (the server's workers live on, so their share is counted). */
    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(bytes, 0);
        }
        return total;
    }
}
