package dev.turnout.engine;

import dev.turnout.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchScriptArchiveTest {

    static final long LIMIT = 1024 * 1024;
    static final String HEAD = "class M(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
            + "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n";

    @TempDir
    Path dir;

    @Test
    void modelsPyTorchWroteArePassed() {
        for (String fixture : new String[] {"linear-v1.pt", "linear-v2.pt", "mlp.pt"}) {
            assertDoesNotThrow(() -> TorchScriptArchive.check(Fixtures.model(fixture).toPath(), LIMIT), fixture);
        }
    }

    @Test
    void theCommittedFileReaderIsRefused() {
        String message = refusedUnsafe(Fixtures.model("reads-a-file.pt").toPath());
        assertTrue(message.contains("calls torch.from_file, which reads or writes files"), message);
        assertTrue(message.contains("reads-a-file/code/__torch__.py, line 8"), message);
    }

    @Test
    void fileOpsInEverySpellingPyTorchResolves() throws IOException {
        Map<String, String> spellings = new LinkedHashMap<>();
        spellings.put("    return torch.from_file(\"/etc/passwd\", False, 1)\n", "from_file");
        spellings.put("    return ops.aten.from_file(\"/etc/passwd\", False, 1)\n", "from_file");
        spellings.put("    torch.save(x, \"/tmp/out\")\n    return x\n", "torch.save");
        spellings.put("    torch . save (x, \"/tmp/out\")\n    return x\n", "torch.save");
        spellings.put("    torch.\\\n      save(x, \"/tmp/out\")\n    return x\n", "torch.save");
        spellings.put("    (torch  # a comment between\n      .save)(x, \"/tmp/out\")\n    return x\n", "torch.save");
        spellings.put("    ops.aten.save(x, \"/tmp/out\")\n    return x\n", "ops.aten.save");
        spellings.put("    return torch.ops.aten.save(x, \"/tmp/out\")\n", "torch.ops.aten.save");
        spellings.put("    return torch.load(\"/tmp/out\")\n", "torch.load");
        spellings.put("    f = open(\"/etc/passwd\")\n    return x\n", "open(...)");
        spellings.put("    t = torch\n    return t.abs(x)\n", "the module 'torch'");
        spellings.put("    return getattr(torch, \"sa\" \"ve\")(x, \"/tmp/out\")\n", "the module 'torch'");
        spellings.put("    a = ops.aten\n    return a.abs(x)\n", "'ops.aten'");
        spellings.put("    o = ops\n    return x\n", "'ops'");
        spellings.put("    return ops.my_ns.my_op(x)\n", "op namespace 'my_ns'");
        spellings.put("    return torch.ops.image.read_file(x)\n", "op namespace 'image'");
        for (var spelling : spellings.entrySet()) {
            String message = refusedUnsafe(archive(Map.of("m/code/__torch__.py", HEAD + spelling.getKey())));
            assertTrue(message.contains(spelling.getValue()), spelling.getKey() + " -> " + message);
        }
    }

    @Test
    void mentionsThatAreNotCallsPass() throws IOException {
        String body = "    # torch.from_file(\"/etc/passwd\") and torch.save in a comment\n"
                + "    s = \"torch.save(x, 'f') ops.my_ns.op open(\"\n"
                + "    d = '''ops.evil.op\n    torch.load'''\n"
                + "    y = (self.ops).open(x, )\n"                    // a submodule's method named open
                + "    z = __torch__.torch.nn.modules.linear.Linear\n" // the serialiser's class names
                + "    q = ops.quantized.linear(x, self.packed, 1., 0)\n"
                + "    return ops.prim.NumToTensor(torch.add(x, 1))\n";
        assertDoesNotThrow(() -> TorchScriptArchive.check(archive(Map.of("m/code/__torch__.py", HEAD + body)), LIMIT));
    }

    @Test
    void operatorNamesInPicklesAreRefused() throws IOException {
        Path mobile = archive(Map.of("m/code/__torch__.py", HEAD + "    return x\n",
                "m/bytecode.pkl", "\u0080\u0002X\u000f\u0000\u0000\u0000aten::from_fileq\u0000."));
        assertTrue(refusedUnsafe(mobile).contains("aten::from_file"));
        Path debugInfo = archive(Map.of("m/code/__torch__.py", HEAD + "    return x\n",
                "m/code/__torch__.py.debug_pkl", "the original source said aten::from_file"));
        assertDoesNotThrow(() -> TorchScriptArchive.check(debugInfo, LIMIT)); // source ranges, never run
    }

    @Test
    void namesThatClimbOutOfTheArchive() throws IOException {
        for (String name : new String[] {"../evil.py", "m/../../evil", "/etc/evil", "m\\..\\evil", "c:evil"}) {
            Path zip = archive(Map.of(name, "x"));
            var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(zip, LIMIT), name);
            assertTrue(e.getMessage().contains("names must stay inside the archive"), e.getMessage());
        }
    }

    @Test
    void zipBombsAndEntryFloods() throws IOException {
        Path bomb = dir.resolve("bomb.pt");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            out.putNextEntry(new ZipEntry("m/data/0")); // deflated zeros: 4 MB in a few kilobytes
            out.write(new byte[4 * 1024 * 1024]);
            out.closeEntry();
        }
        assertTrue(Files.size(bomb) < LIMIT);
        var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(bomb, LIMIT));
        assertTrue(e.getMessage().contains("unpack to more than 1048576 bytes"), e.getMessage());

        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 11; i++) {
            many.put("m/data/" + i, "");
        }
        Path flood = archive(many);
        e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(flood, LIMIT, 10));
        assertTrue(e.getMessage().contains("11 entries; at most 10"), e.getMessage());
    }

    @Test
    void duplicateNames() throws IOException {
        // a reader that takes the first entry of a name would check other code than a reader that takes the last
        Path zip = dir.resolve("duplicate.pt");
        byte[] first = zipOf("m/code/__torch__.py", HEAD + "    return x\n");
        byte[] second = zipOf("m/code/__torch__.py", HEAD + "    return torch.from_file(\"/etc/passwd\", False, 1)\n");
        Files.write(zip, concatenateZips(first, second));
        var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(zip, LIMIT));
        assertTrue(e.getMessage().contains("two entries named 'm/code/__torch__.py'"), e.getMessage());
    }

    @Test
    void notAZip() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pt"), "this is not a model at all");
        var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(garbage, LIMIT));
        assertEquals(InvalidModelException.Reason.NOT_LOADABLE, e.reason());
        assertTrue(e.getMessage().contains("not a valid zip archive"), e.getMessage());
    }

    @Test
    void namesThatAreNotUtf8() throws IOException {
        Path zip = dir.resolve("latin1.pt");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip), StandardCharsets.ISO_8859_1)) {
            out.putNextEntry(new ZipEntry("m/code/caf\u00e9.py"));
            out.write("x".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(zip, LIMIT));
        assertEquals(InvalidModelException.Reason.NOT_LOADABLE, e.reason());
    }

    String refusedUnsafe(Path archive) {
        var e = assertThrows(InvalidModelException.class, () -> TorchScriptArchive.check(archive, LIMIT));
        assertEquals(InvalidModelException.Reason.UNSAFE, e.reason(), e.getMessage());
        return e.getMessage();
    }

    Path archive(Map<String, String> entries) throws IOException {
        Path zip = Files.createTempFile(dir, "archive", ".pt");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (var entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.ISO_8859_1));
                out.closeEntry();
            }
        }
        return zip;
    }

    static byte[] zipOf(String name, String content) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry(name));
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * One zip whose central directory lists the entries of both: the local entries of each, then both central
     * directories' records, then an end record counting them all (offsets of the second zip's records shifted).
     */
    static byte[] concatenateZips(byte[] a, byte[] b) {
        int endA = endRecord(a);
        int endB = endRecord(b);
        int cenA = readInt(a, endA + 16);
        int cenSizeA = readInt(a, endA + 12);
        int cenB = readInt(b, endB + 16);
        int cenSizeB = readInt(b, endB + 12);
        var out = new java.io.ByteArrayOutputStream();
        out.write(a, 0, cenA);
        out.write(b, 0, cenB);
        out.write(a, cenA, cenSizeA);
        byte[] cen = java.util.Arrays.copyOfRange(b, cenB, cenB + cenSizeB);
        writeInt(cen, 42, readInt(cen, 42) + cenA); // the record's local header offset
        out.write(cen, 0, cen.length);
        byte[] end = java.util.Arrays.copyOfRange(a, endA, a.length);
        int entries = (a[endA + 10] & 0xff) + (b[endB + 10] & 0xff);
        end[8] = (byte) entries;
        end[10] = (byte) entries;
        writeInt(end, 12, cenSizeA + cenSizeB);
        writeInt(end, 16, cenA + cenB);
        out.write(end, 0, end.length);
        return out.toByteArray();
    }

    static int endRecord(byte[] zip) {
        for (int i = zip.length - 22; i >= 0; i--) {
            if (readInt(zip, i) == 0x06054b50) {
                return i;
            }
        }
        throw new IllegalArgumentException("no end record");
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    static void writeInt(byte[] b, int at, int value) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
