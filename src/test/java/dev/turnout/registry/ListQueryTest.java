package dev.turnout.registry;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Listing models and versions: tag filters and paging (limit + an opaque cursor). */
@QuarkusTest
class ListQueryTest {

    private static void upload(String name, String tags) {
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).multiPart("tags", tags)
                .post("/api/models/{name}/versions", name).then().statusCode(201);
    }

    @Test
    void versionsFilterByTagsAllOfWhichMustMatch() {
        String name = Fixtures.uniqueName("tagged");
        upload(name, "{\"stage\": \"prod\", \"team\": \"a\"}");
        upload(name, "{\"stage\": \"dev\"}");
        upload(name, "{\"stage\": \"prod\", \"team\": \"b:c\"}");
        String versions = "/api/models/{name}/versions";
        given().queryParam("tag", "stage=prod").get(versions, name).then().statusCode(200).body("version", contains(1, 3));
        given().queryParam("tag", "stage=prod").queryParam("tag", "team=b:c").get(versions, name)
                .then().statusCode(200).body("version", contains(3));
        given().queryParam("tag", "team").get(versions, name).then().statusCode(200).body("version", contains(1, 3));
        given().queryParam("tag", "stage=staging").get(versions, name).then().statusCode(200).body("version", empty());
        given().queryParam("tag", "=prod").get(versions, name).then().statusCode(400)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'tag'"));
    }

    @Test
    void anEmptyTagFilterIsRefusedNotIgnored() {
        // "?tag=" and a bare "?tag" name no tag: the framework dropped the empty value and the whole list came back
        String name = Fixtures.uniqueName("untagged");
        upload(name, "{\"team\": \"a\"}");
        for (String query : new String[] {"?tag=", "?tag", "?tag=team=a&tag="}) {
            given().urlEncodingEnabled(false).get("/api/models/" + name + "/versions" + query).then().statusCode(400)
                    .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'tag'"));
            given().urlEncodingEnabled(false).get("/api/models" + query).then().statusCode(400)
                    .body("error", containsString("'tag'"));
        }
    }

    @Test
    void modelsFilterByTagsOfOneOfTheirVersions() {
        String run = Fixtures.uniqueName("run");
        String tagged = Fixtures.uniqueName("tagged-model");
        String other = Fixtures.uniqueName("untagged-model");
        upload(tagged, "{\"run\": \"" + run + "\", \"stage\": \"prod\"}");
        upload(other, "{\"run\": \"" + run + "\"}");
        given().queryParam("tag", "run=" + run).get("/api/models").then().statusCode(200)
                .body("name", contains(tagged, other));
        given().queryParam("tag", "run=" + run).queryParam("tag", "stage=prod").get("/api/models").then()
                .statusCode(200).body("name", contains(tagged));
    }

    @Test
    void versionsArePagedWithANextCursor() {
        String name = Fixtures.uniqueName("paged");
        for (int i = 0; i < 3; i++) {
            upload(name, "{}");
        }
        Response first = given().queryParam("limit", 2).get("/api/models/{name}/versions", name);
        first.then().statusCode(200).body("version", contains(1, 2))
                .header("Link", containsString("rel=\"next\""));
        String cursor = first.header("Next-Cursor");
        given().queryParam("limit", 2).queryParam("cursor", cursor).get("/api/models/{name}/versions", name)
                .then().statusCode(200).body("version", contains(3))
                .header("Next-Cursor", nullValue()).header("Link", nullValue());
        given().get("/api/models/{name}/versions", name).then().statusCode(200).body("version", contains(1, 2, 3))
                .header("Next-Cursor", nullValue());
    }

    @Test
    void modelsArePagedWithANextCursor() {
        String run = Fixtures.uniqueName("page-run");
        String[] names = {run + "-a", run + "-b", run + "-c"};
        for (String name : names) {
            upload(name, "{\"run\": \"" + run + "\"}");
        }
        Response first = given().queryParam("tag", "run=" + run).queryParam("limit", 2).get("/api/models");
        first.then().statusCode(200).body("name", contains(names[0], names[1]));
        given().queryParam("tag", "run=" + run).queryParam("limit", 2).queryParam("cursor", first.header("Next-Cursor"))
                .get("/api/models").then().statusCode(200).body("name", contains(names[2]))
                .header("Next-Cursor", nullValue());
    }

    @Test
    void malformedLimitsAndCursorsAre400() {
        String name = Fixtures.uniqueName("paged-bad");
        upload(name, "{}");
        String models = given().queryParam("limit", 1).get("/api/models").header("Next-Cursor");
        for (String path : new String[] {"/api/models", "/api/models/" + name + "/versions"}) {
            for (String limit : new String[] {"0", "1001", "ten", "-5"}) {
                given().queryParam("limit", limit).get(path).then().statusCode(400)
                        .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'limit'"));
            }
            given().queryParam("cursor", "not a cursor!").get(path).then().statusCode(400)
                    .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'cursor'"));
        }
        // a cursor from one list is not accepted by another
        given().queryParam("cursor", models).get("/api/models/{name}/versions", name).then().statusCode(400)
                .body("error", containsString("'cursor'"));
    }
}
