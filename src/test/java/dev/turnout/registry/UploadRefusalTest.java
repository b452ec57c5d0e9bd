package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.stream.Stream;

import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every refused upload answers a clear JSON error and leaves nothing behind: no rows, no large object, no spool file. */
@QuarkusTest
class UploadRefusalTest {

    @Inject
    AgroalDataSource dataSource;

    String name;
    long largeObjectsBefore;

    @BeforeEach
    void recordState() throws Exception {
        name = Fixtures.uniqueName("refused");
        largeObjectsBefore = count("SELECT count(*) FROM pg_largeobject_metadata");
    }

    ValidatableResponse refused(ValidatableResponse response, int status, String code) throws Exception {
        response.statusCode(status).contentType("application/json").body("code", equalTo(code));
        given().get("/api/models/{name}", name).then().statusCode(404);
        assertEquals(0, count("SELECT count(*) FROM model WHERE name = '" + name + "'"));
        assertEquals(largeObjectsBefore, count("SELECT count(*) FROM pg_largeobject_metadata"));
        assertEquals(0, spooledFiles(), "no spooled upload may remain");
        return response;
    }

    @Test
    void invalidModelName() throws Exception {
        refused(upload("Not-Lower", "linear-v1.onnx").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("[a-z0-9][a-z0-9._-]{0,62}"));
        refused(upload("x".repeat(64), "linear-v1.onnx").then(), 400, "INVALID_ARGUMENT");
        refused(upload("-leading-dash", "linear-v1.onnx").then(), 400, "INVALID_ARGUMENT");
    }

    @Test
    void notMultipart() throws Exception {
        refused(given().contentType("application/json").body("{}").post("/api/models/{name}/versions", name).then(),
                415, "UNSUPPORTED_MEDIA_TYPE").body("error", containsString("multipart/form-data"));
    }

    @Test
    void missingArtifactPart() throws Exception {
        refused(given().multiPart("format", "onnx").post("/api/models/{name}/versions", name).then(),
                400, "INVALID_ARGUMENT").body("error", containsString("'artifact'"));
    }

    @Test
    void unsupportedFormat() throws Exception {
        refused(upload(name, "linear-v1.onnx", "format", "pickle").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("onnx, torchscript"));
    }

    @Test
    void malformedMetricsTagsAndSignature() throws Exception {
        refused(upload(name, "linear-v1.onnx", "metrics", "{not json").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("'metrics' is not valid JSON"));
        refused(upload(name, "linear-v1.onnx", "metrics", "{\"rmse\": \"low\"}").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("finite numbers"));
        refused(upload(name, "linear-v1.onnx", "metrics", "[1, 2]").then(), 400, "INVALID_ARGUMENT");
        refused(upload(name, "linear-v1.onnx", "tags", "{\"team\": 7}").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("JSON object of strings"));
        refused(upload(name, "linear-v1.onnx", "tags", "{\"bad\\nkey\": \"v\"}").then(), 400, "INVALID_ARGUMENT");
        refused(upload(name, "linear-v1.onnx", "signature", "{\"inputs\": 3}").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("\"inputs\""));
        refused(upload(name, "linear-v1.onnx", "signature", Fixtures.LINEAR_SIGNATURE.replace("FP32", "FLOAT")).then(),
                400, "INVALID_ARGUMENT").body("error", containsString("FP32"));
        refused(upload(name, "linear-v1.onnx", "signature", Fixtures.LINEAR_SIGNATURE.replace("-1,1", "-2,1")).then(),
                400, "INVALID_ARGUMENT").body("error", containsString("-1 for dynamic"));
    }

    @Test
    void malformedDigest() throws Exception {
        refused(upload(name, "linear-v1.onnx", "sha256", "abc").then(), 400, "INVALID_ARGUMENT")
                .body("error", containsString("64 hex digits"));
    }

