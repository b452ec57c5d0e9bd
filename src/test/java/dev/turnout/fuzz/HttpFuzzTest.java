package dev.turnout.fuzz;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static dev.turnout.Api.uploadAndActivate;
import static dev.turnout.TestDb.column;
import static dev.turnout.TestDb.count;
import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static dev.turnout.fuzz.FuzzInputs.json;
import static dev.turnout.fuzz.FuzzInputs.obj;
import static dev.turnout.fuzz.FuzzInputs.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the running service over HTTP: thousands of malformed inference bodies, multipart uploads and paths, each
 * answer judged by {@link FuzzHttp} (never a 5xx, every 4xx a JSON {"error": ...}, no internals leaked), and the
 * registry checked afterwards (refused uploads leave no model row, no version row, no large object, no spooled file).
 *
 * <p>How the cases are made: plain {@link java.util.Random} generators ({@link FuzzInputs}) with a fixed seed, printed
 * with the counts, so a failure replays exactly with {@code -Dturnout.fuzz.seed=N} (and a new seed explores new cases;
 * {@code -Dturnout.fuzz.inference/uploads/names=N} change the counts). They are driven from ordinary @Test methods: the
 * application starts once and every case goes through the real HTTP stack, real DJL engines and real PostgreSQL.
 * Why not jqwik: its properties run in jqwik's own JUnit engine, outside @QuarkusTest's lifecycle (no application, no
 * injection, no HTTP port), so only its generators could be used, by hand; jqwik 1.x is built on JUnit Platform 1.x
 * while Quarkus 3.36 brings JUnit 6; and its maintainers ask, from 1.10 on, that it not be used by AI coding agents,
 * which wrote this class. Plain seeded generators do the job without a dependency. No shrinking: a failing case is
 * reported with its full request, which is small enough to read.
 *
 * <p>Answers held to a weaker rule, because Quarkus's HTTP layer gives them before any Turnout code runs: a request
 * line over 4096 characters (414) and a request-target that is not a valid URI, e.g. {@code /api/models/%zz} (400),
 * come with an empty body; so does the 413 for an upload sent without a Content-Length that goes past the limit
 * (with a Content-Length, WholeBodyLimits answers JSON before reading it).
 */
@QuarkusTest
class HttpFuzzTest {

    static final long SEED = Long.getLong("turnout.fuzz.seed", 20261122L);
    static final int INFERENCE_CASES = Integer.getInteger("turnout.fuzz.inference", 2000);
    static final int UPLOAD_CASES = Integer.getInteger("turnout.fuzz.uploads", 300);
    static final int NAME_CASES = Integer.getInteger("turnout.fuzz.names", 500);
    static final int MAX_REPORTED = 25;

    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource("/")
    URI base;

    /** Models every run serves: an ONNX one and a TorchScript one (and the profile's default model for /predict). */
    static String linear;
    static String mlp;

    @BeforeEach
    void models() {
        if (linear == null) {
            linear = uploadAndActivate(Fixtures.uniqueName("fuzz-linear"), Fixtures.model("linear-v1.onnx"));
            mlp = uploadAndActivate(Fixtures.uniqueName("fuzz-mlp"), Fixtures.model("mlp.pt"),
                    "signature", Fixtures.MLP_SIGNATURE);
            uploadAndActivate("flask-linear", Fixtures.model("linear-v1.onnx"));
        }
    }

    // -- (a) inference bodies ----------------------------------------------------------------------------------------

    /** An inference endpoint and the valid bodies it takes (the starting points of mutations). */
    record Endpoint(String path, List<Object> valid) {
    }

