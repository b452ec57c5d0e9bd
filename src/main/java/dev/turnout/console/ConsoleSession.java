package dev.turnout.console;

import java.util.Set;

/**
 * Who is signed in to the console: the token's configured name and its roles (read from configuration on every
 * request), and the session's CSRF token for forms. Never the token or its hash.
 */
public record ConsoleSession(String name, Set<String> roles, String csrf, boolean anonymous) {

    public boolean may(String role) {
        return roles.contains(role);
    }
}
