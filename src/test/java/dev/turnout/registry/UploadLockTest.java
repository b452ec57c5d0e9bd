package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.turnout.Api.activate;
import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload streams its artifact (up to the upload limit, minutes for a large one) before it takes the model's row
 * lock for the short insert of the version, so flips and rollbacks of that model never wait behind the bytes. Here the
 * store is held up by a lock on the artifact table; a flip of the same model must go through meanwhile.
 */
@QuarkusTest
class UploadLockTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aFlipDoesNotWaitForAnUploadStoringItsBytes() throws Exception {
        String name = Fixtures.uniqueName("upload-lock");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        activate(name, 1);

        CompletableFuture<Integer> upload;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("LOCK TABLE artifact IN EXCLUSIVE MODE"); // the store waits here
            }
            upload = CompletableFuture.supplyAsync(() -> given().multiPart("artifact",
                    Fixtures.uniqueOnnx("linear-v2.onnx")).post("/api/models/{name}/versions", name).statusCode());
            awaitWaitingOnArtifactTable();

            CompletableFuture<Integer> flip = CompletableFuture.supplyAsync(() -> given()
                    .contentType("application/json").body("{\"version\": 1, \"reason\": \"again\"}")
                    .put("/api/models/{name}/active", name).statusCode());
            try {
                assertEquals(200, flip.get(10, TimeUnit.SECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the flip waited for the upload storing its bytes (model row lock held)");
            } finally {
                holder.rollback();
            }
        }
        assertEquals(201, upload.get(30, TimeUnit.SECONDS));
    }

    private void awaitWaitingOnArtifactTable() throws Exception {
        String waiters = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'artifact'::regclass";
        for (int attempt = 0; attempt < 200; attempt++) {
            if (count(dataSource, waiters) > 0) {
                return;
            }
            Thread.sleep(50);
        }
        assertTrue(false, "the upload never reached the artifact store");
    }
}
