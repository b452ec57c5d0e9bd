package dev.turnout.serving;

import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shadow traffic over HTTP with real engines: while version 2 shadows version 1, clients get exactly the bytes and
 * headers they got without it, and the disagreements of version 2 are counted and exported. linear-v1 is 2x + 1 and
 * linear-v2 is 3x + 2: they agree at x = -1 only.
 */
@QuarkusTest
class ShadowTrafficTest {

    @Inject
    ShadowMirror shadow;

    @Test
    void clientsGetTheActiveAnswerUnchangedWhileTheCandidateIsCompared() throws Exception {
        String name = uploadAndActivate(Fixtures.uniqueName("shadow"), Fixtures.model("linear-v1.onnx"));
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx"))
                .post("/api/models/{name}/versions", name).then().statusCode(201);
        String disagrees = oipRequest("x", "FP32", "[1, 1]", "[3.0]");
        String agrees = oipRequest("x", "FP32", "[1, 1]", "[-1.0]");
        String path = "/v2/models/" + name + "/infer";
        List<Answer> without = List.of(answer(path, disagrees), answer(path, agrees),
                answer("/v1/models/" + name + ":predict", "{\"instances\": [[3.0]]}"));

        shadow.setTarget(name, 2, 1.0);
        infer("/v2/models/" + name + "/versions/2/infer", agrees).then().statusCode(200); // not mirrored: the candidate
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
            List<Answer> with = List.of(answer(path, disagrees), answer(path, agrees),
                    answer("/v1/models/" + name + ":predict", "{\"instances\": [[3.0]]}"));
            for (int j = 0; j < with.size(); j++) {
                assertArrayEquals(without.get(j).body(), with.get(j).body(), "byte-identical answer");
                assertEquals(without.get(j).headers(), with.get(j).headers());
            }
        }
        ShadowMirror.Counts counts = awaitRuns(name, 3L * rounds);
        assertEquals(new ShadowMirror.Counts(3L * rounds, 2L * rounds, 0, 0), counts,
                "x = 3 disagrees on both protocols, x = -1 agrees");

        String metrics = Api.management().get("/q/metrics").then().statusCode(200).extract().asString();
        String tags = "{model=\"" + name + "\",version=\"2\"}";
        assertTrue(metrics.contains("turnout_shadow_requests_total" + tags + " " + (3.0 * rounds)), metrics);
        assertTrue(metrics.contains("turnout_shadow_disagreements_total" + tags + " " + (2.0 * rounds)));
        assertTrue(metrics.contains("turnout_shadow_dropped_total" + tags + " 0.0"));
        assertTrue(metrics.contains("turnout_shadow_errors_total" + tags + " 0.0"));

        shadow.clear(name);
        answer(path, disagrees);
        Thread.sleep(200);
        assertEquals(3L * rounds, shadow.counts(name, 2).requests(), "nothing is mirrored once cleared");
    }

    private record Answer(byte[] body, Map<String, String> headers) {
    }

    private static Answer answer(String path, String body) {
        var response = infer(path, body).then().statusCode(200).extract();
        Map<String, String> headers = new java.util.TreeMap<>();
        for (var header : response.headers()) {
            if (!header.getName().equalsIgnoreCase("date")) {
                headers.put(header.getName().toLowerCase(), header.getValue());
            }
        }
        return new Answer(response.asByteArray(), headers);
    }

    private ShadowMirror.Counts awaitRuns(String name, long runs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (shadow.counts(name, 2).requests() < runs && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return shadow.counts(name, 2);
    }
}
