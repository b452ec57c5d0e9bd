package dev.turnout.delivery;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.turnout.delivery.DeliveryApiTest.act;
import static dev.turnout.delivery.DeliveryApiTest.modelWith;
import static dev.turnout.delivery.DeliveryApiTest.start;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

/**
 * The rollout API against what a careless or hostile client sends: wrong types, out-of-range and non-finite numbers,
 * durations that are not durations, fields of the other strategy, ambiguous JSON, other spellings of the paths, and
 * actions with no rollout to act on. Every refusal is a 4xx JSON body naming what was wrong, and none changes anything.
 */
@QuarkusTest
class RolloutRefusalsTest {

    static final String CANARY = "\"strategy\": \"canary\", \"steps\": [5], \"step_duration\": \"1m\"";
    static final String SHADOW = "\"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": \"10m\"";

    /** A 400 INVALID_ARGUMENT whose message contains {@code fragment}. */
    private static void invalid(ValidatableResponse response, String body, String fragment) {
        response.statusCode(400).contentType("application/json").body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString(fragment));
    }

    private static void refused(String name, String body, String fragment) {
        try {
            invalid(start(name, body), body, fragment);
        } catch (AssertionError e) {
            throw new AssertionError("body " + body + ": " + e.getMessage(), e);
        }
    }

    /** Nothing was started or recorded: the model's history holds the one flip that activated version 1. */
    private static void nothingChanged(String name) {
        given().get("/api/models/{name}/rollouts", name).then().statusCode(200).body("", hasSize(0));
        given().get("/api/models/{name}/activations", name).then().statusCode(200).body("", hasSize(1))
                .body("[0].kind", equalTo("activate"));
        given().get("/api/events?limit=1000").then().statusCode(200)
                .body("findAll { it.model == '" + name + "' }.type", not(org.hamcrest.Matchers.hasItem(
                        containsString("rollout."))));
    }

    @Test
    void wrongTypesAndOutOfRangeNumbersAreRefused() {
        String name = modelWith("linear-v2.onnx");
        String[][] cases = {
                // version
                {"{\"version\": -1, " + CANARY + "}", "'version'"},
                {"{\"version\": 2.5, " + CANARY + "}", "'version'"},
                {"{\"version\": 25e-1, " + CANARY + "}", "whole number"},
                {"{\"version\": \"2\", " + CANARY + "}", "'version'"},
                {"{\"version\": true, " + CANARY + "}", "'version'"},
                {"{\"version\": null, " + CANARY + "}", "'version'"},
                {"{\"version\": 99999999999, " + CANARY + "}", "'version'"},
                {"{\"version\": 1e400, " + CANARY + "}", "'version'"},
                {"{\"version\": [2], " + CANARY + "}", "'version'"},
                // strategy
                {"{\"version\": 2, \"strategy\": \"CANARY\", \"steps\": [5], \"step_duration\": \"1m\"}", "'strategy'"},
                {"{\"version\": 2, \"strategy\": \"\", \"steps\": [5], \"step_duration\": \"1m\"}", "'strategy'"},
                {"{\"version\": 2, \"strategy\": 1, \"steps\": [5], \"step_duration\": \"1m\"}", "'strategy'"},
                {"{\"version\": 2, \"strategy\": \"linear\", \"steps\": [5], \"step_duration\": \"1m\"}", "'strategy'"},
                // steps
                {"{\"version\": 2, \"steps\": [-5], \"step_duration\": \"1m\"}", "from 1 to 99"},
                {"{\"version\": 2, \"steps\": [5, null], \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": [5.5], \"step_duration\": \"1m\"}", "whole percentages"},
                {"{\"version\": 2, \"steps\": [1e9], \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": [99999999999], \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": [[5]], \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": {\"first\": 5}, \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": null, \"step_duration\": \"1m\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": [\"5\"], \"step_duration\": \"1m\"}", "'steps'"},
                // analysis
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_error_rate\": \"0.01\"}}", "max_error_rate"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_error_rate\": true}}", "max_error_rate"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_error_rate\": 1e400}}", "max_error_rate"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_p99_ratio\": -1}}", "max_p99_ratio"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_p99_ratio\": 1001}}", "max_p99_ratio"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_p99_ratio\": 1e400}}", "max_p99_ratio"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_p99_ratio\": \"2\"}}", "max_p99_ratio"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"min_requests\": -1}}", "min_requests"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"min_requests\": 1000000001}}", "min_requests"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"min_requests\": 99999999999999999999}}", "min_requests"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"min_requests\": \"100\"}}", "min_requests"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"min_requests\": 100.5}}", "min_requests"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": \"strict\"}", "'analysis'"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": 5}", "'analysis'"},
                {"{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_errors\": 1}}", "unknown field 'analysis.max_errors'"},
                // reason, require, force
                {"{\"version\": 2, " + CANARY + ", \"reason\": 5}", "'reason'"},
                {"{\"version\": 2, " + CANARY + ", \"reason\": [\"a\"]}", "'reason'"},
                {"{\"version\": 2, " + CANARY + ", \"reason\": \"" + "r".repeat(1001) + "\"}", "at most 1000"},
                {"{\"version\": 2, " + CANARY + ", \"reason\": \"a\\u0000b\"}", "'reason' holds the character U+0000"},
                {"{\"version\": 2, " + CANARY + ", \"reason\": \"a\\ud800b\"}", "'reason' holds an unpaired surrogate"},
                {"{\"version\": 2, " + CANARY + ", \"require\": \"rmse <= 0.2\"}", "'require'"},
                {"{\"version\": 2, " + CANARY + ", \"require\": [1]}", "'require'"},
                {"{\"version\": 2, " + CANARY + ", \"require\": " + thirtyThreeGuards() + "}", "at most 32"},
                {"{\"version\": 2, " + CANARY + ", \"force\": \"true\"}", "'force'"},
                {"{\"version\": 2, " + CANARY + ", \"force\": 1}", "'force'"},
                // unknown fields: spelt otherwise, or not ours
                {"{\"version\": 2, " + CANARY + ", \"Version\": 3}", "unknown field 'Version'"},
                {"{\"version\": 2, " + CANARY + ", \"weight\": 100}", "unknown field 'weight'"},
                {"{\"version\": 2, " + CANARY + ", \"step_durations\": \"1m\"}", "unknown field 'step_durations'"}};
        for (String[] refusal : cases) {
            refused(name, refusal[0], refusal[1]);
        }
        nothingChanged(name);
    }

    private static String thirtyThreeGuards() {
        return "[" + String.join(", ", java.util.Collections.nCopies(33, "\"rmse <= 0.2\"")) + "]";
    }

    @Test
    void durationsAreOnlyTheDocumentedForms() {
        String name = modelWith("linear-v2.onnx");
        for (String duration : List.of("1e9h", "-2m", "", " 2m", "2m ", "2M", "1.5m", "2 m", "1d", "PT2M", "2",
                "m", "0ms", "0h", "25h", "1441m", "999999999h", "9999999999s", "\u0663m", "2m2m")) {
            String quoted = "\"" + duration + "\"";
            refused(name, "{\"version\": 2, \"steps\": [5], \"step_duration\": " + quoted + "}",
                    "'step_duration' must be a duration such as");
            refused(name, "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": " + quoted + "}",
                    "'duration' must be a duration such as");
        }
        for (String notText : List.of("120", "120000", "-1", "null", "true", "[\"2m\"]", "{\"m\": 2}")) {
            refused(name, "{\"version\": 2, \"steps\": [5], \"step_duration\": " + notText + "}", "'step_duration'");
        }
        nothingChanged(name);
    }

    @Test
    void eachStrategyRefusesTheOthersFieldsAndSampleStaysInItsRange() {
        String name = modelWith("linear-v2.onnx");
        refused(name, "{\"version\": 2, " + CANARY + ", \"sample\": 0.5}", "'sample' does not apply");
        refused(name, "{\"version\": 2, " + CANARY + ", \"duration\": \"10m\"}", "'duration' does not apply");
        refused(name, "{\"version\": 2, \"steps\": [5], \"step_duration\": \"1m\", \"sample\": null}",
                "'sample' does not apply");
        refused(name, "{\"version\": 2, " + SHADOW + ", \"steps\": [5]}", "'steps' does not apply");
        refused(name, "{\"version\": 2, " + SHADOW + ", \"step_duration\": \"1m\"}", "'step_duration' does not apply");
        refused(name, "{\"version\": 2, " + SHADOW + ", \"analysis\": {\"max_p99_ratio\": 2}}",
                "unknown field 'analysis.max_p99_ratio' for a shadow");
        refused(name, "{\"version\": 2, " + CANARY + ", \"analysis\": {\"max_disagreement\": 0.1}}",
                "unknown field 'analysis.max_disagreement' for a canary");
        for (String sample : List.of("0", "0.0", "-0.1", "1.0000001", "2", "1e400", "-1e400", "\"0.5\"", "null",
                "true", "[0.5]")) {
            refused(name, "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": " + sample + ", \"duration\": "
                    + "\"10m\"}", "'sample' must be a number in (0, 1]");
        }
        refused(name, "{\"version\": 2, \"strategy\": \"shadow\", \"duration\": \"10m\"}", "'sample'");
        for (String disagreement : List.of("-0.01", "1.01", "1e400", "\"0.1\"")) {
            refused(name, "{\"version\": 2, " + SHADOW + ", \"analysis\": {\"max_disagreement\": " + disagreement
                    + "}}", "'analysis.max_disagreement' must be a number from 0 to 1");
        }
        nothingChanged(name);
    }

    @Test
    void bodiesThatAreNotOneJsonObjectAreRefused() {
        String name = modelWith("linear-v2.onnx");
        String ok = "{\"version\": 2, " + CANARY + "}";
        refused(name, "", "JSON object");
        refused(name, "   ", "JSON object");
        refused(name, "null", "JSON object");
        refused(name, "[]", "JSON object");
        refused(name, "\"canary\"", "JSON object");
        refused(name, "2", "JSON object");
        refused(name, "{\"version\": 2,", "not valid JSON");
        refused(name, "{\"version\": NaN, " + CANARY + "}", "not valid JSON");
        refused(name, "{\"version\": 2, " + CANARY + ", }", "not valid JSON");
        refused(name, "{'version': 2}", "not valid JSON");
        refused(name, "[".repeat(5000) + "]".repeat(5000), "not valid JSON");
        refused(name, "{\"version\": 1" + "0".repeat(2000) + ", " + CANARY + "}", "not valid JSON");
        // ambiguous: which version is meant? A second object after the first?
        refused(name, "{\"version\": 2, \"version\": 3, " + CANARY + "}", "not valid JSON");
        refused(name, ok + " {\"force\": true}", "not valid JSON");
        refused(name, ok + " trailing", "not valid JSON");
        given().contentType("text/plain").body(ok).post("/api/models/{name}/rollouts", name).then()
                .statusCode(415).contentType("application/json").body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("error", not(emptyOrNullString()));
        nothingChanged(name);
    }

    @Test
    void actionsWithNoRolloutInProgressAreConflicts() {
        String name = modelWith("linear-v2.onnx");
        for (String action : List.of("promote", "abort", "pause", "resume")) {
            act(name, action).statusCode(409).contentType("application/json").body("code", equalTo("CONFLICT"))
                    .body("error", containsString("has no rollout in progress"));
            act("no-such-model-" + action, action).statusCode(404).body("code", equalTo("NOT_FOUND"))
                    .body("error", containsString("no-such-model-" + action));
        }
        given().get("/api/models/{name}/rollouts/current", name).then().statusCode(404)
                .body("code", equalTo("NOT_FOUND")).body("error", containsString("has had no rollout"));
        given().get("/api/models/no-such-model/rollouts").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        nothingChanged(name);

        // with one running: a refused action body changes nothing
        start(name, "{\"version\": 2, " + CANARY + "}").statusCode(201);
        for (String action : List.of("promote", "abort", "pause", "resume")) {
            for (String[] body : new String[][] {
                    {"{\"reason\": 5}", "'reason'"},
                    {"{\"reason\": \"ok\", \"force\": true}", "unknown field 'force'"},
                    {"[\"reason\"]", "JSON object"},
                    {"null", "JSON object"},
                    {"{\"reason\": \"" + "r".repeat(1001) + "\"}", "at most 1000"},
                    {"{\"reason\": \"a\\u0000b\"}", "'reason' holds the character U+0000"},
                    {"{\"reason\": \"a\\ud800b\"}", "'reason' holds an unpaired surrogate"},
                    {"{\"reason\": \"a\", \"reason\": \"b\"}", "not valid JSON"},
                    {"{\"reason\": \"a\"} {\"reason\": \"b\"}", "not valid JSON"},
                    {"{\"reason\": ", "not valid JSON"}}) {
                invalid(given().contentType("application/json").body(body[0])
                        .post("/api/models/{name}/rollouts/current/{action}", name, action).then(), body[0], body[1]);
            }
        }
        given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200)
                .body("state", equalTo("RUNNING"));
        act(name, "resume").statusCode(409).body("error", containsString("is not paused"));
        act(name, "pause").statusCode(200);
        act(name, "pause").statusCode(409).body("error", containsString("paused already"));
        start(name, "{\"version\": 2, " + CANARY + "}").statusCode(409).body("code", equalTo("CONFLICT"))
                .body("error", containsString("rollout in progress (version 2, PAUSED)"));
        act(name, "abort").statusCode(200).body("state", equalTo("ABORTED"));
        for (String action : List.of("promote", "abort", "pause", "resume")) {
            act(name, action).statusCode(409).body("error", containsString("has no rollout in progress"));
        }
        given().get("/api/models/{name}", name).then().body("active_version", equalTo(1));
    }

    @Test
    void theCandidateOfARolloutInProgressCannotBeDeleted() {
        String name = modelWith("linear-v2.onnx", "linear-v2.onnx");
        start(name, "{\"version\": 2, " + CANARY + "}").statusCode(201);
        // running, then paused: the candidate is still in use (replicas serve it at its weight, promotion flips to it)
        for (String state : List.of("RUNNING", "PAUSED")) {
            given().delete("/api/models/{name}/versions/2", name).then().statusCode(409).contentType("application/json")
                    .body("code", equalTo("CONFLICT"))
                    .body("error", containsString("version 2 of model '" + name + "' is the candidate of a rollout in "
                            + "progress"));
            given().get("/api/models/{name}/versions/2", name).then().statusCode(200);
            given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200)
                    .body("state", equalTo(state));
            act(name, "pause").statusCode(anyOf(equalTo(200), equalTo(409)));
        }
        // another version is not held by the rollout
        given().delete("/api/models/{name}/versions/3", name).then().statusCode(204);
        // once the rollout has ended, its candidate is an ordinary version again
        act(name, "abort").statusCode(200).body("state", equalTo("ABORTED"));
        given().delete("/api/models/{name}/versions/2", name).then().statusCode(204);
        given().get("/api/models/{name}/rollouts", name).then().statusCode(200).body("", hasSize(1))
                .body("[0].version", equalTo(2));
    }

    @Test
    void otherSpellingsOfThePathsAndMethods() {
        String name = modelWith("linear-v2.onnx");
        String ok = "{\"version\": 2, " + CANARY + "}";
        String base = "/api/models/" + name + "/rollouts";
        // unknown actions and sub-resources
        for (String path : List.of(base + "/current/restart", base + "/current/promote/now", base + "/1",
                base + "/current/PROMOTE", base + "/latest/abort")) {
            given().post(path).then().statusCode(404).contentType("application/json")
                    .body("code", equalTo("NOT_FOUND")).body("error", not(emptyOrNullString()));
        }
        // methods the endpoints do not take: 405, with the methods the path does take
        wrongMethod(given().get(base + "/current/promote"), "POST");
        wrongMethod(given().contentType("application/json").body(ok).put(base), "POST");
        wrongMethod(given().delete(base + "/current"), "GET");
        wrongMethod(given().contentType("application/json").body(ok).patch(base + "/current"), "GET");
        // query parameters nobody declared; limits out of range
        given().contentType("application/json").body(ok).post(base + "?dry_run=true").then().statusCode(400)
                .body("error", containsString("unknown query parameter 'dry_run'"));
        given().post(base + "/current/abort?force=true").then().statusCode(400)
                .body("error", containsString("unknown query parameter 'force'"));
        for (String limit : List.of("0", "-1", "1001", "abc", "1e3", "99999999999")) {
            given().get(base + "?limit=" + limit).then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'limit'"));
        }
        // model names that are not names
        for (String bad : List.of("Linear", "a%20b", "-x", "x".repeat(64))) {
            given().urlEncodingEnabled(false).contentType("application/json").body(ok)
                    .post("/api/models/" + bad + "/rollouts").then().statusCode(400)
                    .body("error", containsString("invalid model name"));
        }
        nothingChanged(name);
        // a trailing slash reaches the same endpoint, with the same checks
        given().contentType("application/json").body("{\"version\": 2, \"steps\": [0], \"step_duration\": \"1m\"}")
                .post(base + "/").then().statusCode(400).body("error", containsString("'steps'"));
        given().contentType("application/json").body(ok).post(base + "/").then().statusCode(201);
        given().post(base + "/current/pause/").then().statusCode(200).body("state", equalTo("PAUSED"));
        given().get(base + "/current/").then().statusCode(200).body("state", equalTo("PAUSED"));
        given().post(base + "/current/abort/").then().statusCode(200).body("state", equalTo("ABORTED"));
    }

    private static void wrongMethod(io.restassured.response.Response response, String allowed) {
        response.then().statusCode(405).contentType("application/json").body("error", not(emptyOrNullString()))
                .body("code", equalTo("METHOD_NOT_ALLOWED")).header("Allow", containsString(allowed));
    }

    @Test
    void aModelThatIsNotActiveOrAVersionThatIsNotThereIsRefused() {
        String name = modelWith("linear-v2.onnx");
        start(name, "{\"version\": 3, " + CANARY + "}").statusCode(404).body("code", equalTo("NOT_FOUND"))
                .body("error", containsString("3"));
        start(name, "{\"version\": 2147483647, " + CANARY + "}").statusCode(404).body("code", equalTo("NOT_FOUND"));
        start(name, "{\"version\": 1, " + SHADOW + "}").statusCode(409)
                .body("error", containsString("active version already"));
        String inactive = Fixtures.uniqueName("delivery");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", inactive)
                .then().statusCode(201);
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/{name}/versions", inactive)
                .then().statusCode(201);
        start(inactive, "{\"version\": 2, " + SHADOW + "}").statusCode(409)
                .body("error", containsString("no active version"));
        nothingChanged(name);
    }
}
