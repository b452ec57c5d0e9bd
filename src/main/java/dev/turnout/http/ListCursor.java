package dev.turnout.http;

import dev.turnout.error.TurnoutException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Paging of the API's lists (models, versions, events, deliveries). The body stays a plain JSON array (as before paging existed); when items follow, the answer
 * carries {@code Next-Cursor} and a {@code Link: <...>; rel="next"} to the next page. A cursor is opaque to clients:
 * the list's name and the last key shown, base64url-encoded, so a cursor of one list is refused by another.
 */
public final class ListCursor {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    public static final String NEXT_CURSOR = "Next-Cursor";

    private final String list;

    public ListCursor(String list) {
        this.list = list;
    }

    /** The page size asked for; absent (or empty, as an empty ?wait= is) the default. */
    public static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.invalid("'limit' must be a whole number from 1 to " + MAX_LIMIT + " (default "
                + DEFAULT_LIMIT + ")");
    }

    /** The last key of the previous page, or null for the first page. */
    public String after(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(list + ":")) {
                return decoded.substring(list.length() + 1);
            }
        } catch (IllegalArgumentException ignored) {
            // answered below
        }
        throw invalidCursor();
    }

    public TurnoutException invalidCursor() {
        return TurnoutException.invalid("'cursor' is not one this list gave: pass the " + NEXT_CURSOR
                + " of the previous page unchanged, or leave it out for the first page");
    }

    /** The page as a JSON array, with the cursor of the next page when {@code more} items follow. */
    public <T> Response answer(List<T> items, boolean more, Function<T, String> key, UriInfo uri) {
        Response.ResponseBuilder answer = Response.ok(items);
        if (more) {
            String last = key.apply(items.get(items.size() - 1));
            String next = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((list + ":" + last).getBytes(StandardCharsets.UTF_8));
            URI nextPage = UriBuilder.fromUri(uri.getRequestUri()).replaceQueryParam("cursor", next).build();
            answer.header(NEXT_CURSOR, next)
                    .header("Link", "<" + nextPage.getRawPath() + "?" + nextPage.getRawQuery() + ">; rel=\"next\"");
        }
        return answer.build();
    }
}
