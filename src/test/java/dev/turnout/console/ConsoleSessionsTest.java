package dev.turnout.console;

import dev.turnout.config.TurnoutConfig;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed session cookies: valid until they expire, and worthless once tampered with or their token's hash changes. */
class ConsoleSessionsTest {

    private final Map<String, TurnoutConfig.Security.Token> tokens = new HashMap<>();

    private TurnoutConfig.Security security(boolean enabled) {
        return new TurnoutConfig.Security() {
            public boolean enabled() { return enabled; }
            public boolean predictionsRequireToken() { return false; }
            public Map<String, Token> tokens() { return tokens; }
        };
    }

    private static TurnoutConfig.Security.Token token(String hash, String role) {
        return new TurnoutConfig.Security.Token() {
            public String sha256() { return hash; }
            public List<String> roles() { return List.of(role); }
        };
    }

    private static ConsoleConfig config() {
        return new ConsoleConfig() {
            public Optional<String> sessionKey() { return Optional.of("k".repeat(32)); }
            public Duration sessionTtl() { return Duration.ofHours(1); }
        };
    }

    private ConsoleSessions at(Instant now) {
        return new ConsoleSessions(security(true), config(), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aSessionCarriesTheNameAndTheConfiguredRoles() {
        tokens.put("ops", token("a".repeat(64), "operator"));
        ConsoleSessions sessions = at(Instant.parse("2026-01-01T00:00:00Z"));
        String cookie = sessions.issue("ops");
        ConsoleSession session = sessions.read(cookie).orElseThrow();
        assertEquals("ops", session.name());
        assertTrue(session.may("operator"));
        assertFalse(cookie.contains("a".repeat(16)), "the hash is not in the cookie");
        assertNotEquals(session.csrf(), sessions.read(sessions.issue("ops")).orElseThrow().csrf());
    }

    @Test
    void tamperedExpiredOrRotatedSessionsAreRefused() {
        tokens.put("ops", token("a".repeat(64), "operator"));
        tokens.put("view", token("b".repeat(64), "viewer"));
        ConsoleSessions sessions = at(Instant.parse("2026-01-01T00:00:00Z"));
        String cookie = sessions.issue("view");
        String[] parts = cookie.split("\\.");
        String renamed = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("ops".getBytes()) + "."
                + parts[1] + "." + parts[2] + "." + parts[3];
        assertTrue(sessions.read(renamed).isEmpty());
        assertTrue(sessions.read(cookie + "A").isEmpty());
        assertTrue(sessions.read("garbage").isEmpty());
        assertTrue(at(Instant.parse("2026-01-01T01:00:01Z")).read(cookie).isEmpty(), "expired");
        tokens.put("view", token("c".repeat(64), "viewer"));
        assertTrue(sessions.read(cookie).isEmpty(), "the token's hash changed");
        tokens.remove("view");
        assertTrue(sessions.read(cookie).isEmpty(), "the token is gone");
    }

    @Test
    void withSecurityOffTheAnonymousSessionHasEveryRole() {
        ConsoleSessions sessions = new ConsoleSessions(security(false), config(), Clock.systemUTC());
        ConsoleSession session = sessions.read(sessions.issueAnonymous()).orElseThrow();
        assertTrue(session.anonymous() && session.may("operator"));
    }
}
