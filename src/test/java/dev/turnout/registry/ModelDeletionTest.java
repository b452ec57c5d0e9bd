package dev.turnout.registry;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import static dev.turnout.Api.activate;
import static dev.turnout.Api.infer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DELETE /api/models/{name}: the whole model goes (versions, history, replica rows); its name can be used again. */
@QuarkusTest
class ModelDeletionTest {

    private static final String X3 = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aModelWithAnActiveVersionIsRefusedSayingHowToDeactivate() {
        String name = Fixtures.uniqueName("del-active");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        activate(name, 1);
        given().delete("/api/models/{name}", name).then().statusCode(409)
                .body("code", equalTo("CONFLICT"))
                .body("error", containsString("DELETE /api/models/" + name + "/active"));
        given().get("/api/models/{name}/versions/1", name).then().statusCode(200);
    }

    @Test
    void deletingAModelRemovesItsVersionsHistoryAndUnsharedBytes() throws Exception {
        String name = Fixtures.uniqueName("del-model");
        String neighbour = Fixtures.uniqueName("del-neighbour");
        File own = Fixtures.uniqueOnnx("linear-v1.onnx");  // bytes only this model has
        File shared = Fixtures.uniqueOnnx("linear-v2.onnx"); // bytes the neighbour has too
        String ownSha = given().multiPart("artifact", own).post("/api/models/{name}/versions", name)
                .then().statusCode(201).extract().path("sha256");
        String sharedSha = given().multiPart("artifact", shared).post("/api/models/{name}/versions", name)
                .then().statusCode(201).extract().path("sha256");
        given().multiPart("artifact", shared).post("/api/models/{name}/versions", neighbour).then().statusCode(201);
        activate(name, 1);
        given().contentType("application/json").delete("/api/models/{name}/active", name).then().statusCode(200);
        String blob = PostgresBlobRows.keyOf(dataSource, ownSha);

        given().delete("/api/models/{name}", name).then().statusCode(204);

        given().get("/api/models/{name}", name).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().get("/api/models/{name}/versions", name).then().statusCode(404);
        given().get("/api/models/{name}/activations", name).then().statusCode(404);
        given().get("/api/models").then().body("name", not(hasItem(name)));
        assertEquals(0, count("SELECT count(*) FROM artifact WHERE sha256 = '" + ownSha + "'"));
        assertTrue(PostgresBlobRows.gone(dataSource, blob), "the unshared bytes stayed in the store");
        assertEquals(1, count("SELECT count(*) FROM artifact WHERE sha256 = '" + sharedSha + "'"));
        given().get("/api/models/{name}/versions/1/artifact", neighbour).then().statusCode(200);
        given().delete("/api/models/{name}", name).then().statusCode(404);
    }

    @Test
    void aDeletedNameCanBeUsedAgainAndItsNumbersContinue() {
        String name = Fixtures.uniqueName("del-reuse");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        activate(name, 2);
        given().contentType("application/json").delete("/api/models/{name}/active", name).then().statusCode(200);
        given().delete("/api/models/{name}", name).then().statusCode(204);

        // Numbers continue, so "version 2 of this name" never means two different artifacts (on-demand caches,
        // clients' notes); the pointer's generation continues too, so replicas apply the new model's flips.
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201).body("version", equalTo(3));
        given().get("/api/models/{name}/activations", name).then().statusCode(200).body("$", org.hamcrest.Matchers.empty());
        activate(name, 3);
        infer("/v2/models/" + name + "/infer", X3).then().statusCode(200)
                .header("X-Turnout-Model-Version", "3").body("outputs[0].data", contains(7.0f));
    }

    @Test
    void anUnknownModelIs404AndAMalformedName400() {
        given().delete("/api/models/{name}", "no-such-model-to-delete").then().statusCode(404);
        given().delete("/api/models/{name}", "Bad Name").then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"));
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
