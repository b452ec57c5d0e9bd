package dev.turnout.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits TorchScript source (Python syntax) into identifiers, numbers and single punctuation characters, with the line
 * each starts on. Whitespace, line continuations, comments and string literals produce no tokens: a check that reads
 * these tokens sees the code, not text that merely mentions it.
 */
final class TorchScriptTokens {

    private TorchScriptTokens() {
    }

    record Token(String text, int line) {
        boolean is(String value) {
            return text.equals(value);
        }

        boolean identifier() {
            return !text.isEmpty() && (Character.isLetter(text.charAt(0)) || text.charAt(0) == '_');
        }
    }

    static List<Token> of(String source) {
        List<Token> tokens = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c) || c == '\\') { // '\' outside a string only continues a line
                i++;
            } else if (c == '#') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'') {
                int end = endOfString(source, i);
                line += count(source, i, end, '\n');
                i = end;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = i;
                boolean number = Character.isDigit(c);
                while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_'
                        || (number && source.charAt(i) == '.'))) {
                    i++;
                }
                tokens.add(new Token(source.substring(start, i), line));
            } else {
                tokens.add(new Token(String.valueOf(c), line));
                i++;
            }
        }
        return tokens;
    }

    /** The index after the string literal starting at {@code start} (single, double or triple quoted). */
    private static int endOfString(String source, int start) {
        char quote = source.charAt(start);
        String triple = String.valueOf(quote).repeat(3);
        boolean isTriple = source.startsWith(triple, start);
        int i = start + (isTriple ? 3 : 1);
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (isTriple ? source.startsWith(triple, i) : c == quote) {
                return i + (isTriple ? 3 : 1);
            } else if (c == '\n' && !isTriple) {
                return i; // an unterminated string: PyTorch refuses it; the rest is still read as code
            } else {
                i++;
            }
        }
        return source.length();
    }

    private static int count(String source, int from, int to, char c) {
        int found = 0;
        for (int i = from; i < Math.min(to, source.length()); i++) {
            if (source.charAt(i) == c) {
                found++;
            }
        }
        return found;
    }
}