    @Test
    void digestMismatch() throws Exception {
        refused(upload(name, "linear-v1.onnx", "sha256", RegistryApiTest.sha256("linear-v2.onnx")).then(),
                422, "DIGEST_MISMATCH").body("error", containsString(RegistryApiTest.sha256("linear-v1.onnx")));
    }

    @Test
    void notAModel() throws Exception {
        File garbage = File.createTempFile("garbage", ".bin");
        Files.writeString(garbage.toPath(), "this is not a model at all");
        refused(given().multiPart("artifact", garbage).post("/api/models/{name}/versions", name).then(),
                422, "INVALID_MODEL").body("error", containsString("onnx, torchscript"));
        refused(given().multiPart("artifact", garbage).multiPart("format", "onnx")
                .post("/api/models/{name}/versions", name).then(), 422, "INVALID_MODEL")
                .body("error", containsString("not a loadable onnx model"));
        refused(given().multiPart("artifact", garbage).multiPart("format", "torchscript")
                .multiPart("signature", Fixtures.LINEAR_SIGNATURE)
                .post("/api/models/{name}/versions", name).then(), 422, "INVALID_MODEL");
        refused(upload(name, "linear-v1.pt", "format", "onnx").then(), 422, "INVALID_MODEL");
        refused(given().multiPart("artifact", File.createTempFile("empty", ".onnx"))
                .post("/api/models/{name}/versions", name).then(), 422, "INVALID_MODEL")
                .body("error", containsString("empty"));
    }

    @Test
    void externalDataIsRefusedBeforeAnythingReadsIt() throws Exception {
        // ONNX Runtime would open the path the tensor names, relative to the model (CVE-2022-25882)
        refused(upload(name, "external-data.onnx").then(), 422, "INVALID_MODEL")
                .body("error", containsString("references external data"))
                .body("error", containsString("tensor 'w' at '../../../../etc/passwd'"))
                .body("error", containsString("only self-contained models are accepted"));
        refused(upload(name, "external-data.onnx", "format", "onnx", "signature", Fixtures.LINEAR_SIGNATURE).then(),
                422, "INVALID_MODEL").body("error", containsString("external data"));
        // the same hidden in a subgraph: an If node's then-branch initializer
        refused(upload(name, "external-data-subgraph.onnx").then(), 422, "INVALID_MODEL")
                .body("error", containsString("references external data (tensor 'w' at '/etc/hostname')"));
    }

    @Test
    void torchScriptNeedsASignature() throws Exception {
        refused(upload(name, "linear-v1.pt").then(), 400, "SIGNATURE_REQUIRED")
                .body("error", containsString("'signature'"));
    }

    @Test
    void signatureThatDoesNotFitTheModel() throws Exception {
        refused(upload(name, "linear-v1.pt", "signature", Fixtures.MLP_SIGNATURE).then(), 422, "SIGNATURE_MISMATCH");
        refused(upload(name, "linear-v1.onnx", "signature", Fixtures.MLP_SIGNATURE).then(), 422, "SIGNATURE_MISMATCH")
                .body("error", containsString("the model has"));
        refused(upload(name, "linear-v1.onnx", "signature", Fixtures.LINEAR_SIGNATURE.replace("\"FP32\"", "\"INT64\"")).then(),
                422, "SIGNATURE_MISMATCH");
        refused(upload(name, "mlp.pt", "signature", Fixtures.MLP_SIGNATURE.replace("-1,3", "-1,3,1")).then(),
                422, "SIGNATURE_MISMATCH");
    }

    @Test
    void overTheUploadLimit() throws Exception {
        File big = File.createTempFile("big", ".onnx");
        Files.write(big.toPath(), new byte[2 * 1024 * 1024]); // the test profile's limit is 1M
        refused(given().multiPart("artifact", big).post("/api/models/{name}/versions", name).then(),
                413, "PAYLOAD_TOO_LARGE").body("error", containsString("turnout.registry.max-upload-size"));
    }

    long count(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection();
             ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static long spooledFiles() throws IOException {
        Path uploads = Path.of("target/test-data/uploads");
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(uploads)) {
            return files.count();
        }
    }
}
