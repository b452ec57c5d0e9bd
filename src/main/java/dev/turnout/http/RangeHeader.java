package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Range: bytes=…} request header (RFC 9110 §14.2) for a representation of {@code size} bytes. One range is
 * served: {@code first-last}, {@code first-} or the suffix {@code -n}. A header this does not serve (another unit,
 * several ranges, a malformed one) is ignored, as RFC 9110 allows, and the whole representation is sent; a range
 * that starts past the end is refused (416).
 */
public record RangeHeader(long first, long last) {

    private static final Pattern SINGLE = Pattern.compile("(?i)bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    public long length() {
        return last - first + 1;
    }

    /** The bytes to send, or empty for the whole representation; 416 when the range cannot be satisfied. */
    public static Optional<RangeHeader> parse(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher match = SINGLE.matcher(header);
        if (!match.matches() || (match.group(1).isEmpty() && match.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            if (match.group(1).isEmpty()) { // suffix: the last n bytes
                long suffix = Long.parseLong(match.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(header, size);
                }
                return Optional.of(new RangeHeader(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(match.group(1));
            long last = match.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(match.group(2));
            if (last < first) {
                return Optional.empty(); // invalid: ignored
            }
            if (first >= size) {
                throw unsatisfiable(header, size);
            }
            return Optional.of(new RangeHeader(first, Math.min(last, size - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty(); // more digits than a long: ignored like any malformed range
        }
    }

    /** The {@code Content-Range} of a partial answer. */
    public String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    private static TurnoutException unsatisfiable(String header, long size) {
        return new TurnoutException(ErrorCode.RANGE_NOT_SATISFIABLE, "the range '" + header + "' is outside the "
                + size + " bytes of the artifact; ask for bytes=first-last with first below " + size)
                .withHeader("Content-Range", "bytes */" + size);
    }
}
