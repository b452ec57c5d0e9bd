package dev.turnout.engine;

import dev.turnout.engine.InvalidModelException.Reason;
import dev.turnout.engine.TorchScriptTokens.Token;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a TorchScript archive before any engine opens it. The archive is a zip of TorchScript source
 * ({@code <name>/code/**.py}, compiled when it loads) and pickles; PyTorch's importer gives that source two ways to
 * reach operators: {@code torch.<op>} (the aten namespace) and {@code ops.<namespace>.<op>} (any namespace). Refused:
 * <ul>
 *   <li>ops that read or write files ({@code from_file}, {@code save}, {@code load}) and {@code open(...)};</li>
 *   <li>op namespaces other than aten, prim and quantized (custom ops, which need native libraries anyway);</li>
 *   <li>the {@code torch} or {@code ops} module used other than as {@code torch.<op>} / {@code ops.<ns>.<op>}
 *       ({@code t = torch}, {@code getattr(torch, "...")}): PyTorch resolves those too, under names no check can
 *       follow. PyTorch's own serialiser never writes them (it renames local variables called {@code ops} or
 *       {@code torch}), so ordinary archives pass;</li>
 *   <li>zips that are too big unpacked, have too many entries, duplicate names, or names that climb out of the
 *       archive.</li>
 * </ul>
 * Comments and string literals are not code and are skipped. This is a filter for what can be recognised, not a
 * sandbox: the upload's proof still runs in a separate process.
 */
public final class TorchScriptArchive {

    public static final int MAX_ENTRIES = 100_000;
    /** Largest source file; the code PyTorch writes for a model is kilobytes (its weights are elsewhere). */
    public static final int MAX_CODE_BYTES = 16 * 1024 * 1024;

    private static final Set<String> FILE_OPS = Set.of("from_file", "save", "load");
    private static final Set<String> OP_NAMESPACES = Set.of("aten", "prim", "quantized");
    /** The same ops as operator names, as the mobile bytecode pickle lists them. */
    private static final List<byte[]> PICKLED_FILE_OPS = FILE_OPS.stream()
            .map(op -> ("aten::" + op).getBytes(StandardCharsets.US_ASCII)).toList();

    private TorchScriptArchive() {
    }

    /**
     * @param maxUnpackedBytes the most the entries may hold unpacked together (the upload limit: a zip bomb is refused
     *                         before PyTorch inflates it)
     */
    public static void check(Path file, long maxUnpackedBytes) throws InvalidModelException {
        check(file, maxUnpackedBytes, MAX_ENTRIES);
    }

    static void check(Path file, long maxUnpackedBytes, int maxEntries) throws InvalidModelException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<ZipEntry> entries = entries(zip, maxEntries, maxUnpackedBytes);
            for (ZipEntry entry : entries) {
                String name = entry.getName();
                if (name.endsWith(".py")) {
                    checkCode(name, read(zip, entry));
                } else if (name.endsWith(".pkl")) { // not .debug_pkl: source ranges for error messages, never run
                    checkPickle(zip, entry);
                }
            }
        } catch (ZipException | IllegalArgumentException e) { // the JDK reports names that are not UTF-8 with the latter
            throw new InvalidModelException(Reason.NOT_LOADABLE, "it is not a valid zip archive, as TorchScript "
                    + "archives are (" + EngineMessages.clean(e.getMessage(), file) + ")", e);
        } catch (IOException e) {
            throw new InvalidModelException(Reason.NOT_LOADABLE, "the archive cannot be read: "
                    + EngineMessages.clean(e.getMessage(), file), e);
        }
    }

    private static List<ZipEntry> entries(ZipFile zip, int maxEntries, long maxUnpackedBytes)
            throws InvalidModelException {
        if (zip.size() > maxEntries) {
            throw refused("it has " + zip.size() + " entries; at most " + maxEntries + " are accepted");
        }
        List<ZipEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long unpacked = 0;
        for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
            ZipEntry entry = all.nextElement();
            String name = entry.getName();
            if (!safeName(name)) {
                throw refused("it has an entry named '" + printable(name) + "': names must stay inside the archive");
            }
            if (!names.add(name)) {
                throw refused("it has two entries named '" + printable(name) + "'");
            }
            if (entry.getSize() < 0 || (unpacked += entry.getSize()) > maxUnpackedBytes) {
                throw refused("its entries unpack to more than " + maxUnpackedBytes
                        + " bytes (turnout.registry.max-upload-size)");
            }
            entries.add(entry);
        }
        return entries;
    }

    private static boolean safeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || name.indexOf(':') >= 0) {
            return false;
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Reads a source entry, bounded: the central directory's sizes are the uploader's word, not the data's. */
    private static String read(ZipFile zip, ZipEntry entry) throws IOException, InvalidModelException {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] code = in.readNBytes(MAX_CODE_BYTES + 1);
            if (code.length > MAX_CODE_BYTES || code.length > entry.getSize()) {
                throw refused("its source file '" + printable(entry.getName()) + "' is over " + MAX_CODE_BYTES
                        + " bytes or larger than the archive says");
            }
            return new String(code, StandardCharsets.UTF_8);
        }
    }

    static void checkCode(String file, String source) throws InvalidModelException {
        List<Token> tokens = TorchScriptTokens.of(source);
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            boolean qualified = i > 0 && tokens.get(i - 1).is(".");
            boolean imported = i > 0 && (tokens.get(i - 1).is("import") || tokens.get(i - 1).is("from"));
            String where = " (" + printable(file) + ", line " + token.line() + ")";
            if (token.is("from_file")) {
                throw unsafe("calls from_file, which reads a file of the server" + where);
            }
            if (token.is("open") && !qualified && !(i > 0 && tokens.get(i - 1).is("def"))
                    && i + 1 < tokens.size() && tokens.get(i + 1).is("(")) {
                throw unsafe("calls open(...), which opens a file of the server" + where);
            }
            if (qualified || imported) {
                continue;
            }
            if (token.is("torch")) {
                List<String> path = attributePath(tokens, i);
                if (!path.isEmpty() && path.get(0).equals("ops")) {
                    checkOps("torch.ops", path.subList(1, path.size()), where);
                } else if (path.isEmpty()) {
                    throw unsafe("uses the module 'torch' other than as torch.<op>, which hides which op it calls"
                            + where);
                } else if (FILE_OPS.contains(path.get(0))) {
                    throw unsafe("calls torch." + path.get(0) + ", which reads or writes files" + where);
                }
            } else if (token.is("ops")) {
                checkOps("ops", attributePath(tokens, i), where);
            }
        }
    }

    private static void checkOps(String module, List<String> path, String where) throws InvalidModelException {
        if (path.size() < 2) {
            throw unsafe("uses '" + module + (path.isEmpty() ? "" : "." + path.get(0)) + "' other than as "
                    + module + ".<namespace>.<op>, which hides which op it calls" + where);
        }
        String namespace = path.get(0);
        String op = path.get(1);
        if (!OP_NAMESPACES.contains(namespace)) {
            throw unsafe("calls " + module + "." + namespace + "." + op + ": op namespace '" + namespace
                    + "' is not one of " + OP_NAMESPACES + " (custom ops need native libraries this server does not"
                    + " load)" + where);
        }
        if (namespace.equals("aten") && FILE_OPS.contains(op)) {
            throw unsafe("calls " + module + ".aten." + op + ", which reads or writes files" + where);
        }
    }

    /** The names after {@code tokens[start]} in {@code tokens[start].a.b.c}. */
    private static List<String> attributePath(List<Token> tokens, int start) {
        List<String> path = new ArrayList<>();
        for (int i = start + 1; i + 1 < tokens.size() && tokens.get(i).is(".") && tokens.get(i + 1).identifier(); i += 2) {
            path.add(tokens.get(i + 1).text());
        }
        return path;
    }

    /** Looks through a pickle for the file ops' operator names, streaming: a pickle may be large. */
    private static void checkPickle(ZipFile zip, ZipEntry entry) throws IOException, InvalidModelException {
        int overlap = PICKLED_FILE_OPS.stream().mapToInt(p -> p.length).max().orElse(0) - 1;
        byte[] window = new byte[64 * 1024 + overlap];
        int kept = 0;
        long total = 0;
        try (InputStream in = zip.getInputStream(entry)) {
            int read;
            while ((read = in.read(window, kept, window.length - kept)) > 0) {
                if ((total += read) > entry.getSize()) {
                    throw refused("its entry '" + printable(entry.getName()) + "' unpacks to more than the "
                            + entry.getSize() + " bytes the archive says");
                }
                int filled = kept + read;
                for (byte[] pattern : PICKLED_FILE_OPS) {
                    if (indexOf(window, filled, pattern) >= 0) {
                        throw unsafe("its pickle '" + printable(entry.getName()) + "' names the operator "
                                + new String(pattern, StandardCharsets.US_ASCII) + ", which reads or writes files");
                    }
                }
                kept = Math.min(overlap, filled);
                System.arraycopy(window, filled - kept, window, 0, kept);
            }
        }
    }

    private static int indexOf(byte[] data, int length, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String printable(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return shown.replaceAll("[\\p{Cntrl}]", "?");
    }

    private static InvalidModelException refused(String why) {
        return new InvalidModelException(Reason.NOT_LOADABLE, why);
    }

    private static InvalidModelException unsafe(String what) {
        return new InvalidModelException(Reason.UNSAFE, "the TorchScript code " + what + "; TorchScript is code, and "
                + "archives that reach for files or custom ops are refused");
    }
}
