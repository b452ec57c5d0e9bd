package dev.turnout.security;

import dev.turnout.config.TurnoutConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * {@code Authorization: Bearer <token>}, checked by {@link TokenIdentityProvider}. With security turned off (dev
 * and test only) every caller gets every role.
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {

    private static final Logger LOG = Logger.getLogger(BearerTokenMechanism.class);
    private static final String PREFIX = "Bearer ";
    static final SecurityIdentity UNSECURED = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("anonymous (security disabled)"))
            .addRoles(Set.of(Roles.PUBLISHER, Roles.OPERATOR, Roles.VIEWER, Roles.PREDICTOR))
            .build();

    private final TurnoutConfig.Security config;

    public BearerTokenMechanism(TurnoutConfig config) {
        this.config = config.security();
    }

    /** First of all startup observers: a refused start must not have started any loop that then finds Quarkus gone. */
    void check(@Observes @Priority(1) StartupEvent event) {
        if (config.enabled()) {
            if (config.tokens().isEmpty()) {
                LOG.warn("No tokens are configured (turnout.security.tokens.*): only predictions and health answer; "
                        + "every registry and rollout call is refused with 401");
            }
            return;
        }
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException("turnout.security.enabled=false is for development and tests only; "
                    + "configure tokens (turnout.security.tokens.<name>.sha256 and .roles) instead");
        }
        LOG.warn("turnout.security.enabled=false: every caller has every role. Never run like this in production.");
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!config.enabled()) {
            return Uni.createFrom().item(UNSECURED);
        }
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Uni.createFrom().optional(java.util.Optional.empty()); // anonymous
        }
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(
                new TokenCredential(header.substring(PREFIX.length()).trim(), "bearer"));
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return identityProviderManager.authenticate(request);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"turnout\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}
