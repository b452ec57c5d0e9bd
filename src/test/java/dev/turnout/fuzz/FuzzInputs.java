package dev.turnout.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generators of malformed (and almost-valid) inputs, all driven by one {@link Random}, so a seed replays a run
 * exactly. JSON is built as plain Java values (Map, List, String, Number, Boolean, null, {@link Raw}) and written by
 * {@link #json(Object)}, which can also write what no JSON library would: NaN, 1e999, 70-digit numbers, lone surrogates.
 */
final class FuzzInputs {

    /** JSON text written as is (invalid literals, huge numbers...). */
    record Raw(String text) {
    }

    static final String[] KEYS = {"inputs", "outputs", "name", "datatype", "shape", "data", "id", "parameters",
            "instances", "signature_name", "example", "input_data", "x", "y", "version", "reason", "force", "require",
            "metrics", "tags", "description", "", "__proto__", "constructor", "$ref", "\u0000", "😀", "a".repeat(300)};

    static final String[] DATATYPES = {"FP32", "FP64", "INT32", "INT64", "BOOL", "FP16", "UINT8", "INT8", "BYTES",
            "fp32", "FLOAT", "", " FP32", "FP32\u0000", "STRING"};

    static final String[] RAW_NUMBERS = {"NaN", "-NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "-0",
            "0.0000000000000000000000000000001", "1" + "0".repeat(70), "-" + "9".repeat(64), "1.5e308", "3.4028236e38",
            "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "18446744073709551616", "0x10", "01", "+1", ".5", "5.", "1e", "--1", "1_000", "١"};

    private final Random random;

    FuzzInputs(Random random) {
        this.random = random;
    }

    Random random() {
        return random;
    }

    int between(int from, int to) {
        return from + random.nextInt(to - from + 1);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    @SafeVarargs
    final <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    byte[] bytes(int max) {
        byte[] bytes = new byte[random.nextInt(max + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    // -- values ----------------------------------------------------------------------------------------------------

    /** Any JSON value, nested at most {@code depth} more levels. */
    Object value(int depth) {
        int kind = random.nextInt(depth > 0 ? 12 : 9);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> number();
            case 3 -> new Raw(pick(RAW_NUMBERS));
            case 4, 5 -> string();
            case 6 -> pick(DATATYPES);
            case 7 -> random.nextInt(5) - 2;
            case 8 -> random.nextGaussian() * 1000;
            case 9 -> list(depth - 1);
            case 10 -> object(depth - 1);
            default -> deep(between(2, 80));
        };
    }

    Number number() {
        return switch (random.nextInt(8)) {
            case 0 -> random.nextInt();
            case 1 -> random.nextLong();
            case 2 -> -random.nextInt(10);
            case 3 -> random.nextDouble();
            case 4 -> random.nextInt(10) + 0.5;
            case 5 -> Double.MAX_VALUE;
            case 6 -> Integer.MAX_VALUE + 1L;
            default -> random.nextInt(5);
        };
    }

    List<Object> list(int depth) {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            list.add(value(depth));
        }
        return list;
    }

    Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            map.put(chance(0.7) ? pick(KEYS) : string(), value(depth));
        }
        return map;
    }

    /** Arrays (or objects) nested {@code depth} deep around a number, as text (no recursion however deep). */
    Raw deep(int depth) {
        boolean arrays = random.nextBoolean();
        return new Raw((arrays ? "[" : "{\"x\":").repeat(depth) + "1.0" + (arrays ? "]" : "}").repeat(depth));
    }

    String string() {
        return switch (random.nextInt(10)) {
            case 0 -> "";
            case 1 -> "x";
            case 2 -> "é日本語😀\u202e\u200b";
            case 3 -> "\u0000\u0001\n\t\"\\";
            case 4 -> "\ud800"; // a lone surrogate
            case 5 -> "a".repeat(between(100, 20_000));
            case 6 -> "../../../../etc/passwd";
            case 7 -> "${jndi:ldap://x/a}";
            case 8 -> "' OR 1=1; --";
            default -> randomText(between(1, 40));
        };
    }

    String randomText(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                text.append((char) between(0x20, 0x7e));
            } else if (kind < 8) {
                text.appendCodePoint(between(0xa0, 0x2fff));
            } else if (kind < 9) {
                text.append((char) random.nextInt(0x20));
            } else {
                text.appendCodePoint(between(0x1f300, 0x1f64f));
            }
        }
        return text.toString();
    }

    // -- mutation of a valid request -------------------------------------------------------------------------------

    /** A deep copy of {@code valid} with one thing changed: a value replaced, a key removed or added, a list grown. */
    Object mutate(Object valid) {
        Object copy = copy(valid);
        List<Object> containers = new ArrayList<>();
        collect(copy, containers);
        Object target = pick(containers);
        if (target instanceof Map<?, ?> rawMap) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) rawMap;
            List<String> keys = new ArrayList<>(map.keySet());
            int op = random.nextInt(keys.isEmpty() ? 1 : 4);
            if (op == 0) {
                map.put(chance(0.5) ? pick(KEYS) : string(), value(2));
            } else if (op == 1) {
                map.remove(pick(keys));
            } else {
                map.put(pick(keys), replacement());
            }
        } else {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            int op = random.nextInt(list.isEmpty() ? 1 : 4);
            if (op == 0) {
                list.add(value(2));
            } else if (op == 1) {
                list.remove(random.nextInt(list.size()));
            } else if (op == 2) {
                list.set(random.nextInt(list.size()), replacement());
            } else {
                Object element = list.get(random.nextInt(list.size()));
                for (int i = between(1, 3000); i > 0; i--) {
                    list.add(element);
                }
            }
        }
        return copy;
    }

    private Object replacement() {
        return switch (random.nextInt(4)) {
            case 0 -> shape();
            case 1 -> new Raw(pick(RAW_NUMBERS));
            default -> value(2);
        };
    }

    /** Shapes that break rules: empty, zero, negative, fractional, huge, overflowing, too many dimensions. */
    Object shape() {
        return switch (random.nextInt(14)) {
            case 0 -> List.of();
            case 1 -> List.of(0, 1);
            case 2 -> List.of(-1, 1);
            case 3 -> List.of(1.5, 1);
            case 4 -> List.of(2147483648L, 1);
            case 5 -> List.of(Long.MAX_VALUE, Long.MAX_VALUE);
            case 6 -> List.of(4194305, 1);
            case 7 -> List.of(2048, 2048, 2);
            case 8 -> java.util.Collections.nCopies(between(3, 200), 1);
            case 9 -> List.of("1", 1);
            case 10 -> java.util.Arrays.asList(null, 1);
            case 11 -> List.of(new Raw("1e3"), 1);
            case 12 -> List.of(new Raw("9223372036854775808"), 1);
            default -> List.of(-(long) between(2, 1000), between(0, 10));
        };
    }

    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, copy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(copy(v)));
            return copy;
        }
        return value;
    }

    private static void collect(Object value, List<Object> containers) {
        if (value instanceof Map<?, ?> map) {
            containers.add(value);
            map.values().forEach(v -> collect(v, containers));
        } else if (value instanceof List<?> list) {
            containers.add(value);
            list.forEach(v -> collect(v, containers));
        }
    }

    /** A JSON object with its keys in the given order (Map.of's order changes from one JVM to the next). */
    static Map<String, Object> obj(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    // -- text --------------------------------------------------------------------------------------------------------

    static String json(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Raw raw) {
            out.append(raw.text());
        } else if (value instanceof String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (var entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    /** Text broken as JSON: cut short, a stray character, trailing comma, comments, single quotes, a BOM. */
    String broken(String json) {
        return switch (random.nextInt(8)) {
            case 0 -> json.substring(0, random.nextInt(Math.max(1, json.length())));
            case 1 -> {
                int at = random.nextInt(json.length() + 1);
                yield json.substring(0, at) + pick("}", "]", ",", ":", "\"", "\\", "\u0000", "'", "/*") + json.substring(at);
            }
            case 2 -> json.replace("}", ",}");
            case 3 -> "// comment\n" + json;
            case 4 -> json.replace('"', '\'');
            case 5 -> "\ufeff" + json;
            case 6 -> json + json;
            default -> json.replace(":", "=");
        };
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