    @Test
    void inferenceBodies() throws Exception {
        FuzzInputs gen = new FuzzInputs(new Random(SEED ^ 0xA));
        FuzzHttp http = new FuzzHttp(base);
        Registry before = registry();
        List<Endpoint> endpoints = inferenceEndpoints();
        Map<String, Integer> perKind = new LinkedHashMap<>();
        for (int i = 0; i < INFERENCE_CASES; i++) {
            Endpoint endpoint = gen.pick(endpoints);
            Object valid = gen.pick(endpoint.valid());
            String contentType = "application/json";
            boolean chunked = gen.chance(0.1);
            byte[] body;
            String kind;
            switch (gen.random().nextInt(12)) {
                case 0 -> {
                    kind = "random JSON";
                    body = utf8(json(gen.value(4)));
                }
                case 1 -> {
                    kind = "random bytes";
                    body = gen.bytes(2000);
                }
                case 2 -> {
                    kind = "broken JSON";
                    body = utf8(gen.broken(json(valid)));
                }
                case 3 -> {
                    kind = "deep nesting";
                    Object mutated = replaceData(valid, gen.deep(gen.between(20, 3000)));
                    body = utf8(json(mutated));
                }
                case 4 -> {
                    kind = "evil shape";
                    body = utf8(json(replaceShape(valid, gen.shape())));
                }
                case 5 -> {
                    kind = "large";
                    body = utf8(json(replaceData(valid, largeData(gen))));
                }
                case 6 -> {
                    kind = "content type";
                    contentType = gen.pick(null, "text/plain", "application/xml", "multipart/form-data; boundary=x",
                            "application/x-www-form-urlencoded", "application/json; charset=utf-16", "a/b/c", "*/*",
                            "application/json; charset=\"", ";;;");
                    body = gen.chance(0.3) ? new byte[0] : utf8(json(valid));
                }
                case 7 -> {
                    kind = "two mutations";
                    body = utf8(json(gen.mutate(gen.mutate(valid))));
                }
                default -> {
                    kind = "one mutation";
                    body = utf8(json(gen.mutate(valid)));
                }
            }
            perKind.merge(kind, 1, Integer::sum);
            FuzzHttp.Answer answer = http.send("POST", endpoint.path(), contentType, body, chunked);
            http.check("inference #" + i + " (" + kind + ", " + endpoint.path() + ")",
                    endpoint.path() + " " + new String(body, StandardCharsets.UTF_8), answer, true);
        }
        // bodies over turnout.serving.max-request-size (256K), with and without a Content-Length
        for (int i = 0; i < 10; i++) {
            Endpoint endpoint = endpoints.get(i % endpoints.size());
            byte[] body = utf8("{\"instances\": [" + "[1.0],".repeat(60_000 + i * 50_000) + "[1.0]]}");
            boolean chunked = i % 2 == 0;
            perKind.merge("oversized", 1, Integer::sum);
            http.check("oversized #" + i + " (" + body.length + " bytes, chunked " + chunked + ")", endpoint.path(),
                    http.send("POST", endpoint.path(), "application/json", body, chunked), true);
        }
        report("inference", http, perKind);
        assertUnchanged(before, registry());
    }

    private List<Endpoint> inferenceEndpoints() {
        Object oipLinear = obj("id", "fuzz", "inputs", List.of(obj("name", "x", "datatype", "FP32",
                "shape", List.of(2, 1), "data", List.of(1.0, 2.0))), "outputs", List.of(obj("name", "y")),
                "parameters", obj("p", 1));
        Object oipMlp = obj("inputs", List.of(obj("name", "x", "datatype", "FP32", "shape", List.of(1, 4),
                "data", List.of(List.of(1.0, -2.0, 3.0, 0.5)))));
        Object rowsLinear = obj("instances", List.of(List.of(1.0), List.of(2.0)), "signature_name", "serving_default");
        Object columnsLinear = obj("inputs", obj("x", List.of(List.of(1.0))));
        Object rowsMlp = obj("instances", List.of(List.of(1.0, 2.0, 3.0, 4.0)));
        Object columnsMlp = obj("inputs", List.of(List.of(1.0, 2.0, 3.0, 4.0)));
        return List.of(
                new Endpoint("/v2/models/" + linear + "/infer", List.of(oipLinear)),
                new Endpoint("/v2/models/" + linear + "/versions/1/infer", List.of(oipLinear)),
                new Endpoint("/v2/models/" + mlp + "/infer", List.of(oipMlp)),
                new Endpoint("/v2/models/" + mlp + "/versions/1/infer", List.of(oipMlp)),
                new Endpoint("/v1/models/" + linear + ":predict", List.of(rowsLinear, columnsLinear)),
                new Endpoint("/v1/models/" + linear + "/versions/1:predict", List.of(rowsLinear, columnsLinear)),
                new Endpoint("/v1/models/" + mlp + ":predict", List.of(rowsMlp, columnsMlp)),
                new Endpoint("/predict", List.of(obj("example", List.of(List.of(3.0))),
                        obj("input_data", obj("x", List.of(List.of(3.0), List.of(4.0)))))));
    }

