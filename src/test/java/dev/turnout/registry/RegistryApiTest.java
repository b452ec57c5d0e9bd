package dev.turnout.registry;

import dev.turnout.Fixtures;
import dev.turnout.PostgresResource;
import dev.turnout.TestFiles;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RegistryApiTest {

    static Response upload(String name, String fixture, String... parts) {
        var request = given().multiPart("artifact", Fixtures.model(fixture));
        for (int i = 0; i < parts.length; i += 2) {
            request.multiPart(parts[i], parts[i + 1]);
        }
        return request.when().post("/api/models/{name}/versions", name);
    }

    static String sha256(String fixture) throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.model(fixture).toPath());
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void uploadsOnnxReadingItsSignatureFromTheModel() throws Exception {
        String name = Fixtures.uniqueName("linear");
        upload(name, "linear-v1.onnx", "metrics", "{\"rmse\": 0.0}", "tags", "{\"team\":\"pricing\"}",
                "description", "y = 2x + 1")
                .then().statusCode(201)
                .header("Location", endsWith("/api/models/" + name + "/versions/1"))
                .body("model", equalTo(name))
                .body("version", equalTo(1))
                .body("format", equalTo("onnx"))
                .body("sha256", equalTo(sha256("linear-v1.onnx")))
                .body("size_bytes", equalTo((int) Fixtures.model("linear-v1.onnx").length()))
                .body("signature.inputs[0].name", equalTo("x"))
                .body("signature.inputs[0].datatype", equalTo("FP32"))
                .body("signature.inputs[0].shape", contains(-1, 1))
                .body("signature.outputs[0].name", equalTo("y"))
                .body("metrics.rmse", equalTo(0.0f))
                .body("tags.team", equalTo("pricing"))
                .body("description", equalTo("y = 2x + 1"))
                .body("status", equalTo("READY"));

        given().get("/api/models/{name}", name).then().statusCode(200)
                .body("name", equalTo(name))
                .body("latest_version", equalTo(1))
                .body("version_count", equalTo(1))
                .body("active_version", nullValue());
        given().get("/api/models").then().statusCode(200).body("name", hasItem(name));
        given().get("/api/models/{name}/versions/1", name).then().statusCode(200)
                .body("sha256", equalTo(sha256("linear-v1.onnx")))
                .body("signature.outputs[0].shape", contains(-1, 1));
    }

    /** The raw-body upload: the artifact as application/octet-stream, the optional parts as query parameters. */
    static Response uploadStream(String name, String fixture, String... parameters) throws Exception {
        var request = given().contentType("application/octet-stream")
                .body(Files.readAllBytes(Fixtures.model(fixture).toPath()));
        for (int i = 0; i < parameters.length; i += 2) {
            request.queryParam(parameters[i], parameters[i + 1]);
        }
        return request.when().post("/api/models/{name}/versions", name);
    }

    @Test
    void uploadsTheRawArtifactWithItsFieldsAsQueryParameters() throws Exception {
        String name = Fixtures.uniqueName("streamed");
        uploadStream(name, "linear-v1.onnx", "metrics", "{\"rmse\": 0.0}", "tags", "{\"team\":\"pricing\"}",
                "description", "y = 2x + 1", "sha256", sha256("linear-v1.onnx"), "format", "onnx")
                .then().statusCode(201)
                .header("Location", endsWith("/api/models/" + name + "/versions/1"))
                .body("version", equalTo(1))
                .body("format", equalTo("onnx"))
                .body("sha256", equalTo(sha256("linear-v1.onnx")))
                .body("size_bytes", equalTo((int) Fixtures.model("linear-v1.onnx").length()))
                .body("signature.inputs[0].shape", contains(-1, 1))
                .body("metrics.rmse", equalTo(0.0f))
                .body("tags.team", equalTo("pricing"))
                .body("description", equalTo("y = 2x + 1"));
        uploadStream(name, "mlp.pt", "signature", Fixtures.MLP_SIGNATURE).then().statusCode(201)
                .body("version", equalTo(2))
                .body("format", equalTo("torchscript"))
                .body("sha256", equalTo(sha256("mlp.pt")));
        Response download = given().get("/api/models/{name}/versions/2/artifact", name);
        download.then().statusCode(200);
        assertArrayEquals(Files.readAllBytes(Fixtures.model("mlp.pt").toPath()), download.asByteArray());
        assertEquals(List.of(), TestFiles.awaitNoSpooledUploads());
    }

    @Test
    void uploadsOnnxWhoseProofPointsIntoItForItsWeights() throws Exception {
        // wide-weights.onnx has two initializers large enough for the proof's header (OnnxProofHeader)
        String name = Fixtures.uniqueName("wide");
        upload(name, "wide-weights.onnx").then().statusCode(201)
                .body("sha256", equalTo(sha256("wide-weights.onnx")))
                .body("signature.inputs[0].shape", contains(-1, 16))
                .body("signature.outputs[0].shape", contains(-1, 8));
        uploadStream(name, "wide-weights.onnx").then().statusCode(201).body("version", equalTo(2));
        assertEquals(List.of(), TestFiles.awaitNoSpooledUploads(), "the proof's header is deleted with the spool");
    }

    @Test
    void uploadsTorchScriptWithItsDeclaredSignature() {
        String name = Fixtures.uniqueName("mlp-pt");
        upload(name, "mlp.pt", "signature", Fixtures.MLP_SIGNATURE)
                .then().statusCode(201)
                .body("format", equalTo("torchscript"))
                .body("signature.inputs[0].shape", contains(-1, 4))
                .body("signature.outputs[0].shape", contains(-1, 3));
    }

    @Test
    void versionsAreNumberedInOrderAndListed() {
        String name = Fixtures.uniqueName("numbered");
        upload(name, "linear-v1.onnx").then().statusCode(201).body("version", equalTo(1));
        upload(name, "linear-v2.onnx").then().statusCode(201).body("version", equalTo(2));
        given().get("/api/models/{name}/versions", name).then().statusCode(200)
                .body("version", contains(1, 2));
    }

    @Test
    void downloadStreamsTheSameBytesWithTheDigestAsETag() throws Exception {
        String name = Fixtures.uniqueName("download");
        upload(name, "mlp.onnx").then().statusCode(201);
        Response response = given().get("/api/models/{name}/versions/1/artifact", name);
        response.then().statusCode(200).header("ETag", equalTo("\"" + sha256("mlp.onnx") + "\""));
        byte[] body = response.asByteArray();
        assertArrayEquals(Files.readAllBytes(Fixtures.model("mlp.onnx").toPath()), body);
        assertEquals(sha256("mlp.onnx"), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        given().header("If-None-Match", "\"" + sha256("mlp.onnx") + "\"")
                .get("/api/models/{name}/versions/1/artifact", name).then().statusCode(304);
    }

    @Test
    void patchMergesMetricsTagsAndDescription() {
        String name = Fixtures.uniqueName("patch");
        upload(name, "linear-v1.onnx", "metrics", "{\"rmse\": 0.5, \"mae\": 0.4}", "tags", "{\"stage\":\"dev\"}")
                .then().statusCode(201);
        given().contentType("application/json")
                .body("{\"metrics\": {\"accuracy\": 0.93, \"mae\": null}, \"tags\": {\"owner\": \"ana\"}, \"description\": \"evaluated\"}")
                .patch("/api/models/{name}/versions/1", name)
                .then().statusCode(200)
                .body("metrics.rmse", equalTo(0.5f))
                .body("metrics.accuracy", equalTo(0.93f))
                .body("metrics.mae", nullValue())
                .body("tags.stage", equalTo("dev"))
                .body("tags.owner", equalTo("ana"))
                .body("description", equalTo("evaluated"));
        given().get("/api/models/{name}/versions/1", name).then()
                .body("metrics.accuracy", equalTo(0.93f))
                .body("tags.owner", equalTo("ana"));
    }

    @Test
    void deleteRemovesTheVersion() {
        String name = Fixtures.uniqueName("delete");
        upload(name, "linear-v1.onnx").then().statusCode(201);
        upload(name, "linear-v2.onnx").then().statusCode(201);
        given().delete("/api/models/{name}/versions/1", name).then().statusCode(204);
        given().get("/api/models/{name}/versions/1", name).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().get("/api/models/{name}/versions", name).then().body("version", contains(2));
        // numbers are never reused
        upload(name, "linear-v1.onnx").then().statusCode(201).body("version", equalTo(3));
    }
}
