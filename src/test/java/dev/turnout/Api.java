package dev.turnout;

import io.restassured.response.Response;

import java.io.File;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** HTTP calls the tests share. */
public final class Api {

    /** The management interface (health, metrics) in tests: see %test.quarkus.management.test-port. */
    public static final int MANAGEMENT_PORT = 9001;

    private Api() {
    }

    public static io.restassured.specification.RequestSpecification management() {
        return given().port(MANAGEMENT_PORT);
    }

    public static String uploadAndActivate(String name, File artifact, String... parts) {
        var request = given().multiPart("artifact", artifact);
        for (int i = 0; i < parts.length; i += 2) {
            request.multiPart(parts[i], parts[i + 1]);
        }
        int version = request.post("/api/models/{name}/versions", name).then().statusCode(201)
                .extract().path("version");
        activate(name, version);
        return name;
    }

    public static void activate(String name, int version) {
        given().contentType("application/json").body("{\"version\": " + version + ", \"reason\": \"test\"}")
                .put("/api/models/{name}/active", name).then().statusCode(200).body("active_version", equalTo(version));
    }

    public static String oipRequest(String input, String datatype, String shape, String data) {
        return "{\"id\": \"req-1\", \"inputs\": [{\"name\": \"" + input + "\", \"datatype\": \"" + datatype
                + "\", \"shape\": " + shape + ", \"data\": " + data + "}]}";
    }

    public static Response infer(String path, String body) {
        // TF Serving's ":predict" is sent raw by its clients; RestAssured would percent-encode the colon.
        return given().urlEncodingEnabled(false).contentType("application/json").body(body).post(path);
    }

}
