package dev.turnout.console;

import dev.turnout.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in Debian's chromium, against the real server (HTTP port, PostgreSQL, ONNX Runtime) with security on:
 * sign in, watch an upload appear, flip (a guard's refusal first), roll back, deactivate, the chart, "try it", and a
 * viewer who sees no actions. Every page must leave the browser console free of errors. Saves the README's screenshots.
 */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.Secured.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final Map<String, String> TOKENS = Map.of(
            "publisher", "console-pub-token", "operator", "console-op-token", "viewer", "console-view-token");

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(Map.of("turnout.security.enabled", "true"));
            TOKENS.forEach((role, token) -> {
                config.put("turnout.security.tokens." + role + ".sha256", sha256(token));
                config.put("turnout.security.tokens." + role + ".roles", role);
            });
            return config;
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @TestHTTPResource("/")
    URL base;

    static Browser browser;
    static final String NAME = Fixtures.uniqueName("console");

    @BeforeEach
    void browser() {
        String missing = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; "
                + ".ci/run does)";
        // CI installs the browser and sets TURNOUT_REQUIRE_BROWSER, so there a missing browser fails instead of skipping
        if (System.getenv("TURNOUT_REQUIRE_BROWSER") != null) {
            Assertions.assertTrue(Browser.available(), missing);
        }
        Assumptions.assumeTrue(Browser.available(), missing);
        if (browser == null) {
            browser = new Browser(base.toString());
        }
    }

    @AfterEach
    void noConsoleErrors() {
        if (browser != null) {
            List<String> errors = browser.consoleErrors();
            assertTrue(errors.isEmpty(), "browser console errors: " + errors);
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    static void upload(String fixture, String metrics) {
        given().header("Authorization", "Bearer " + TOKENS.get("publisher"))
                .multiPart("artifact", Fixtures.model(fixture)).multiPart("metrics", metrics)
                .multiPart("tags", "{\"team\": \"pricing\"}")
                .post("/api/models/{name}/versions", NAME).then().statusCode(201);
    }

    void signIn(String role) {
        browser.driver.manage().deleteAllCookies();
        browser.open("/console");
        browser.waitUntil("the sign-in page", d -> d.getCurrentUrl().endsWith("/console/sign-in"));
        browser.find("#token").sendKeys(TOKENS.get(role));
        browser.find("form button[type=submit]").click();
        browser.waitUntil("the models page", d -> d.getCurrentUrl().endsWith("/console"));
        assertTrue(browser.text(".who").contains("signed in as " + role), browser.text(".who"));
    }

    @Test
    @Order(1)
    void signInThenAnUploadAppearsWithoutAReload() {
        signIn("operator");
        assertTrue(browser.all("tr[data-model='" + NAME + "']").isEmpty());
        browser.script("window.notReloaded = true");
        upload("linear-v1.onnx", "{\"rmse\": 0.12, \"mae\": 0.1}");
        browser.waitUntil("the uploaded model's row, polled in", d -> !browser.all("tr[data-model='" + NAME + "']").isEmpty());
        assertEquals(Boolean.TRUE, browser.script("return window.notReloaded === true"));
        upload("linear-v2.onnx", "{\"rmse\": 0.08, \"mae\": 0.07}");
        browser.waitUntil("two versions", d -> browser.text("tr[data-model='" + NAME + "'] td:last-child").equals("2"));
    }

    @Test
    @Order(2)
    void aGuardRefusalIsShownAsWritten() {
        browser.open("/console/models/" + NAME);
        new Select(browser.find("#flip-version")).selectByValue("2");
        browser.find("#flip-reason").sendKeys("too strict");
        browser.find("#flip-require").sendKeys("rmse <= 0.05");
        browser.find("#flip-submit").click();
        browser.waitUntil("the refusal", d -> !browser.all("#problem").isEmpty());
        assertEquals("version 2 has rmse = 0.08, which fails the guard 'rmse <= 0.05'", browser.text("#problem"));
        // The refusal page's own status (409) is the one console line expected here: Chrome logs every 4xx document.
        List<String> logged = browser.consoleErrors();
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).contains("/flip - Failed to load resource: the server responded with a status of 409"),
                logged.get(0));
        assertEquals("none", browser.text("#model-live .active"));
    }

    @Test
    @Order(3)
    void flipWithAReasonAndTheReplicaConverges() {
        flip("1", "first release");
        flip("2", "lower rmse");
        assertTrue(browser.text("#history").contains("lower rmse"));
        browser.screenshot("model", 1280, 2000);
    }

    private void flip(String version, String reason) {
        browser.open("/console/models/" + NAME);
        new Select(browser.find("#flip-version")).selectByValue(version);
        browser.find("#flip-reason").sendKeys(reason);
        browser.find("#flip-submit").click();
        browser.waitUntil("the flip's notice", d -> !browser.all(".notice").isEmpty());
        browser.waitUntil("every replica serving v" + version, d -> {
            List<String> serving = browser.all("#model-live td.serving").stream().map(e -> e.getText()).toList();
            return !serving.isEmpty() && serving.stream().allMatch(("v" + version)::equals)
                    && browser.text("#model-live .active").equals("v" + version);
        });
    }

    @Test
    @Order(4)
    void theChartDrawsTheChosenMetric() {
        browser.open("/console/models/" + NAME);
        browser.waitUntil("a drawn chart", d -> paintedPixels() > 100);
        new Select(browser.find("#chart-metric")).selectByValue("rmse");
        browser.waitUntil("the chart redrawn", d -> paintedPixels() > 100);
    }

    private long paintedPixels() {
        Object count = browser.script("const c = document.getElementById('metric-chart');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n;");
        return ((Number) count).longValue();
    }

    @Test
    @Order(5)
    void theVersionsTableSortsByAMetric() {
        browser.open("/console/models/" + NAME);
        browser.driver.findElement(By.xpath("//table[@id='versions']//button[text()='rmse']")).click();
        assertEquals("2", browser.find("#versions tbody tr").getAttribute("data-version"));
    }

    @Test
    @Order(6)
    void rollbackFromTheConsole() {
        browser.open("/console/models/" + NAME);
        browser.find("#rollback-reason").sendKeys("back to v1");
        browser.find("#rollback-submit").click();
        browser.waitUntil("v1 served again", d -> browser.text("#model-live .active").equals("v1")
                && browser.all("#model-live td.serving").stream().allMatch(e -> e.getText().equals("v1")));
        assertTrue(browser.text("#history").contains("rollback"));
    }

    @Test
    @Order(7)
    void tryItAnswersWithTheVersionThatGaveIt() {
        browser.open("/console/models/" + NAME + "/versions/2");
        browser.find("#data-0").sendKeys("3");
        browser.find("#try-submit").click();
        browser.waitUntil("the answer", d -> !browser.all("#try-answer").isEmpty());
        assertTrue(browser.text("#try-result").contains("Answered by version 2"), browser.text("#try-result"));
        assertTrue(browser.text("#try-answer").contains("11"), browser.text("#try-answer"));
        browser.screenshot("version", 1280, 1500);
    }

    @Test
    @Order(8)
    void modelsPageShowsRatesAndReadsAt360Pixels() {
        for (int i = 0; i < 3; i++) {
            given().contentType("application/json").body("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[1.0]}]}")
                    .post("/v2/models/{name}/infer", NAME).then().statusCode(200);
        }
        browser.open("/console");
        browser.waitUntil("this replica's rate of v1", d -> browser.text("tr[data-model='" + NAME + "'] .rates").contains("v1"));
        browser.screenshot("models", 1280, 700);
        browser.screenshot("models-360", 360, 800);
        Object overflow = browser.script("return document.documentElement.scrollWidth <= window.innerWidth + 1");
        assertEquals(Boolean.TRUE, overflow);
    }

    @Test
    @Order(9)
    void deactivateFromTheConsole() {
        browser.open("/console/models/" + NAME);
        browser.find("#deactivate-reason").sendKeys("retired");
        browser.find("#deactivate-submit").click();
        browser.waitUntil("no version served", d -> browser.text("#model-live .active").equals("none")
                && browser.all("#model-live td.serving").stream().allMatch(e -> e.getText().equals("—")));
    }

    @Test
    @Order(10)
    void aViewerSeesNoActionsAndItsForgedPostIs403() {
        signIn("viewer");
        browser.open("/console/models/" + NAME);
        assertTrue(browser.all("#actions, form[action$='/flip'], form[action$='/rollback']").isEmpty());
        String cookie = browser.driver.manage().getCookieNamed(ConsoleSessions.COOKIE).getValue();
        String csrf = browser.find("form[action='/console/sign-out'] input[name=csrf]").getAttribute("value");
        String origin = base.toString().replaceAll("/$", "");
        given().cookie(ConsoleSessions.COOKIE, cookie).header("Origin", origin).redirects().follow(false)
                .formParam("csrf", csrf).formParam("reason", "forged")
                .post("/console/models/{name}/rollback", NAME).then().statusCode(403);
        assertFalse(browser.driver.getPageSource().contains(TOKENS.get("viewer")));
        assertFalse(browser.driver.getPageSource().contains(sha256(TOKENS.get("viewer"))));
    }

    @Test
    @Order(11)
    void signOutEndsTheSession() {
        browser.find("form[action='/console/sign-out'] button").click();
        browser.waitUntil("the sign-in page", d -> d.getCurrentUrl().contains("/console/sign-in"));
        browser.open("/console");
        browser.waitUntil("sent to sign in again", d -> d.getCurrentUrl().endsWith("/console/sign-in"));
    }
}
