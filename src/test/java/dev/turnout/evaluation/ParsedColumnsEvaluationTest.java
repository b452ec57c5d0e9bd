package dev.turnout.evaluation;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static dev.turnout.evaluation.Evaluations.classification;
import static dev.turnout.evaluation.Evaluations.evaluate;
import static dev.turnout.evaluation.Evaluations.fixture;
import static dev.turnout.evaluation.Evaluations.uploadVersion;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CSV's numeric columns parsed once at upload: an evaluation reads them instead of the text when every column it
 * needs is exact in its input's type and every label is accepted, and gets the very figures the text gives; otherwise
 * it reads the text, as before.
 */
@QuarkusTest
class ParsedColumnsEvaluationTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCsvIsEvaluatedFromItsParsedColumnsWithTheFiguresItsTextGives() throws IOException {
        List<String[]> rows = goldenRows();
        String model = Fixtures.uniqueName("eval");
        int weak = uploadVersion(model, "classifier-weak.onnx");
        int strong = uploadVersion(model, "classifier-strong.onnx");
        String csv = Fixtures.uniqueName("golden");
        int cv = upload(csv, "golden.csv", csvOf(rows));
        String jsonl = Fixtures.uniqueName("golden");
        int jv = upload(jsonl, "golden.jsonl", jsonLinesOf(rows)); // JSON Lines is always read as text

        JsonPath fromParsed = evaluate(model, strong, classification(csv, cv, Integer.toString(weak)));
        JsonPath fromText = evaluate(model, strong, classification(jsonl, jv, Integer.toString(weak)));

