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
}
