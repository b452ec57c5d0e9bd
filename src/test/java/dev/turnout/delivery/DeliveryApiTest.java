package dev.turnout.delivery;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/** Every endpoint of the rollout API over HTTP and PostgreSQL, and every refusal as a 4xx JSON body. */
@QuarkusTest
class DeliveryApiTest {

    static final String CANARY = "{\"version\": 2, \"strategy\": \"canary\", \"steps\": [5, 25, 50], "
            + "\"step_duration\": \"10m\", \"analysis\": {\"max_error_rate\": 0.01, \"max_p99_ratio\": 1.5, "
            + "\"min_requests\": 200}, \"reason\": \"try v2\"}";

    /** A model with linear-v1 active and the given fixtures as versions 2, 3, ... */
    static String modelWith(String... candidates) {
        String name = Fixtures.uniqueName("delivery");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        for (String fixture : candidates) {
            given().multiPart("artifact", Fixtures.model(fixture)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }
        given().contentType("application/json").body("{\"version\": 1}").put("/api/models/{name}/active", name)
                .then().statusCode(200);
        return name;
    }

    static ValidatableResponse start(String name, String body) {
        return given().contentType("application/json").body(body).post("/api/models/{name}/rollouts", name).then();
    }

    static ValidatableResponse act(String name, String action) {
        return given().post("/api/models/{name}/rollouts/current/{action}", name, action).then();
    }

    @Test
    void wholeNumbersWrittenAsFloatsAreTakenAsTheyAreElsewhere() {
        // the README's rule for integer fields (2, 2.0 and 2e0 are 2): steps and min_requests took only "2"
        String name = modelWith("linear-v2.onnx");
        start(name, "{\"version\": 2.0, \"steps\": [5.0, 2.5e1], \"step_duration\": \"10m\", "
                + "\"analysis\": {\"min_requests\": 2e2}}").statusCode(201)
                .body("steps", equalTo(java.util.List.of(5, 25))).body("analysis.min_requests", equalTo(200));
        act(name, "abort").statusCode(200);
        start(name, "{\"version\": 2, \"steps\": [5.5], \"step_duration\": \"10m\"}").statusCode(400)
                .body("error", containsString("whole percentages"));
        start(name, "{\"version\": 2, \"steps\": [5], \"step_duration\": \"10m\", "
                + "\"analysis\": {\"min_requests\": 20.5}}").statusCode(400)
                .body("error", containsString("'analysis.min_requests'"));
    }

    @Test
    void startShowPauseResumeAbortAndList() {
        String name = modelWith("linear-v2.onnx");
        start(name, CANARY).statusCode(201)
                .body("state", equalTo("RUNNING"))
                .body("strategy", equalTo("canary"))
                .body("version", equalTo(2))
                .body("active_version", equalTo(1))
                .body("step", equalTo(1))
                .body("weight", equalTo(5))
                .body("steps", equalTo(java.util.List.of(5, 25, 50)))
                .body("analysis.max_error_rate", equalTo(0.01f))
                .body("analysis.min_requests", equalTo(200))
                .body("figures.candidate.version", equalTo(2))
                .body("figures.active.requests", equalTo(0));
        given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200)
                .body("state", equalTo("RUNNING")).body("decisions", notNullValue());
        act(name, "pause").statusCode(200).body("state", equalTo("PAUSED")).body("weight", equalTo(5));
        act(name, "pause").statusCode(409).body("code", equalTo("CONFLICT"));
        act(name, "resume").statusCode(200).body("state", equalTo("RUNNING"));
        act(name, "resume").statusCode(409).body("code", equalTo("CONFLICT"));
        given().contentType("application/json").body("{\"reason\": \"changed my mind\"}")
                .post("/api/models/{name}/rollouts/current/abort", name).then().statusCode(200)
                .body("state", equalTo("ABORTED")).body("weight", equalTo(0))
                .body("outcome", containsString("changed my mind"));
        act(name, "abort").statusCode(409).body("error", containsString("no rollout in progress"));
        act(name, "promote").statusCode(409);
        given().get("/api/models/{name}/rollouts", name).then().statusCode(200)
                .body("", hasSize(1)).body("[0].state", equalTo("ABORTED"));
        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body("kind", hasItem("rollout_start")).body("kind", hasItem("rollout_pause"))
                .body("kind", hasItem("rollout_resume")).body("kind", hasItem("rollout_abort"))
                .body("[0].kind", equalTo("rollout_abort"));
        // a new rollout may start once the previous one ended
        start(name, CANARY).statusCode(201);
        act(name, "abort").statusCode(200);
    }

    @Test
    void manualPromoteFlipsToTheCandidate() {
        String name = modelWith("linear-v2.onnx");
        start(name, CANARY).statusCode(201);
        act(name, "promote").statusCode(200).body("state", equalTo("PROMOTED"));
        given().get("/api/models/{name}", name).then().statusCode(200).body("active_version", equalTo(2));
        given().get("/api/models/{name}/activations", name).then()
                .body("kind", hasItem("activate")).body("kind", hasItem("rollout_promote"));
    }

    @Test
    void aPlainFlipDuringARolloutEndsIt() throws Exception {
        String name = modelWith("linear-v2.onnx", "linear-v2.onnx");
        start(name, CANARY).statusCode(201);
        given().contentType("application/json").body("{\"version\": 3}").put("/api/models/{name}/active", name)
                .then().statusCode(200);
        awaitState(name, "ABORTED");
        given().get("/api/models/{name}/rollouts/current", name).then()
                .body("outcome", containsString("activated version 3"));
    }

