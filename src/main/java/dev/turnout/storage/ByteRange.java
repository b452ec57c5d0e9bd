package dev.turnout.storage;

/** Bytes {@code first} to {@code first + length - 1} of a blob; a length running past its end stops there. */
public record ByteRange(long first, long length) {

    public static final ByteRange ALL = new ByteRange(0, Long.MAX_VALUE);

    public ByteRange {
        if (first < 0 || length < 0) {
            throw new IllegalArgumentException("a byte range starts at 0 or later and is not negative: " + first + "+"
                    + length);
        }
    }

    public boolean isAll() {
        return first == 0 && length == Long.MAX_VALUE;
    }
}
