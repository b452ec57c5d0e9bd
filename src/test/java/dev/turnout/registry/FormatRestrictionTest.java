package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** An operator who takes ONNX only: TorchScript uploads are refused, named or recognised. */
@QuarkusTest
@TestProfile(FormatRestrictionTest.OnnxOnly.class)
class FormatRestrictionTest {

    public static class OnnxOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.registry.formats", "onnx");
        }
    }

    @Test
    void torchScriptIsRefusedWhetherNamedOrRecognised() {
        String name = Fixtures.uniqueName("onnx-only");
        upload(name, "linear-v2.pt", "format", "torchscript", "signature", Fixtures.LINEAR_SIGNATURE).then()
                .statusCode(415).body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("error", containsString("the upload names format torchscript"))
                .body("error", containsString("accepted formats: onnx (turnout.registry.formats)"));
        upload(name, "linear-v2.pt", "signature", Fixtures.LINEAR_SIGNATURE).then()
                .statusCode(415).body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("error", containsString("the artifact is format torchscript"))
                .body("error", containsString("accepted formats: onnx (turnout.registry.formats)"));
        given().get("/api/models/{name}", name).then().statusCode(404);
    }

    @Test
    void messagesListOnlyTheAcceptedFormats() {
        String name = Fixtures.uniqueName("onnx-only");
        upload(name, "linear-v1.onnx", "format", "pickle").then()
                .statusCode(400).body("error", containsString("accepted: onnx"))
                .body("error", org.hamcrest.Matchers.not(containsString("torchscript")));
    }

    @Test
    void onnxStillUploads() {
        upload(Fixtures.uniqueName("onnx-only"), "linear-v1.onnx").then().statusCode(201);
    }
}
