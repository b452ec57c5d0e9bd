package dev.turnout.storage;

import java.util.regex.Pattern;

/**
 * A blob's key in every store: {@code sha256/ab/ab12…}, derived from the bytes alone, so the same bytes always land
 * under the same key (uploads of equal bytes share one object) and no client string ever becomes a path.
 */
public final class ContentAddress {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("sha256/([0-9a-f]{2})/([0-9a-f]{64})");

    private ContentAddress() {
    }

    /** The key of the bytes with this (lower-case hex) sha256. */
    public static String of(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a lower-case hex sha256: " + sha256);
        }
        return "sha256/" + sha256.substring(0, 2) + "/" + sha256;
    }

    /** The sha256 a key names; refuses anything that is not a content address (a store never takes other keys). */
    public static String sha256Of(String key) {
        var match = KEY.matcher(key);
        if (!match.matches() || !match.group(2).startsWith(match.group(1))) {
            throw new IllegalArgumentException("not a content address (sha256/ab/ab12…): " + key);
        }
        return match.group(2);
    }

    public static boolean isKey(String key) {
        var match = KEY.matcher(key);
        return match.matches() && match.group(2).startsWith(match.group(1));
    }
}
