package dev.turnout.registry;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import dev.turnout.storage.BlobStores;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static dev.turnout.TestFiles.spooledUploads;
import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refused upload answers a clear JSON error and leaves nothing behind: no rows, no large object, no spool file. */
@QuarkusTest
class UploadRefusalTest {

    /** The files the refused uploads send (deleted after each test: they are 2 MiB at most, but every run made three). */
    @TempDir
    Path scratch;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    BlobStores stores;

    String name;
    long postgresBlobsBefore;
    Set<String> blobsBefore;

    @BeforeEach
    void recordState() throws Exception {
        name = Fixtures.uniqueName("refused");
        postgresBlobsBefore = PostgresBlobRows.count(dataSource);
        blobsBefore = blobs();
    }

    /** Every blob in the store new artifacts go to (the bytes are written while the proof runs). */
    Set<String> blobs() throws Exception {
        return new TreeSet<>(stores.current().keysWrittenBefore(Instant.now().plusSeconds(3600)));
    }

    ValidatableResponse refused(ValidatableResponse response, int status, String code) throws Exception {
        response.statusCode(status).contentType("application/json").body("code", equalTo(code));
        given().get("/api/models/{name}", name).then().statusCode(404);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM model WHERE name = ?", name));
        assertEquals(postgresBlobsBefore, PostgresBlobRows.count(dataSource));
        assertEquals(List.of(), spooledUploads(), "no spooled upload may remain");
        assertEquals(blobsBefore, blobs(), "a refused upload may leave no blob in the " + stores.current().kind()
                + " store");
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
        for (String dim : new String[] {"1.5", "1e-1"}) { // fractions, however written
            refused(upload(name, "linear-v1.onnx", "signature", Fixtures.LINEAR_SIGNATURE.replace("-1,1", "-1," + dim))
                    .then(), 400, "INVALID_ARGUMENT").body("error", containsString("whole numbers"));
        }
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
        refused(given().multiPart("artifact", Files.createFile(scratch.resolve("empty.onnx")).toFile())
                .post("/api/models/{name}/versions", name).then(), 422, "INVALID_MODEL")
                .body("error", containsString("empty"));
    }