    /** {@code valid} with its tensor data (wherever the protocol keeps it) replaced. */
    private static Object replaceData(Object valid, Object data) {
        return replace(valid, data, "data");
    }

    private static Object replaceShape(Object valid, Object shape) {
        return isOip(valid) ? replace(valid, shape, "shape") : replace(valid, shape, "data");
    }

    /** An OIP body: {"inputs": [{"name": ..., "data": ...}]} (TF Serving's columnar "inputs" is not a list of objects). */
    private static boolean isOip(Object valid) {
        return valid instanceof Map<?, ?> map && map.get("inputs") instanceof List<?> inputs && !inputs.isEmpty()
                && inputs.get(0) instanceof Map<?, ?>;
    }

    private static Object replace(Object valid, Object value, String field) {
        Map<String, Object> copy = new LinkedHashMap<>();
        ((Map<?, ?>) valid).forEach((k, v) -> copy.put((String) k, v));
        if (isOip(valid) && copy.get("inputs") instanceof List<?> inputs) { // OIP: inputs[0].data / .shape
            Map<String, Object> input = new LinkedHashMap<>();
            ((Map<?, ?>) inputs.get(0)).forEach((k, v) -> input.put((String) k, v));
            input.put(field, value);
            copy.put("inputs", List.of(input));
        } else {
            String key = copy.keySet().stream().filter(k -> !k.equals("signature_name")).findFirst().orElseThrow();
            copy.put(key, value);
        }
        return copy;
    }

