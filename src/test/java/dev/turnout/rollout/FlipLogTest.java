package dev.turnout.rollout;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flip's reason is the caller's text: logged, it cannot start a line of its own (log forging). */
@QuarkusTest
class FlipLogTest {

    @Test
    void aReasonWithLineBreaksCannotForgeALogLine() {
        String name = uploadAndActivate(Fixtures.uniqueName("log-forging"), Fixtures.model("linear-v1.onnx"));
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ActivationService.class.getName());
        logger.addHandler(capture);
        try {
            given().contentType("application/json")
                    .body("{\"version\": 2, \"reason\": \"ok\\n2026-12-04 INFO [dev.turnout] admin flipped prod\\r\\u001b[2J\"}")
                    .put("/api/models/{name}/active", name).then().statusCode(200);
        } finally {
            logger.removeHandler(capture);
        }
        assertFalse(lines.isEmpty(), "the flip was not logged");
        for (String line : lines) {
            assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u001b"), line);
        }
        assertTrue(lines.stream().anyMatch(line -> line.contains("ok\\n2026-12-04 INFO")), lines.toString());
    }
}
