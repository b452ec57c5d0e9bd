package dev.turnout.apidoc;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** With security on, as in production: the document and Swagger UI need no token, and the API takes the scheme's. */
@QuarkusTest
@TestProfile(SecuredApiDocumentTest.Secured.class)
class SecuredApiDocumentTest {

    static final String TOKEN = "docs-viewer-token";

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.security.enabled", "true",
                    "turnout.security.tokens.docs.sha256", sha256(TOKEN),
                    "turnout.security.tokens.docs.roles", "viewer");
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theDocumentAndSwaggerUiAreOpenAndTheBearerSchemeIsWhatTheApiTakes() {
        given().get("/q/openapi").then().statusCode(200);
        given().redirects().follow(true).get("/q/swagger-ui/").then().statusCode(200);
        given().get("/api/models").then().statusCode(401);
        // What Swagger UI sends after "Authorize" with the http bearer scheme.
        given().header("Authorization", "Bearer " + TOKEN).get("/api/models").then().statusCode(200);
    }
}
