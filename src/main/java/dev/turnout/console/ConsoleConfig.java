package dev.turnout.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The operator console's settings ({@code turnout.console.*}). */
@ConfigMapping(prefix = "turnout.console")
public interface ConsoleConfig {

    /**
     * The key that signs session cookies (at least 32 characters). Default: a random key per process, so a session
     * works on the replica that issued it only; give every replica the same key behind a load balancer.
     */
    Optional<String> sessionKey();

    /** How long a sign-in lasts. Default 8h. */
    @WithDefault("8h")
    Duration sessionTtl();
}
