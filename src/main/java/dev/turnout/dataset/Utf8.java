package dev.turnout.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: a byte sequence that is not UTF-8 is reported, never replaced by U+FFFD. */
final class Utf8 {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** The text of {@code length} bytes from {@code offset}, or null when they are not UTF-8. */
    String decode(byte[] bytes, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, offset, length, StandardCharsets.US_ASCII);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
