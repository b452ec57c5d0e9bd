package dev.turnout.http;

/**
 * The longest JSON body one domain's management endpoints must accept within that domain's own rules (a PATCH of a
 * version's tags, an evaluation's column mapping). {@link BoundedStringBodies} reads up to the largest need; the
 * domains state it because only they know their rules, which this package may not depend on.
 */
public interface JsonBodyNeed {

    /** JSON may spell any character as a six-byte escape: a backslash, 'u' and four hex digits. */
    int BYTES_PER_ESCAPED_CHARACTER = 6;

    long maxBytes();

    /**
     * The most bytes one management JSON body may have: the largest need plus slack for the whitespace a client may
     * add between tokens (a pretty-printer's is less), rounded up to a MiB.
     */
    static int readBound(Iterable<JsonBodyNeed> needs) {
        long largest = 0;
        for (JsonBodyNeed need : needs) {
            largest = Math.max(largest, need.maxBytes());
        }
        long mib = 1 << 20;
        return Math.toIntExact((largest + mib + mib - 1) / mib * mib);
    }
}
