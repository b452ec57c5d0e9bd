package dev.turnout.engine;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns an engine's error message into one a client may read: its first line, with the server's file paths and the
 * native source locations ONNX Runtime and PyTorch put in their messages
 * ({@code /onnxruntime_src/.../model.cc:165 onnxruntime::Model::Model(...)}) taken out.
 */
final class EngineMessages {

    /** A C/C++ source location, optionally followed by the signature of the function that failed. */
    private static final Pattern NATIVE_LOCATION = Pattern.compile(
            "[\\w./-]*\\.(?:cc|cpp|cxx|c|h|hpp):\\d+(?::\\d+)?"
                    + "(?:\\s+(?:[\\w~]+(?:::[\\w~]+)+\\s+)?[\\w~]+(?:::[\\w~]+)+\\([^)]*\\)(?:\\s*const)?)?");

    private EngineMessages() {
    }

    /** The first line of {@code message}, with every mention of {@code file} replaced by "the artifact". */
    static String clean(String message, Path file) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        if (file != null) {
            line = line.replace(file.toAbsolutePath().toString(), "the artifact")
                    .replace(file.toString(), "the artifact");
            Path name = file.getFileName();
            if (name != null && name.toString().length() > 3) {
                line = line.replace(name.toString(), "the artifact");
            }
        }
        return NATIVE_LOCATION.matcher(line).replaceAll(" ").replaceAll("\\s{2,}", " ").strip();
    }
}
