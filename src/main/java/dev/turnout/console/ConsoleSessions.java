package dev.turnout.console;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.security.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Stateless, signed console sessions. A cookie value is {@code name.expiry.nonce.mac}: the token's configured name
 * (base64url), the expiry (epoch seconds), a random nonce, and an HMAC-SHA256 over them and the token's configured
 * hash. Rotating or removing a token's hash therefore ends its sessions; roles are read from configuration each time.
 * The CSRF token of a session is an HMAC of its nonce: forms and htmx carry it, and a page from another origin cannot
 * read it. With security off, everyone is an anonymous session with every role (still with a CSRF token).
 */
@ApplicationScoped
public class ConsoleSessions {

    public static final String COOKIE = "turnout_console";
    /** The name under which the security-off identity appears in the history, as the API's. */
    static final String ANONYMOUS = "anonymous (security disabled)";
    private static final Logger LOG = Logger.getLogger(ConsoleSessions.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final TurnoutConfig.Security security;
    private final ConsoleConfig config;
    private final byte[] key;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    @Inject
    public ConsoleSessions(TurnoutConfig turnout, ConsoleConfig config) {
        this(turnout.security(), config, Clock.systemUTC());
    }

    ConsoleSessions(TurnoutConfig.Security security, ConsoleConfig config, Clock clock) {
        this.security = security;
        this.config = config;
        this.clock = clock;
        this.key = config.sessionKey().map(ConsoleSessions::configuredKey).orElseGet(() -> {
            byte[] generated = new byte[32];
            new SecureRandom().nextBytes(generated);
            return generated;
        });
    }

    private static byte[] configuredKey(String text) {
        if (text.length() < 32) {
            throw new IllegalArgumentException("turnout.console.session-key must have at least 32 characters");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public boolean securityEnabled() {
        return security.enabled();
    }

    /** A new session cookie value for the token named {@code name} (already authenticated by the caller). */
    public String issue(String name) {
        byte[] nonce = new byte[18];
        random.nextBytes(nonce);
        String payload = B64.encodeToString(name.getBytes(StandardCharsets.UTF_8)) + "."
                + clock.instant().plus(config.sessionTtl()).getEpochSecond() + "." + B64.encodeToString(nonce);
        return payload + "." + B64.encodeToString(mac(payload + "." + configuredHash(name)));
    }

    /** The anonymous session's cookie value (security off). */
    public String issueAnonymous() {
        return issue(ANONYMOUS);
    }

    /** The session a cookie value stands for, if it is well signed, unexpired and its token still configured. */
    public Optional<ConsoleSession> read(String cookie) {
        if (cookie == null || cookie.length() > 1024) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            String name = new String(B64D.decode(parts[0]), StandardCharsets.UTF_8);
            String payload = parts[0] + "." + parts[1] + "." + parts[2];
            String hash = configuredHash(name);
            if (hash == null || !MessageDigest.isEqual(mac(payload + "." + hash), B64D.decode(parts[3]))) {
                return Optional.empty();
            }
            if (Instant.ofEpochSecond(Long.parseLong(parts[1])).isBefore(clock.instant())) {
                return Optional.empty();
            }
            String csrf = B64.encodeToString(mac("csrf." + parts[2]));
            return Optional.of(new ConsoleSession(name, roles(name), csrf, ANONYMOUS.equals(name)));
        } catch (IllegalArgumentException e) { // bad base64 or number
            return Optional.empty();
        }
    }

    /** Whether {@code presented} is the session's CSRF token (constant time). */
    public static boolean csrfMatches(ConsoleSession session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrf().getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** What the MAC binds a session to: its token's configured hash; with security off, the anonymous marker. */
    private String configuredHash(String name) {
        if (!security.enabled()) {
            return ANONYMOUS.equals(name) ? "security-off" : null;
        }
        TurnoutConfig.Security.Token token = security.tokens().get(name);
        return token == null ? null : token.sha256().trim().toLowerCase();
    }

    private Set<String> roles(String name) {
        if (!security.enabled()) {
            return Set.of(Roles.PUBLISHER, Roles.OPERATOR, Roles.VIEWER, Roles.PREDICTOR);
        }
        return Set.copyOf(security.tokens().get(name).roles());
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            LOG.error("HmacSHA256 is not available", e);
            throw new IllegalStateException(e);
        }
    }
}
