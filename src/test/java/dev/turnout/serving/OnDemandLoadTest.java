package dev.turnout.serving;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /versions/{v}} loads a version on demand. Anyone may ask for any version, so what a replica loads on demand
 * is bounded when a load is admitted, not after it: concurrent requests for different versions do not all load at
 * once (one waits its turn by being refused with 503 + Retry-After), and no more versions are held than the cache.
 */
@QuarkusTest
class OnDemandLoadTest {

    @Inject
    ModelServer server;

    @Test
    void concurrentLoadsOfDifferentVersionsAreBoundedAtAdmission() throws Exception {
        String name = Fixtures.uniqueName("on-demand");
        int versions = 6;
        for (int v = 1; v <= versions; v++) {
            given().multiPart("artifact", Fixtures.model(v % 2 == 1 ? "mlp.onnx" : "linear-v1.onnx"))
                    .post("/api/models/{name}/versions", name).then().statusCode(201);
        }
        HttpClient client = HttpClient.newHttpClient();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            String body = v % 2 == 1
                    ? "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}"
                    : "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3]}]}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                            + "/v2/models/" + name + "/versions/" + v + "/infer"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                    return client.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        start.countDown();
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            if (response.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(503, response.statusCode(), response.body());
                assertTrue(response.body().contains("\"code\":\"OVERLOADED\""), response.body());
                assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
                refused++;
            }
        }
        assertTrue(ok >= 1, "at least the first load is admitted");
        assertTrue(refused >= 1, "all " + versions + " versions were loaded at once");

        long held = 0;
        for (int v = 1; v <= versions; v++) {
            held += server.servedVersion(name, v).isPresent() ? 1 : 0;
        }
        assertTrue(held <= 2, held + " versions held, more than turnout.serving.version-cache-size");
    }
}
