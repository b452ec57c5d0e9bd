package dev.turnout.registry;

import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A TorchScript proof whose process dies is a 422, and the server goes on. The proof's JVM is made to abort for real:
 * a small heap with -XX:+CrashOnOutOfMemoryError, and a signature whose zero input (2^22 doubles, 32 MiB) does not
 * fit, so the JVM dies of a fatal error (it exits with code 1 when it writes no core dump; libtorch's aborts and
 * segfaults end it with SIGABRT or SIGSEGV instead, which the message names).
 */
@QuarkusTest
@TestProfile(TorchScriptProofCrashTest.ProofThatCrashes.class)
class TorchScriptProofCrashTest {

    static final String HUGE_INPUT = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[4194304,1]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}";

    public static class ProofThatCrashes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.registry.proof-max-heap", "24M", "turnout.registry.proof-timeout", "8s",
                    "turnout.registry.proof-jvm-options", "-XX:+CrashOnOutOfMemoryError,-XX:-CreateCoredumpOnCrash,"
                            + "-XX:ErrorFile=target/test-data/proof-crash-%p.log");
        }
    }

    @Test
    void aProofThatRunsForeverIsKilled() throws IOException {
        String name = Fixtures.uniqueName("runs-forever");
        File endless = TorchScriptRefusalTest.withForward("reads-a-file.pt",
                "    while True:\n      x = torch.add(x, 1)\n    return x\n");
        given().multiPart("artifact", endless).multiPart("signature", Fixtures.LINEAR_SIGNATURE)
                .post("/api/models/{name}/versions", name).then()
                .statusCode(422)
                .body("code", equalTo("INVALID_MODEL"))
                .body("error", containsString("did not load and run once within 8 s (turnout.registry.proof-timeout)"));
        assertNoProofLeft();
    }

    @Test
    void aCrashingProofIsRefusedAndTheServerGoesOn() throws IOException {
        String name = Fixtures.uniqueName("crashes");
        upload(name, "linear-v2.pt", "signature", HUGE_INPUT).then()
                .statusCode(422)
                .body("code", equalTo("INVALID_MODEL"))
                .body("error", containsString("the model crashed the engine while loading"));
        given().get("/api/models/{name}", name).then().statusCode(404);

        Api.management().get("/q/health/live").then().statusCode(200);
        upload(name, "linear-v2.pt", "signature", Fixtures.LINEAR_SIGNATURE).then().statusCode(201);
        upload(name, "linear-v1.onnx").then().statusCode(201);
        assertNoProofLeft();
    }

    static void assertNoProofLeft() throws IOException {
        try (Stream<Path> left = Files.list(Path.of("target/test-data/proofs"))) {
            assertEquals(0, left.count(), "every proof's files are deleted");
        }
        ProcessHandle.current().children().forEach(child -> assertFalse(
                child.info().commandLine().orElse("").contains("TorchScriptProofMain"), "a proof process is left"));
    }
}
