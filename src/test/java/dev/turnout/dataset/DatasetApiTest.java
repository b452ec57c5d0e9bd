package dev.turnout.dataset;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ArtifactCollector;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.ContentAddress;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestDb.execute;
import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dataset versions over HTTP against the real database and artifact store. */
@QuarkusTest
class DatasetApiTest {

    static final String IRIS = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n6.2,2.9,versicolor\n"
            + "\"7,7\",3.0,virginica\n";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BlobStores stores;
    @Inject
    ArtifactCollector collector;
    @Inject
    DatasetCatalog catalog;

    String name;

    @BeforeEach
    void name() {
        name = Fixtures.uniqueName("data");
    }

    static File file(String content) throws Exception {
        return file(content.getBytes(StandardCharsets.UTF_8));
    }

    static File file(byte[] content) throws Exception {
        File file = File.createTempFile("dataset-", ".bin");
        file.deleteOnExit();
        Files.write(file.toPath(), content);
        return file;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static io.restassured.response.Response upload(String name, File data, String... parts) {
        var request = given().multiPart("data", data);
        for (int i = 0; i < parts.length; i += 2) {
            request.multiPart(parts[i], parts[i + 1]);
        }
        return request.post("/api/datasets/{name}/versions", name);
    }

    boolean stored(String sha256) throws Exception {
        return stores.current().exists(ContentAddress.of(sha256));
    }

    @Test
    void csvUploadRecognisedListedAndDownloadedAsUploaded() throws Exception {
        byte[] bytes = IRIS.getBytes(StandardCharsets.UTF_8);
        String sha = sha256(bytes);
        upload(name, file(bytes), "description", "iris hold-out", "tags", "{\"source\": \"uci\"}").then()
                .statusCode(201)
                .header("Location", endsWith("/api/datasets/" + name + "/versions/1"))
                .body("name", equalTo(name)).body("version", equalTo(1)).body("format", equalTo("csv"))
                .body("sha256", equalTo(sha)).body("size_bytes", equalTo(bytes.length))
                .body("row_count", equalTo(3)).body("malformed_rows", equalTo(0)).body("problems", hasSize(0))
                .body("columns", equalTo(List.of("sepal_length", "sepal_width", "species")))
                .body("description", equalTo("iris hold-out")).body("tags.source", equalTo("uci"));
        assertTrue(stored(sha), "the bytes are in the configured store");

        given().get("/api/datasets").then().statusCode(200).body("name", hasItem(name));
        given().get("/api/datasets/{name}/versions", name).then().statusCode(200)
                .body("version", equalTo(List.of(1))).body("[0].row_count", equalTo(3));
        given().get("/api/datasets/{name}/versions/1", name).then().statusCode(200).body("sha256", equalTo(sha));

        byte[] downloaded = given().get("/api/datasets/{name}/versions/1/data", name).then().statusCode(200)
                .header("ETag", "\"" + sha + "\"").contentType(containsString("text/csv"))
                .header("Content-Disposition", containsString(name + "-v1.csv")).extract().asByteArray();
        assertArrayEquals(bytes, downloaded);
        given().header("If-None-Match", "\"" + sha + "\"").get("/api/datasets/{name}/versions/1/data", name)
                .then().statusCode(304);
        byte[] tail = given().header("Range", "bytes=10-").get("/api/datasets/{name}/versions/1/data", name)
                .then().statusCode(206).header("Content-Range", "bytes 10-" + (bytes.length - 1) + "/" + bytes.length)
                .extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 10, bytes.length), tail);
    }

    @Test
    void jsonLinesWithMalformedRowsCountedAndTheFirstProblemsKept() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            jsonl.append(i % 3 == 0 ? "[" + i + "]" : "{\"x\": " + i + ", \"label\": \"c" + (i % 2) + "\"}").append('\n');
        }
        upload(name, file(jsonl.toString())).then().statusCode(201)
                .body("format", equalTo("jsonl")).body("columns", equalTo(List.of("x", "label")))
                .body("row_count", equalTo(30)).body("malformed_rows", equalTo(10))
                .body("problems", hasSize(DatasetRules.MAX_PROBLEMS))
                .body("problems[0].row", equalTo(3))
                .body("problems[0].problem", containsString("line 3: a JSON array, not an object"));
        upload(name, file("{\"x\": 1}\n"), "format", "jsonl").then().statusCode(201).body("version", equalTo(2));
        given().get("/api/datasets/{name}/versions/2/data", name).then().statusCode(200)
                .contentType(containsString("application/jsonl"));
    }

    @Test
    void theCatalogStreamsTheRowsEvaluationsRead() throws Exception {
        upload(name, file(IRIS), "format", "csv").then().statusCode(201);
        DatasetVersion version = catalog.version(name, 1);
        assertEquals(3, version.rowCount());
        assertEquals(count(dataSource, "SELECT v.id FROM dataset_version v JOIN dataset d ON d.id = v.dataset_id "
                + "WHERE d.name = ? AND v.version = 1", name), catalog.versionId(name, 1));
        List<DatasetRow> rows = new ArrayList<>();
        try (DatasetRows stream = catalog.openRows(name, 1)) {
            stream.forEachRemaining(rows::add);
        }
        assertEquals(3, rows.size());
        assertEquals(Map.of("sepal_length", "7,7", "sepal_width", "3.0", "species", "virginica"), rows.get(2).values());
        TurnoutException absent = assertThrows(TurnoutException.class, () -> catalog.version(name, 2));
        assertEquals(404, absent.code().httpStatus());
        assertThrows(TurnoutException.class, () -> catalog.openRows(name + "-none", 1));
    }

    @Test
    void refusalsLeaveNothingBehind() throws Exception {
        refused(upload("Not-Lower", file(IRIS)).then(), 400).body("error", containsString("invalid dataset name"));
        refused(upload(name, file("")).then(), 400).body("error", containsString("empty"));
        refused(upload(name, file("a,b\n")).then(), 400).body("error", containsString("no data rows"));
        refused(upload(name, file(",a\n1,2\n")).then(), 400).body("error", containsString("has no name"));
        refused(upload(name, file("a\"b,c\n1,2\n")).then(), 400).body("error", containsString("header row does not"));
        refused(upload(name, file(new byte[]{'P', 'K', 3, 4, 0, 0, 1})).then(), 400)
                .body("error", containsString("neither CSV nor JSON Lines"));
        refused(upload(name, file("[{\"a\": 1}]")).then(), 400).body("error", containsString("a JSON array"));
        refused(upload(name, file("{\"a\": 1\n{oops}\n")).then(), 400).body("error", containsString("none of the 2"));
        refused(upload(name, file("a,b\n1\n2,3,4\n")).then(), 400).body("error", containsString("none of the 2 rows"));
        refused(upload(name, file(IRIS), "format", "parquet").then(), 400).body("error", containsString("csv, jsonl"));
        refused(upload(name, file(IRIS), "tags", "{\"a\": 1}").then(), 400).body("error", containsString("tags"));
        refused(upload(name, file("a\n" + "1\n".repeat(150_000))).then(), 413)
                .body("error", containsString("turnout.datasets.max-upload-size"));
        refused(given().multiPart("format", "csv").post("/api/datasets/{name}/versions", name).then(), 400)
                .body("error", containsString("'data'"));
        refused(given().contentType("application/json").body("{}").post("/api/datasets/{name}/versions", name).then(),
                415);
    }

    ValidatableResponse refused(ValidatableResponse response, int status) throws Exception {
        long artifacts = count(dataSource, "SELECT count(*) FROM artifact");
        response.statusCode(status).contentType("application/json");
        assertEquals(0, count(dataSource, "SELECT count(*) FROM dataset WHERE name = ?", name));
        assertEquals(artifacts, count(dataSource, "SELECT count(*) FROM artifact"));
        assertEquals(List.of(), awaitNoSpooledUploads(), "no spooled upload may remain");
        return response;
    }

    @Test
    void aRefusalWritesNoBlob() throws Exception {
        // bytes no upload ever stored: after the refusal they are in no store
        String content = "a,b\n" + name + "\n";
        refused(upload(name, file(content)).then(), 400);
        assertFalse(stored(sha256(content.getBytes(StandardCharsets.UTF_8))));
        assertFalse(PostgresBlobRows.exists(dataSource,
                ContentAddress.of(sha256(content.getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void deleteFreesTheBytesOnceNoVersionSharesThemAndNumbersAreNotReused() throws Exception {
        String content = "id,label\n1," + name + "\n";
        String sha = sha256(content.getBytes(StandardCharsets.UTF_8));
        upload(name, file(content)).then().statusCode(201).body("version", equalTo(1));
        upload(name, file(content)).then().statusCode(201).body("version", equalTo(2)).body("sha256", equalTo(sha));
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", sha), "bytes shared");

        given().delete("/api/datasets/{name}/versions/1", name).then().statusCode(204);
        given().get("/api/datasets/{name}/versions/1", name).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        assertTrue(stored(sha), "version 2 still uses the bytes");
        given().get("/api/datasets/{name}/versions/2/data", name).then().statusCode(200);

        given().delete("/api/datasets/{name}/versions/2", name).then().statusCode(204);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", sha));
        for (long deadline = System.nanoTime() + 10_000_000_000L; stored(sha) && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
        }
        assertFalse(stored(sha), "the bytes are gone once no version uses them");
        given().get("/api/datasets/{name}/versions", name).then().statusCode(200).body("$", hasSize(0));
        given().get("/api/datasets").then().statusCode(200); // the dataset stays, with no versions
        upload(name, file(content)).then().statusCode(201).body("version", equalTo(3));
        given().delete("/api/datasets/{name}/versions/9", name).then().statusCode(404);
        given().delete("/api/datasets/{name}-none/versions/1", name).then().statusCode(404)
                .body("error", containsString("no dataset named"));
    }

    @Test
    void aWrongMethodOnADatasetPathIsA405NamingTheMethodsItTakes() throws Exception {
        upload(name, file("id,label\n1,a\n")).then().statusCode(201);
        String[][] cases = { // method, path, the methods the path takes
                {"DELETE", "/api/datasets", "GET"},
                {"PUT", "/api/datasets/" + name + "/versions", "GET POST"},
                {"PATCH", "/api/datasets/" + name + "/versions/1", "GET DELETE"},
                {"POST", "/api/datasets/" + name + "/versions/1/data", "GET"}};
        for (String[] c : cases) {
            try {
                ValidatableResponse answer = given().request(c[0], c[1]).then().statusCode(405)
                        .contentType("application/json").body("code", equalTo("METHOD_NOT_ALLOWED"))
                        .header("Allow", not(containsString(c[0])));
                for (String method : c[2].split(" ")) {
                    answer.header("Allow", containsString(method));
                }
            } catch (AssertionError e) {
                throw new AssertionError(c[0] + " " + c[1] + ": " + e.getMessage(), e);
            }
        }
        // no resource lives at /api/datasets/{name}: a dataset goes with its last version, deleted one by one
        given().delete("/api/datasets/{name}", name).then().statusCode(404).contentType("application/json")
                .body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void deleteIsRefusedWhileARowReferencesTheVersion() throws Exception {
        upload(name, file(IRIS)).then().statusCode(201);
        long id = catalog.versionId(name, 1);
        // stands for the evaluation table: a foreign key with ON DELETE RESTRICT, found by the catalog's keys
        String table = "uses_" + name.replace('-', '_');
        execute(dataSource, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, dataset_version_id BIGINT "
                + "REFERENCES dataset_version (id) ON DELETE RESTRICT)");
        try {
            execute(dataSource, "INSERT INTO " + table + " VALUES (41, ?), (7, ?)", id, id);
            given().delete("/api/datasets/{name}/versions/1", name).then().statusCode(409)
                    .body("code", equalTo("CONFLICT"))
                    .body("error", containsString("2 " + table + " (id 7, 41)"));
            given().get("/api/datasets/{name}/versions/1", name).then().statusCode(200);
            execute(dataSource, "DELETE FROM " + table);
            given().delete("/api/datasets/{name}/versions/1", name).then().statusCode(204);
        } finally {
            execute(dataSource, "DROP TABLE " + table);
        }
    }

    @Test
    void theSweepKeepsDatasetBlobs() throws Exception {
        String content = "k\n" + name + "\n";
        String sha = sha256(content.getBytes(StandardCharsets.UTF_8));
        upload(name, file(content)).then().statusCode(201);
        collector.sweep(Duration.ZERO);
        assertTrue(stored(sha), "a dataset's bytes are referenced");
        assertEquals(content, given().get("/api/datasets/{name}/versions/1/data", name).then().statusCode(200)
                .extract().asString());
    }

    @Test
    void racingUploadsGetDistinctNumbers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> uploads = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                File data = file("n\n" + i + "\n");
                uploads.add(pool.submit((Callable<Integer>) () -> upload(name, data).then().statusCode(201)
                        .extract().path("version")));
            }
            TreeSet<Integer> numbers = new TreeSet<>();
            for (Future<Integer> upload : uploads) {
                numbers.add(upload.get());
            }
            assertEquals(new TreeSet<>(List.of(1, 2, 3, 4, 5, 6)), numbers);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listsPageAndRefuseUnknownParameters() throws Exception {
        for (int i = 0; i < 3; i++) {
            upload(name, file(IRIS)).then().statusCode(201);
        }
        String cursor = given().get("/api/datasets/{name}/versions?limit=2", name).then().statusCode(200)
                .body("version", equalTo(List.of(1, 2))).extract().header("Next-Cursor");
        given().get("/api/datasets/{name}/versions?limit=2&cursor=" + cursor, name).then().statusCode(200)
                .body("version", equalTo(List.of(3))).header("Next-Cursor", nullValue());
        given().get("/api/datasets?limit=1").then().statusCode(200).body("$", hasSize(1))
                .header("Link", containsString("rel=\"next\""));
        given().get("/api/datasets?tag=a").then().statusCode(400).body("error", containsString("'tag'"));
        given().get("/api/datasets/{name}/versions?cursor=bad", name).then().statusCode(400);
        given().get("/api/datasets/{name}/versions/1/data?x=1", name).then().statusCode(400);
        given().get("/api/datasets/none-{name}/versions", name).then().statusCode(404);
        given().get("/api/datasets/{name}/versions/0", name).then().statusCode(400);
    }

    @Test
    void theStoreHasNoBlobOfARefusedUpload() throws Exception {
        List<String> before = stores.current().keysWrittenBefore(Instant.now().plusSeconds(3600));
        refused(upload(name, file("x\n\"" + name + "\n")).then(), 400);
        assertEquals(new TreeSet<>(before), new TreeSet<>(stores.current().keysWrittenBefore(
                Instant.now().plusSeconds(3600))));
    }
}