    /** Many elements: a flat or nested array of up to 60,000 numbers (under the 256K body limit). */
    private static Object largeData(FuzzInputs gen) {
        int rows = gen.between(1, 15_000);
        int columns = gen.pick(1, 4);
        List<Object> data = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            data.add(columns == 1 ? List.of(1.5) : List.of(1, 2, 3, 4));
        }
        return data;
    }

    // -- (b) multipart uploads ---------------------------------------------------------------------------------------

    record Part(String name, String filename, String contentType, byte[] content) {
    }

    @Test
    void uploads() throws Exception {
        FuzzInputs gen = new FuzzInputs(new Random(SEED ^ 0xB));
        FuzzHttp http = new FuzzHttp(base);
        Registry before = registry();
        String run = UUID.randomUUID().toString().substring(0, 6);
        Map<String, byte[]> fixtures = new LinkedHashMap<>();
        for (String name : List.of("linear-v1.onnx", "mlp.onnx", "linear-v1.pt", "mlp.pt", "external-data.onnx",
                "external-data-subgraph.onnx")) {
            fixtures.put(name, Files.readAllBytes(Fixtures.model(name).toPath()));
        }
        Map<String, Integer> perKind = new LinkedHashMap<>();
        Set<String> acceptedNames = new HashSet<>();
        Set<String> acceptedDigests = new HashSet<>();
        int accepted = 0;
        for (int i = 0; i < UPLOAD_CASES; i++) {
            String name = "fuzz-up-" + run + "-" + (i % 40);
            String fixture = gen.pick(new ArrayList<>(fixtures.keySet()));
            byte[] original = fixtures.get(fixture);
            byte[] artifact;
            String kind;
            switch (gen.random().nextInt(10)) {
                case 0 -> {
                    kind = "random bytes";
                    artifact = gen.bytes(3000);
                }
                case 1 -> {
                    kind = "truncated " + fixture;
                    artifact = Arrays.copyOf(original, gen.random().nextInt(original.length));
                }
                case 2 -> {
                    kind = "bytes changed in " + fixture;
                    artifact = original.clone();
                    for (int n = gen.between(1, 4); n > 0; n--) {
                        artifact[gen.random().nextInt(artifact.length)] = (byte) gen.random().nextInt(256);
                    }
                }
                case 3 -> {
                    kind = "onnx-looking";
                    artifact = concat(new byte[] {0x08}, gen.bytes(2000));
                }
                case 4 -> {
                    kind = "zip-looking";
                    artifact = concat(new byte[] {'P', 'K', 3, 4}, gen.bytes(2000));
                }
                case 5 -> {
                    kind = "garbage after " + fixture;
                    artifact = concat(original, gen.bytes(200));
                }
                case 6 -> {
                    kind = "empty";
                    artifact = new byte[0];
                }
                default -> {
                    kind = "intact " + fixture;
                    artifact = original;
                }
            }
            perKind.merge(kind.replaceAll(" [a-z0-9-]+\\.(onnx|pt)$", ""), 1, Integer::sum);
            List<Part> parts = new ArrayList<>();
            parts.add(new Part("artifact", gen.pick("model.onnx", "m.pt", "../../../../etc/passwd", "", "a\"b.onnx",
                    "é😀.onnx", "x".repeat(300)), gen.pick("application/octet-stream", null, "text/plain"), artifact));
            // Each part is absent, valid or broken; broken ones are rare enough that most cases get past the parts
            // to the artifact itself (the digest, the ONNX walk, a trial load with DJL, the signature checks).
            boolean torchScript = fixture.endsWith(".pt");
            if (gen.chance(0.35)) {
                parts.add(text("format", gen.chance(0.6) ? gen.pick("onnx", "torchscript", "ONNX", " onnx ")
                        : gen.pick("pickle", "", "tensorflow", "../../../../etc/passwd", gen.randomText(gen.between(1, 20)))));
            }
            if (gen.chance(0.3)) {
                parts.add(text("metrics", jsonPart(gen, obj("rmse", 0.5, "accuracy", 0.9))));
            }
            if (gen.chance(0.3)) {
                parts.add(text("tags", jsonPart(gen, obj("team", "fuzz"))));
            }
            if (gen.chance(torchScript ? 0.8 : 0.3)) {
                boolean mlpFixture = fixture.startsWith("mlp");
                String signature = mlpFixture ? Fixtures.MLP_SIGNATURE : Fixtures.LINEAR_SIGNATURE;
                parts.add(text("signature", switch (gen.random().nextInt(5)) {
                    case 0 -> signature;
                    case 1, 2 -> signature.replaceFirst("\\[-1,[0-9]\\]", json(gen.shape())); // a shape that breaks rules
                    case 3 -> mlpFixture ? Fixtures.LINEAR_SIGNATURE : Fixtures.MLP_SIGNATURE; // the other model's
                    default -> jsonPart(gen, new com.fasterxml.jackson.databind.ObjectMapper().readValue(signature, Map.class));
                }));
            }
            if (gen.chance(0.25)) {
                String digest = sha256(artifact);
                parts.add(text("sha256", gen.chance(0.6) ? gen.pick(digest, digest.toUpperCase(), " " + digest)
                        : gen.pick(sha256(gen.bytes(10)), "abc", "g".repeat(64), digest.substring(1))));
            }
            if (gen.chance(0.15)) {
                parts.add(text("description", gen.chance(0.2) ? "d".repeat(10_001) : gen.string()));
            }
            if (gen.chance(0.1)) {
                parts.add(text(gen.pick("unknown", "", "artifact", "format\"; x=\"y"), gen.string()));
            }
            if (gen.chance(0.05)) { // the artifact as a plain field, not a file
                parts.set(0, new Part("artifact", null, null, artifact));
            }
            String boundary = "fuzz" + Long.toHexString(gen.random().nextLong());
            byte[] body = multipart(boundary, parts);
            String contentType = "multipart/form-data; boundary=" + boundary;
            if (gen.chance(0.08)) { // broken multipart framing
                kind += ", broken framing";
                switch (gen.random().nextInt(4)) {
                    case 0 -> body = Arrays.copyOf(body, gen.random().nextInt(body.length));
                    case 1 -> contentType = "multipart/form-data";
                    case 2 -> contentType = "multipart/form-data; boundary=other";
                    default -> body = gen.bytes(2000);
                }
            }
            String path = "/api/models/" + name + "/versions";
            FuzzHttp.Answer answer = http.send("POST", path, contentType, body, gen.chance(0.1));
            String request = path + " " + kind + " " + describe(parts);
            http.check("upload #" + i + " (" + kind + ")", request, answer, true);
            if (answer.status() == 201) { // an input that happened to be a valid upload: accounted for below
                accepted++;
                acceptedNames.add(name);
                acceptedDigests.add(sha256(artifact));
                System.out.println("[fuzz] upload #" + i + " was a valid upload (" + kind + "): accepted as "
                        + FuzzHttp.shorten(answer.body()));
            }
        }
        // an upload over turnout.registry.max-upload-size (1M), with and without a Content-Length. Without one, the
        // framework's body reader answers 413 itself (no body) and closes: the one 4xx that is not JSON.
        for (boolean chunked : new boolean[] {false, true}) {
            byte[] body = multipart("big", List.of(new Part("artifact", "big.onnx", null, new byte[1_200_000])));
            String path = "/api/models/fuzz-up-" + run + "-big/versions";
            perKind.merge("oversized", 1, Integer::sum);
            FuzzHttp.Answer answer = http.send("POST", path, "multipart/form-data; boundary=big", body, chunked);
            http.check("oversized upload (chunked " + chunked + ")", path, answer, !chunked);
            assertTrue(answer.status() == 413 || chunked && answer.status() == -1, "oversized upload: " + answer);
        }
        report("upload", http, perKind);
        System.out.println("[fuzz] uploads accepted (valid by chance): " + accepted + " to " + acceptedNames.size()
                + " models");
        Registry after = registry();
        Set<String> newDigests = new HashSet<>(acceptedDigests);
        newDigests.removeAll(before.digests());
        assertEquals(before.models() + acceptedNames.size(), after.models(), "only accepted uploads create models");
        assertEquals(before.versions() + accepted, after.versions(), "only accepted uploads create versions");
        assertEquals(before.postgresBlobs() + newDigests.size(), after.postgresBlobs(),
                "only accepted uploads store bytes (one blob per new digest)");
        // spooled parts go when their request ends (the framework deletes them just after the answer)
        assertEquals(List.of(), awaitNoSpooledUploads(), "no spooled upload may remain");
    }

    private static Part text(String name, String value) {
        return new Part(name, null, null, utf8(value));
    }

    /** A JSON part: the valid value, a mutation of it, random JSON, or broken text. */
    private static String jsonPart(FuzzInputs gen, Object valid) {
        return switch (gen.random().nextInt(5)) {
            case 0 -> json(valid);
            case 1, 2 -> json(gen.mutate(valid));
            case 3 -> json(gen.value(3));
            default -> gen.broken(json(valid));
        };
    }

    private static byte[] multipart(String boundary, List<Part> parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part part : parts) {
            out.write(utf8("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.name() + "\""
                    + (part.filename() == null ? "" : "; filename=\"" + part.filename() + "\"") + "\r\n"
                    + (part.contentType() == null ? "" : "Content-Type: " + part.contentType() + "\r\n") + "\r\n"));
            out.write(part.content());
            out.write(utf8("\r\n"));
        }
        out.write(utf8("--" + boundary + "--\r\n"));
        return out.toByteArray();
    }

    private static String describe(List<Part> parts) {
        StringBuilder text = new StringBuilder();
        for (Part part : parts) {
            text.append(part.name()).append('=').append(part.filename() != null ? "file " + part.filename() + " ("
                    + part.content().length + " bytes)" : new String(part.content(), StandardCharsets.UTF_8)).append("; ");
        }
        return text.toString();
    }

    // -- (c) names and versions in every path ------------------------------------------------------------------------

    record Route(String method, String template, String bodyKind) {
    }

    static final List<Route> ROUTES = List.of(
            new Route("GET", "/api/models/{n}", null),
            new Route("GET", "/api/models/{n}/versions", null),
            new Route("GET", "/api/models/{n}/versions/{v}", null),
            new Route("GET", "/api/models/{n}/versions/{v}/artifact", null),
            new Route("PATCH", "/api/models/{n}/versions/{v}", "patch"),
            new Route("DELETE", "/api/models/{n}/versions/{v}", null),
            new Route("POST", "/api/models/{n}/versions", "upload"),
            new Route("PUT", "/api/models/{n}/active{q}", "flip"),
            new Route("POST", "/api/models/{n}/rollback{q}", "reason"),
            new Route("DELETE", "/api/models/{n}/active{q}", "reason"),
            new Route("GET", "/api/models/{n}/activations{q}", null),
            new Route("GET", "/v2/models/{n}", null),
            new Route("GET", "/v2/models/{n}/ready", null),
            new Route("GET", "/v2/models/{n}/versions/{v}", null),
            new Route("GET", "/v2/models/{n}/versions/{v}/ready", null),
            new Route("POST", "/v2/models/{n}/infer", "oip"),
            new Route("POST", "/v2/models/{n}/versions/{v}/infer", "oip"),
            new Route("GET", "/v1/models/{n}", null),
            new Route("GET", "/v1/models/{n}/metadata", null),
            new Route("GET", "/v1/models/{n}/versions/{v}/metadata", null),
            new Route("POST", "/v1/models/{n}:predict", "rows"),
            new Route("POST", "/v1/models/{n}/versions/{v}:predict", "rows"));

    @Test
    void namesAndVersionsInEveryPath() throws Exception {
        FuzzInputs gen = new FuzzInputs(new Random(SEED ^ 0xC));
        FuzzHttp http = new FuzzHttp(base);
        Registry before = registry();
        Map<String, Integer> perKind = new LinkedHashMap<>();
        int requests = 0;
        for (int i = 0; i < NAME_CASES; i++) {
            String name = name(gen);
            for (int r = 0; r < 6; r++) {
                Route route = ROUTES.get((i * 6 + r) % ROUTES.size());
                String version = version(gen);
                String query = gen.chance(0.3) ? "?" + gen.pick("wait=", "wait=" + encode(cut(gen.string())), "wait=1ms",
                        "wait=99999999999s", "limit=abc", "limit=-1", "limit=1001", "limit=5", "limit=99999999999",
                        "wait=1s&wait=2s", "%zz=1".replace("%zz", "%25zz")) : "";
                // a deactivated linear or mlp could then lose its version to DELETE: deactivate a twin name instead
                boolean deactivation = route.method().equals("DELETE") && route.template().contains("/active");
                String target = deactivation && (name.equals(linear) || name.equals(mlp)) ? name + "-twin" : name;
                String path = route.template().replace("{n}", target).replace("{v}", version).replace("{q}", query);
                byte[] body = body(gen, route.bodyKind());
                String contentType = route.bodyKind() == null ? null : route.bodyKind().equals("upload")
                        ? "multipart/form-data; boundary=b" : "application/json";
                perKind.merge(route.method() + " " + route.template().replace("{q}", ""), 1, Integer::sum);
                http.check("path #" + i + "." + r, route.method() + " " + path + " "
                        + (body == null ? "" : new String(body, StandardCharsets.UTF_8)),
                        http.send(route.method(), path, contentType, body, false), true);
                requests++;
            }
        }
        // request lines no URI class builds: bad escapes, raw bytes, control characters. Quarkus's HTTP layer answers
        // a request-target that is not a valid URI (java.net.URI) with an empty 400 before any route runs: those are
        // held to "a 400 that leaks nothing", every other one to the JSON rule
        String[] rawNames = {"%zz", "%", "%C3%28", "%FF%FE", "%c0%af", "a%2", "%%", "%u002e", "\u00e9", "\u0080",
                "a b", "a\tb", "%0d%0aX-Injected:%20yes", "\u00ff\u00fe"};
        for (String raw : rawNames) {
            for (String template : List.of("/api/models/{n}", "/api/models/{n}/versions/1", "/v2/models/{n}/ready",
                    "/v1/models/{n}")) {
                String target = template.replace("{n}", raw);
                byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                perKind.merge("raw request line", 1, Integer::sum);
                FuzzHttp.Answer answer = http.sendRaw(request);
                boolean validUri = isUri(target);
                http.check("raw path " + FuzzHttp.shorten(raw), new String(request, StandardCharsets.ISO_8859_1),
                        answer, validUri);
                if (!validUri && answer.status() != 400) {
                    http.failures().add("raw path " + FuzzHttp.shorten(raw) + " -> " + answer.status()
                            + " for a request-target that is not a URI; expected 400");
                }
            }
        }
        // a request line past the HTTP server's limit (4096): refused by the HTTP codec before any route runs
        byte[] longLine = ("GET /api/models/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        FuzzHttp.Answer tooLong = http.sendRaw(longLine);
        perKind.merge("request line over 4096", 1, Integer::sum);
        http.check("request line of 10,000 characters", "GET /api/models/aaaa…", tooLong, false);
        report("names", http, perKind);
        assertEquals(414, tooLong.status(), "too long: " + tooLong);
        System.out.println("[fuzz] names: " + NAME_CASES + " names and versions over " + requests + " requests");
        assertUnchanged(before, registry());
    }

    private static boolean isUri(String target) {
        try {
            new URI(target);
            return true;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** A model name as it goes in the path (already percent-encoded where it must be). */
    private String name(FuzzInputs gen) {
        return switch (gen.random().nextInt(12)) {
            // each has one version, the active one: DELETE and flips change nothing (deactivation is kept from them)
            case 0 -> gen.pick(linear, mlp);
            case 1 -> validLookingName(gen);
            case 2 -> gen.pick("Upper", "-dash", ".dot", "_under", "a".repeat(64), "a".repeat(300), "a".repeat(3000));
            case 3 -> gen.pick("%2F", "a%2Fb", "..", ".", "%2e%2e", "%2E", "a/..", "..%2F..%2Fetc%2Fpasswd",
                    "%2e%2e%2f%2e%2e", "....//", "%252e%252e");
            case 4 -> gen.pick("%00", "%0a", "%0d%0a", "%20", "+", "~", "%5C", "%25", "%3B", ";jsessionid=1", "%3F",
                    "%23", "a:b", "a%3Ab", "*", "%2A");
            case 5 -> gen.pick("con", "null", "undefined", "NaN", "true", "0", "-1", "%7B%7D", "%5B%5D");
            case 6 -> encode(gen.pick(linear, mlp) + gen.pick("\u0000", " ", "/", "\u200b", "é", "\u202e"));
            case 7 -> encode(cut(gen.string()));
            case 8 -> encode(gen.pick("' OR '1'='1", "x'; DROP TABLE model; --", "${jndi:ldap://x/a}", "<script>",
                    "{{7*7}}", "%s%n%x", "..\\..\\windows"));
            default -> encode(gen.randomText(gen.between(1, 80)));
        };
    }

    private static String validLookingName(FuzzInputs gen) {
        String first = "abcdefghijklmnopqrstuvwxyz0123456789";
        String rest = first + "._-";
        StringBuilder name = new StringBuilder().append(first.charAt(gen.random().nextInt(first.length())));
        for (int i = gen.random().nextInt(63); i > 0; i--) {
            name.append(rest.charAt(gen.random().nextInt(rest.length())));
        }
        return name.toString();
    }

    private static String version(FuzzInputs gen) {
        return switch (gen.random().nextInt(4)) {
            case 0 -> gen.pick("1", "2", "0", "-1", "01", "%2B1", "1.0", "1e3", "2147483647", "2147483648",
                    "99999999999999999999", "latest", "%20", "%2F", "..", ".", "0x1", "%201", "1%20", "NaN", "");
            case 1 -> encode(gen.pick("١", "１", "²", "߁", "1\u0000", "1\n"));
            case 2 -> Integer.toString(gen.random().nextInt());
            default -> encode(gen.randomText(gen.between(1, 12)));
        };
    }

    private static byte[] body(FuzzInputs gen, String kind) throws IOException {
        if (kind == null) {
            return null;
        }
        Object valid = switch (kind) {
            case "patch" -> obj("description", "fuzz", "tags", obj("k", "v"), "metrics", obj("m", 1.0));
            case "flip" -> obj("version", 1, "reason", "fuzz", "force", false, "require", List.of("m >= 0.5"));
            case "reason" -> obj("reason", "fuzz");
            case "oip" -> obj("inputs", List.of(obj("name", "x", "datatype", "FP32", "shape", List.of(1, 1),
                    "data", List.of(1.0))));
            case "rows" -> obj("instances", List.of(List.of(1.0)));
            default -> null;
        };
        if (valid == null) { // an upload: never a valid model, so nothing can be stored whatever the name
            return multipart("b", List.of(new Part("artifact", "x.onnx", null, concat(new byte[] {0x08}, gen.bytes(100)))));
        }
        return switch (gen.random().nextInt(4)) {
            case 0 -> utf8(json(valid));
            case 1 -> utf8(json(gen.mutate(valid)));
            case 2 -> utf8(json(gen.value(3)));
            default -> gen.chance(0.5) ? new byte[0] : utf8(gen.broken(json(valid)));
        };
    }

    /** At most 500 characters: paths stay under the HTTP server's 4096-character request line. */
    private static String cut(String text) {
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // -- the registry before and after -------------------------------------------------------------------------------

    record Registry(long models, long versions, long postgresBlobs, Set<String> digests) {
    }

    private Registry registry() throws Exception {
        return new Registry(count(dataSource, "SELECT count(*) FROM model"),
                count(dataSource, "SELECT count(*) FROM model_version"),
                PostgresBlobRows.count(dataSource),
                new HashSet<>(column(dataSource, "SELECT sha256 FROM artifact")));
    }

    private static void assertUnchanged(Registry before, Registry after) throws IOException {
        assertEquals(before.models(), after.models(), "fuzzing created or removed models");
        assertEquals(before.versions(), after.versions(), "fuzzing created or removed versions");
        assertEquals(before.postgresBlobs(), after.postgresBlobs(), "fuzzing stored or removed blobs of the postgres store");
        // spooled parts go when their request ends (the framework deletes them just after the answer)
        assertEquals(List.of(), awaitNoSpooledUploads(), "no spooled upload may remain");
    }

    private static void report(String category, FuzzHttp http, Map<String, Integer> perKind) {
        System.out.println("[fuzz] " + category + ": " + http.cases() + " cases (seed " + SEED + "), statuses "
                + http.statuses() + ", by kind " + perKind);
        StringBuilder errors = new StringBuilder("[fuzz] " + category + ": " + http.errors().size()
                + " distinct errors; the 40 most frequent (count, status, code: message opening):\n");
        http.errors().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(40)
                .forEach(e -> errors.append("    x").append(e.getValue()).append("  ").append(e.getKey()).append('\n'));
        System.out.print(errors);
        List<String> failures = http.failures();
        if (!failures.isEmpty()) {
            Map<String, Integer> distinct = new HashMap<>();
            failures.forEach(f -> distinct.merge(f.substring(f.indexOf("->") + 3, f.indexOf('\n')), 1, Integer::sum));
            StringBuilder message = new StringBuilder(failures.size() + " of " + http.cases() + " " + category
                    + " cases failed (seed " + SEED + "); by problem " + distinct + "; first ones:\n");
            failures.stream().limit(MAX_REPORTED).forEach(f -> message.append("  ").append(f).append('\n'));
            System.out.println(message);
            throw new AssertionError(message.toString());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
