package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServingTarget;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static dev.turnout.Api.activate;
import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A reconcile reads every model's target, then works through them; a flip that lands meanwhile must not be undone
 * when the reconcile reaches that model with what it read before. Replayed here by handing the server a target read
 * before a newer flip.
 */
@QuarkusTest
class StaleTargetTest {

    @Inject
    ModelServer server;
    @Inject
    RegistryService registry;

    @Test
    void aTargetReadBeforeAFlipNeverSwapsTheOldVersionBack() {
        String name = twoVersions("stale-flip");
        activate(name, 1);
        ServingTarget readBeforeTheFlip = registry.target(name);
        activate(name, 2);

        server.apply(readBeforeTheFlip, false);

        assertEquals(2, server.serving().get(name));
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1, 1]", "[3.0]")).then().statusCode(200)
                .header("X-Turnout-Model-Version", "2");
    }

    @Test
    void aTargetReadBeforeADeactivationNeverLoadsTheModelAgain() {
        String name = twoVersions("stale-deactivate");
        activate(name, 1);
        ServingTarget readBeforeTheDeactivation = registry.target(name);
        given().delete("/api/models/{name}/active", name).then().statusCode(200);

        server.apply(readBeforeTheDeactivation, false);

        assertFalse(server.serving().containsKey(name), "a deactivated model is served again: " + server.serving());
    }

    private static String twoVersions(String prefix) {
        String name = Fixtures.uniqueName(prefix);
        for (String file : new String[] {"linear-v1.onnx", "linear-v2.onnx"}) {
            given().multiPart("artifact", Fixtures.model(file)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }
        return name;
    }
}