        assertEquals("DONE", fromParsed.getString("state"), fromParsed.prettify());
        assertEquals("parsed_columns", fromParsed.getString("results.rows_read_from"));
        assertEquals("text", fromText.getString("results.rows_read_from"));
        assertEquals(240, fromParsed.getLong("progress.rows_done"));
        assertEquals(figures(fromText), figures(fromParsed));
    }

    @Test
    void aLabelTheModelDoesNotKnowIsReadFromTheTextAndRefusedWithItsReason() throws IOException {
        List<String[]> rows = goldenRows();
        rows.get(7)[4] = "3"; // the classifier scores classes 0..2
        String model = Fixtures.uniqueName("eval");
        int strong = uploadVersion(model, "classifier-strong.onnx");
        String csv = Fixtures.uniqueName("golden");
        int cv = upload(csv, "golden.csv", csvOf(rows));

        JsonPath evaluation = evaluate(model, strong, classification(csv, cv, null));

        assertEquals("DONE", evaluation.getString("state"), evaluation.prettify());
        assertEquals("text", evaluation.getString("results.rows_read_from"));
        assertEquals(1, evaluation.getLong("results.rows_refused"));
        assertTrue(evaluation.getList("results.refusals").toString().contains("the label 3 is not one of the model's "
                + "classes 0..2"), evaluation.prettify());
    }

    @Test
    void aValueWhoseDoubleRoundsToAnotherFloatIsReadFromTheTextWithTheSameFigures() throws IOException {
        List<String[]> rows = goldenRows();
        rows.get(3)[0] = "1.000000059604644775390625000001"; // its double rounds to another float than its FP32 parse
        String model = Fixtures.uniqueName("eval");
        int strong = uploadVersion(model, "classifier-strong.onnx");
        String csv = Fixtures.uniqueName("golden");
        int cv = upload(csv, "golden.csv", csvOf(rows));
        String jsonl = Fixtures.uniqueName("golden");
        int jv = upload(jsonl, "golden.jsonl", jsonLinesOf(rows));

        JsonPath fromCsv = evaluate(model, strong, classification(csv, cv, null));
        JsonPath fromJsonLines = evaluate(model, strong, classification(jsonl, jv, null));

        assertEquals("text", fromCsv.getString("results.rows_read_from"));
        assertEquals(figures(fromJsonLines), figures(fromCsv));
    }

    @Test
    void deletingTheVersionDeletesItsParsedColumns() throws Exception {
        List<String[]> rows = goldenRows();
        rows.get(0)[0] = Long.toString(System.nanoTime()); // bytes no other test uploads, so none shares its parsed file
        String csv = Fixtures.uniqueName("golden");
        int cv = upload(csv, "golden.csv", csvOf(rows));
        String parsed = parsedSha256(csv, cv);
        assertNotNull(parsed, "a CSV of numbers has its columns parsed");
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", parsed));

        given().delete("/api/datasets/{name}/versions/{v}", csv, cv).then().statusCode(204);

        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", parsed));
    }

    @Test
    void aParsedFileTwoVersionsShareIsKeptUntilTheLastOfThemIsDeleted() throws Exception {
        List<String[]> rows = goldenRows();
        rows.get(0)[0] = Long.toString(System.nanoTime()); // bytes no other test uploads
        String csv = csvOf(rows);
        // the same numbers beside another text column: another CSV, the very same parsed file
        StringBuilder noted = new StringBuilder();
        csv.lines().forEach(line -> noted.append(line).append(noted.isEmpty() ? ",note\n" : ",x\n"));
        String first = Fixtures.uniqueName("golden");
        int fv = upload(first, "golden.csv", csv);
        String second = Fixtures.uniqueName("golden");
        int sv = upload(second, "golden.csv", noted.toString());
        String parsed = parsedSha256(first, fv);
        assertNotNull(parsed);
        assertEquals(parsed, parsedSha256(second, sv));
        assertEquals(List.of(), awaitNoSpooledUploads(), "no parsed file may remain in the spool");

        given().delete("/api/datasets/{name}/versions/{v}", first, fv).then().statusCode(204);
        assertEquals(1, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", parsed),
                "still the second version's");

        given().delete("/api/datasets/{name}/versions/{v}", second, sv).then().statusCode(204);
        assertEquals(0, count(dataSource, "SELECT count(*) FROM artifact WHERE sha256 = ?", parsed));
    }

    /** The results without what differs between two passes over the same rows: timings, and where rows came from. */
    private static Map<String, Object> figures(JsonPath evaluation) {
        Map<String, Object> results = new HashMap<>(evaluation.getMap("results"));
        results.remove("latency_ms");
        results.remove("rows_read_from");
        Map<String, Object> compared = evaluation.getMap("results.compared");
        if (compared != null) {
            compared = new HashMap<>(compared);
            compared.remove("latency_ms");
            results.put("compared", compared);
        }
        return results;
    }

    private String parsedSha256(String dataset, int version) throws Exception {
        try (var connection = dataSource.getConnection();
             var select = connection.prepareStatement("SELECT v.parsed_sha256 FROM dataset_version v JOIN dataset d "
                     + "ON d.id = v.dataset_id WHERE d.name = ? AND v.version = ?")) {
            select.setString(1, dataset);
            select.setInt(2, version);
            try (var result = select.executeQuery()) {
                assertTrue(result.next());
                return result.getString(1);
            }
        }
    }

    private static List<String[]> goldenRows() throws IOException {
        List<String> lines = Files.readAllLines(fixture("golden.csv").toPath());
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split(","));
        }
        return rows;
    }

    private static String csvOf(List<String[]> rows) {
        StringBuilder text = new StringBuilder("f1,f2,f3,f4,species\n");
        rows.forEach(row -> text.append(String.join(",", row)).append('\n'));
        return text.toString();
    }

    private static String jsonLinesOf(List<String[]> rows) {
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            text.append("{\"f1\": ").append(row[0]).append(", \"f2\": ").append(row[1]).append(", \"f3\": ")
                    .append(row[2]).append(", \"f4\": ").append(row[3]).append(", \"species\": ").append(row[4])
                    .append("}\n");
        }
        return text.toString();
    }

    private static int upload(String dataset, String fileName, String content) throws IOException {
        Path dir = Files.createTempDirectory("parsed-columns");
        File file = Files.writeString(dir.resolve(fileName), content).toFile();
        return given().multiPart("data", file).post("/api/datasets/{name}/versions", dataset)
                .then().statusCode(201).extract().path("version");
    }
}