    @Test
    void weightsThatDoNotFitTheirDims() throws Exception {
        // well-formed protobuf that ONNX Runtime refuses: the proof loads it through a header pointing into the
        // upload for its weights (OnnxProofHeader), then whole, so the refusal and its message are the upload's own
        refused(upload(name, "weights-mismatch.onnx").then(), 422, "INVALID_MODEL")
                .body("error", containsString("not a loadable onnx model"))
                .body("error", not(containsString("proof-")));
        refused(RegistryApiTest.uploadStream(name, "weights-mismatch.onnx").then(), 422, "INVALID_MODEL")
                .body("error", containsString("not a loadable onnx model"));
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
    void malformedMultipartBodies() throws Exception {
        // found by HttpFuzzTest: the framework's multipart parser threw an IOException that was answered 500
        byte[] whole = ("--b\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"m.onnx\"\r\n\r\n"
                + Files.readString(Fixtures.model("linear-v1.onnx").toPath(), StandardCharsets.ISO_8859_1)
                + "\r\n--b--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("multipart/form-data; boundary=b", Arrays.copyOf(whole, whole.length / 2)); // cut short
        bodies.put("multipart/form-data; boundary=other", whole);                               // another boundary
        bodies.put("multipart/form-data", whole);                                               // no boundary
        bodies.put("multipart/form-data; boundary=b ", "not multipart at all".getBytes(StandardCharsets.UTF_8));
        for (var body : bodies.entrySet()) {
            // HTTP/1.1 pinned: a chunked body is HTTP/1.1's; the JDK client otherwise tries an h2c upgrade, and over h2c
        // Vert.x answers the over-limit stream with a GOAWAY rather than a 413 (seen as a flaky IOException)
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(
                            URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/models/" + name + "/versions"))
                    .header("Content-Type", body.getKey())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.getValue())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() == 400 || response.statusCode() == 415, body.getKey() + ": " + response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(response.body().contains("\"error\""), response.body());
            awaitNoSpooledUploads(); // the framework deletes a partly spooled part once the request has ended
            refused(given().get("/api/models/{name}", name).then(), 404, "NOT_FOUND");
        }
    }

    @Test
    void engineMessagesDoNotShowServerPaths() throws Exception {
        // found by HttpFuzzTest: ONNX Runtime's message named the spooled file and its own C++ source location
        File noOpset = scratch.resolve("no-opset.onnx").toFile();
        Files.write(noOpset.toPath(), new byte[] {0x08, 0x08}); // a ModelProto with only ir_version 8
        refused(given().multiPart("artifact", noOpset).post("/api/models/{name}/versions", name).then(),
                422, "INVALID_MODEL")
                .body("error", containsString("OnnxRuntime cannot load it as onnx"))
                .body("error", containsString("the artifact"))
                .body("error", not(containsString("test-data")))
                .body("error", not(containsString("uploads")))
                .body("error", not(containsString("onnxruntime_src")))
                .body("error", not(containsString(".cc:")));
    }

    @Test
    void signaturesNoRequestCouldFill() throws Exception {
        // found while writing HttpFuzzTest's signature generator: the smoke test's zero tensor overflowed (500)
        // or could take gigabytes
        for (String dims : new String[] {"-1,2147483648", "-1,9223372036854775807", "4194305,1", "2049,2048"}) {
            refused(upload(name, "linear-v1.pt", "signature", Fixtures.LINEAR_SIGNATURE.replaceFirst("-1,1", dims)).then(),
                    422, "SIGNATURE_MISMATCH").body("error", containsString("turnout.serving.max-tensor-elements"));
        }
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
    void rawUploadRefusals() throws Exception {
        refused(RegistryApiTest.uploadStream("Not-Lower", "linear-v1.onnx").then(), 400, "INVALID_ARGUMENT");
        refused(RegistryApiTest.uploadStream(name, "linear-v1.onnx", "metrics", "{not json").then(), 400,
                "INVALID_ARGUMENT").body("error", containsString("'metrics' is not valid JSON"));
        refused(RegistryApiTest.uploadStream(name, "linear-v1.onnx", "format", "pickle").then(), 400,
                "INVALID_ARGUMENT");
        refused(RegistryApiTest.uploadStream(name, "linear-v1.onnx", "sha256", "abc").then(), 400, "INVALID_ARGUMENT");
        refused(RegistryApiTest.uploadStream(name, "linear-v1.onnx", "wiat", "1").then(), 400, "INVALID_ARGUMENT");
        refused(RegistryApiTest.uploadStream(name, "linear-v1.onnx", "sha256", RegistryApiTest.sha256("linear-v2.onnx"))
                .then(), 422, "DIGEST_MISMATCH").body("error", containsString(RegistryApiTest.sha256("linear-v1.onnx")));
        refused(RegistryApiTest.uploadStream(name, "linear-v1.pt", "format", "onnx").then(), 422, "INVALID_MODEL");
        refused(RegistryApiTest.uploadStream(name, "linear-v1.pt").then(), 400, "SIGNATURE_REQUIRED");
        refused(RegistryApiTest.uploadStream(name, "external-data.onnx").then(), 422, "INVALID_MODEL")
                .body("error", containsString("references external data"));
        refused(given().contentType("application/octet-stream").body(new byte[0])
                .post("/api/models/{name}/versions", name).then(), 422, "INVALID_MODEL")
                .body("error", containsString("empty"));
    }

    @Test
    void rawUploadOverTheLimitWithoutALength() throws Exception {
        // A chunked body declares no length, so only counting while it is received can refuse it.
        byte[] big = new byte[2 * 1024 * 1024]; // the test profile's limit is 1M
        // HTTP/1.1 pinned: a chunked body is HTTP/1.1's; the JDK client otherwise tries an h2c upgrade, and over h2c
        // Vert.x answers the over-limit stream with a GOAWAY rather than a 413 (seen as a flaky IOException)
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/models/" + name + "/versions"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        // (the framework's own body limit, equal to the upload limit, answers this one as it reads)
        assertEquals(413, response.statusCode(), response.body());
        refused(given().get("/api/models/{name}", name).then(), 404, "NOT_FOUND");
        // with a Content-Length over the limit it is refused before a byte is read
        refused(given().contentType("application/octet-stream").body(big).post("/api/models/{name}/versions", name)
                .then(), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void overTheUploadLimit() throws Exception {
        File big = scratch.resolve("big.onnx").toFile();
        Files.write(big.toPath(), new byte[2 * 1024 * 1024]); // the test profile's limit is 1M
        refused(given().multiPart("artifact", big).post("/api/models/{name}/versions", name).then(),
                413, "PAYLOAD_TOO_LARGE").body("error", containsString("turnout.registry.max-upload-size"));
    }
}
