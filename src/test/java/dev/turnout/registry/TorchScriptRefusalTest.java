package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static dev.turnout.registry.RegistryApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * TorchScript is code: archives whose code reaches for files are refused before anything loads them. PyTorch itself
 * loads and runs every archive here.
 */
@QuarkusTest
class TorchScriptRefusalTest {

    String name;

    @BeforeEach
    void name() {
        name = Fixtures.uniqueName("torchscript-code");
    }

    ValidatableResponse refused(ValidatableResponse response, String op) {
        response.statusCode(422).contentType("application/json").body("code", equalTo("INVALID_MODEL"))
                .body("error", containsString(op));
        given().get("/api/models/{name}", name).then().statusCode(404);
        return response;
    }

    @Test
    void modelThatReadsAServerFile() {
        // its forward returns the first byte of /etc/passwd; before this check it was stored (201) and served
        refused(upload(name, "reads-a-file.pt", "signature", Fixtures.LINEAR_SIGNATURE).then(), "torch.from_file");
    }

    @Test
    void modelThatWritesAFile() throws IOException {
        Path target = Path.of("target/test-data/written-by-a-model").toAbsolutePath();
        Files.deleteIfExists(target);
        File archive = withForward("reads-a-file.pt", "    torch.save(x, \"" + target + "\")\n    return x\n");
        refused(given().multiPart("artifact", archive).multiPart("signature", Fixtures.LINEAR_SIGNATURE)
                .post("/api/models/{name}/versions", name).then(), "torch.save");
        assertFalse(Files.exists(target), "the upload's proof ran the model's torch.save");
    }

    @Test
    void spellingsOfTheSameOp() throws IOException {
        String read = "(\"/etc/passwd\", False, 1, dtype=0)\n    return torch.add(torch.mul(x, 0.), torch.to(torch.select(leaked, 0, 0), 6))\n";
        for (String[] variant : new String[][] {
                {"    leaked = ops.aten.from_file" + read, "ops.aten.from_file"},
                {"    t = torch\n    leaked = t.abs(x)\n    return x\n", "the module 'torch'"}, // an alias of the module
                {"    leaked = getattr(torch, \"from_\" \"file\")" + read, "the module 'torch'"}, // a lookup by string
                {"    return ops.my_ns.my_op(x)\n", "op namespace 'my_ns'"}}) {             // a custom op namespace
            File archive = withForward("reads-a-file.pt", variant[0]);
            refused(given().multiPart("artifact", archive).multiPart("signature", Fixtures.LINEAR_SIGNATURE)
                    .post("/api/models/{name}/versions", name).then(), variant[1]);
        }
    }

    @Test
    void ordinaryModelsStillUpload() {
        upload(name, "linear-v2.pt", "signature", Fixtures.LINEAR_SIGNATURE).then().statusCode(201);
        upload(name, "mlp.pt", "signature", Fixtures.MLP_SIGNATURE).then().statusCode(201);
    }

    /** A copy of a TorchScript fixture whose top-level forward has {@code body} (TorchScript's serialised source). */
    static File withForward(String fixture, String body) {
        try {
            File copy = File.createTempFile("edited-", ".pt");
            copy.deleteOnExit();
            try (ZipFile in = new ZipFile(Fixtures.model(fixture));
                 ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy.toPath()))) {
                for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                    byte[] data = in.getInputStream(entry).readAllBytes();
                    if (entry.getName().endsWith("/code/__torch__.py")) {
                        String code = new String(data, StandardCharsets.UTF_8);
                        int forward = code.indexOf("    x: Tensor) -> Tensor:\n") + "    x: Tensor) -> Tensor:\n".length();
                        data = (code.substring(0, forward) + body).getBytes(StandardCharsets.UTF_8);
                    } else if (entry.getName().endsWith(".debug_pkl")) {
                        continue; // source ranges of the original code: they would not match the edited code
                    }
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    out.write(data);
                    out.closeEntry();
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