    @Test
    void shadowIsAcceptedAndValidated() {
        String name = modelWith("linear-v2.onnx");
        start(name, "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": \"10m\", "
                + "\"analysis\": {\"max_disagreement\": 0.02}}").statusCode(201)
                .body("strategy", equalTo("shadow")).body("sample", equalTo(0.2f)).body("weight", equalTo(0));
        act(name, "abort").statusCode(200);
        for (String bad : new String[] {
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0, \"duration\": \"10m\"}",
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 1.5, \"duration\": \"10m\"}",
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2}",
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": \"10m\", \"steps\": [5]}",
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": \"10m\", "
                        + "\"analysis\": {\"max_disagreement\": 2}}",
                "{\"version\": 2, \"strategy\": \"shadow\", \"sample\": 0.2, \"duration\": \"10m\", "
                        + "\"analysis\": {\"max_p99_ratio\": 2}}"}) {
            start(name, bad).statusCode(400).body("code", equalTo("INVALID_ARGUMENT"));
        }
    }

    @Test
    void refusals() {
        String name = modelWith("linear-v2.onnx", "mlp.onnx");
        String ok = "\"strategy\": \"canary\", \"step_duration\": \"1m\"";
        String[][] invalid = {
                {"{\"version\": 2, " + ok + ", \"steps\": []}", "'steps'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [50, 25]}", "larger than the one before"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5, 5]}", "'steps'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [0, 5]}", "from 1 to 99"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5, 100]}", "from 1 to 99"},
                {"{\"version\": 2, " + ok + ", \"steps\": [1,2,3,4,5,6,7,8,9,10,11]}", "at most 10"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5.5]}", "'steps'"},
                {"{\"version\": 2, " + ok + ", \"steps\": \"5\"}", "'steps'"},
                {"{\"version\": 2, \"steps\": [5], \"step_duration\": \"2 minutes\"}", "'step_duration'"},
                {"{\"version\": 2, \"steps\": [5], \"step_duration\": \"0s\"}", "'step_duration'"},
                {"{\"version\": 2, \"steps\": [5], \"step_duration\": \"25h\"}", "'step_duration'"},
                {"{\"version\": 2, \"steps\": [5]}", "'step_duration'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"sample\": 0.5}", "'sample'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"max_error_rate\": -0.1}}", "max_error_rate"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"max_error_rate\": 1.5}}", "max_error_rate"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"max_p99_ratio\": 0.5}}", "max_p99_ratio"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"min_requests\": 0}}", "min_requests"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"min_requests\": 1.5}}", "min_requests"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": {\"max_disagreement\": 0.1}}", "unknown field 'analysis.max_disagreement'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"analysis\": [1]}", "'analysis'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"colour\": \"blue\"}", "unknown field 'colour'"},
                {"{\"version\": 0, " + ok + ", \"steps\": [5]}", "'version'"},
                {"{" + ok + ", \"steps\": [5]}", "'version'"},
                {"{\"version\": 2, \"strategy\": \"blue-green\", \"steps\": [5], \"step_duration\": \"1m\"}", "'strategy'"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"require\": [\"rmse <=\"]}", "metric requirement"},
                {"{\"version\": 2, " + ok + ", \"steps\": [5], \"force\": \"yes\"}", "'force'"},
                {"[1]", "JSON object"},
                {"not json", "not valid JSON"}};
        for (String[] refusal : invalid) {
            start(name, refusal[0]).statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString(refusal[1]));
        }
        start(name, "{\"version\": 9, " + ok + ", \"steps\": [5]}").statusCode(404).body("code", equalTo("NOT_FOUND"));
        start("no-such-model", "{\"version\": 2, " + ok + ", \"steps\": [5]}").statusCode(404);
        start(name, "{\"version\": 1, " + ok + ", \"steps\": [5]}").statusCode(409)
                .body("error", containsString("active version already"));
        start(name, "{\"version\": 3, " + ok + ", \"steps\": [5]}").statusCode(409)
                .body("error", containsString("not input-compatible"));
        start(name, "{\"version\": 2, " + ok + ", \"steps\": [5], \"require\": [\"rmse <= 0.2\"]}").statusCode(409)
                .body("error", containsString("has no metric 'rmse'"));
        start(name, "{\"version\": 2, " + ok + ", \"steps\": [5]}").statusCode(201);
        start(name, "{\"version\": 2, " + ok + ", \"steps\": [5]}").statusCode(409)
                .body("error", containsString("rollout in progress"));
        act(name, "abort").statusCode(200);
        String unactivated = Fixtures.uniqueName("delivery");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", unactivated)
                .then().statusCode(201);
        start(unactivated, "{\"version\": 1, " + ok + ", \"steps\": [5]}").statusCode(409)
                .body("error", containsString("no active version"));
        given().get("/api/models/{name}/rollouts/current", unactivated).then().statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        given().get("/api/models/{name}/rollouts?limit=0", name).then().statusCode(400);
        given().contentType("application/json").body("{\"why\": 1}")
                .post("/api/models/{name}/rollouts/current/abort", name).then().statusCode(400);
    }

    static void awaitState(String name, String state) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = given().get("/api/models/{name}/rollouts/current", name).then().extract().path("state");
            if (state.equals(seen)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("rollout of " + name + " is " + seen + ", not " + state);
    }
}
