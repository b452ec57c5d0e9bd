package dev.turnout.ops;

import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus endpoint, on the management port, carries the serving and rollout series. */
@QuarkusTest
class MetricsTest {

    @Test
    void predictionsFlipsLoadsAndUploadsAreMeasured() {
        String name = Fixtures.uniqueName("metered");
        for (String fixture : List.of("linear-v1.onnx", "linear-v2.onnx")) {
            given().multiPart("artifact", Fixtures.model(fixture)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }
        Api.activate(name, 1);
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1, 1]", "[3.0]")).then().statusCode(200);
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP64", "[1, 1]", "[3.0]")).then().statusCode(400);
        Api.activate(name, 2);
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1, 1]", "[3.0]")).then().statusCode(200);

        String metrics = Api.management().get("/q/metrics").then().statusCode(200).extract().asString();
        String v1 = "model=\"" + name + "\",outcome=\"ok\",version=\"1\"";
        for (String series : List.of(
                "turnout_predictions_total{" + v1 + "} 1.0",
                "turnout_predictions_total{model=\"" + name + "\",outcome=\"invalid\",version=\"1\"} 1.0",
                "turnout_predictions_total{model=\"" + name + "\",outcome=\"ok\",version=\"2\"} 1.0",
                "turnout_prediction_duration_seconds_bucket{model=\"" + name + "\",version=\"2\",le=",
                "turnout_predictions_in_flight{model=\"" + name + "\",version=\"2\"} 0.0",
                "turnout_model_load_duration_seconds_count{model=\"" + name + "\",version=\"2\"} 1",
                "turnout_model_warmup_duration_seconds_count{model=\"" + name + "\",version=\"2\"} 1",
                "turnout_flips_total{kind=\"activate\",model=\"" + name + "\"} 2.0",
                "turnout_serving_version{model=\"" + name + "\"} 2.0",
                "turnout_upload_bytes_total{model=\"" + name + "\"}")) {
            assertTrue(metrics.contains(series), () -> "missing " + series);
        }
        // the public port carries only the API
        given().get("/q/metrics").then().statusCode(404);
    }

    /**
     * Alert rules on a series that does not exist yet never fire, and {@code increase()} misses a counter's first
     * step: every series of the README's table is there, at zero, as soon as a model is active on this replica.
     */
    @Test
    void everySeriesOfTheReadmeTableIsThereAtZeroOnceAModelIsActive() throws Exception {
        String name = Api.uploadAndActivate(Fixtures.uniqueName("zeroed"), Fixtures.model("linear-v1.onnx"));
        String metrics = Api.management().get("/q/metrics").then().statusCode(200).extract().asString();

        List<String> table = readmeSeries();
        assertFalse(table.isEmpty(), "no series found in the README's Metrics table");
        for (String series : table) {
            Pattern line = Pattern.compile("(?m)^" + Pattern.quote(series) + "(_count|_bucket)?\\{[^}]*model=\""
                    + Pattern.quote(name) + "\"");
            assertTrue(line.matcher(metrics).find(), () -> "missing " + series + " for " + name);
        }
        String version = "model=\"" + name + "\",version=\"1\"";
        for (String zero : List.of(
                "turnout_model_load_failures_total{" + version + "} 0.0",
                "turnout_predictions_total{model=\"" + name + "\",outcome=\"error\",version=\"1\"} 0.0",
                "turnout_flips_total{kind=\"rollback\",model=\"" + name + "\"} 0.0",
                "turnout_flips_total{kind=\"deactivate\",model=\"" + name + "\"} 0.0")) {
            assertTrue(metrics.contains(zero), () -> "missing " + zero);
        }
    }

    /** The series names of the README's "Metrics" table. */
    private static List<String> readmeSeries() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        // the first table: the series of every model; the rollout candidates' series come after it
        int start = readme.indexOf("## Metrics");
        String section = readme.substring(start, readme.indexOf("Every series with a `model` label", start));
        Matcher row = Pattern.compile("(?m)^\\| `(turnout_[a-z_]+)`").matcher(section);
        List<String> series = new ArrayList<>();
        while (row.find()) {
            series.add(row.group(1));
        }
        return series;
    }
}
