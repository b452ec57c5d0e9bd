package dev.turnout.security;

import dev.turnout.config.TurnoutConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a bearer token into an identity: the token's SHA-256 is compared, in constant time and against every
 * configured hash (no early exit), with the hashes in configuration. The token itself is never stored.
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private record Entry(String name, byte[] hash, List<String> roles) {
    }

    private final List<Entry> entries;

    public TokenIdentityProvider(TurnoutConfig config) {
        this.entries = config.security().tokens().entrySet().stream().map(TokenIdentityProvider::entry).toList();
    }

    private static Entry entry(Map.Entry<String, TurnoutConfig.Security.Token> configured) {
        String hex = configured.getValue().sha256().trim().toLowerCase();
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("turnout.security.tokens." + configured.getKey()
                    + ".sha256 must be the 64 hex digits of the token's SHA-256 (printf %s \"$TOKEN\" | sha256sum)");
        }
        return new Entry(configured.getKey(), HexFormat.of().parseHex(hex), List.copyOf(configured.getValue().roles()));
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        byte[] presented = sha256(request.getToken().getToken());
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), presented) && match == null) {
                match = entry;
            }
        }
        if (match == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown token"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(match.name()))
                .addRoles(Set.copyOf(match.roles()))
                .build());
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
