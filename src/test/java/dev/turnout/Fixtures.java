package dev.turnout;

import java.io.File;
import java.net.URISyntaxException;
import java.util.UUID;

/** The committed test models (made by scripts/make-fixtures.py) and unique names so test classes never collide. */
public final class Fixtures {

    public static final String LINEAR_SIGNATURE = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,1]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}";
    public static final String MLP_SIGNATURE = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]}";

    private Fixtures() {
    }

    public static File model(String fileName) {
        try {
            return new File(Fixtures.class.getResource("/models/" + fileName).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy of an ONNX fixture with bytes no other test shares (an unknown protobuf field, which ONNX Runtime ignores,
     * is appended), so a test may corrupt its stored artifact without touching anyone else's.
     */
    public static File uniqueOnnx(String fileName) {
        try {
            File copy = File.createTempFile("unique-", "-" + fileName);
            copy.deleteOnExit();
            byte[] original = java.nio.file.Files.readAllBytes(model(fileName).toPath());
            long marker = new java.util.Random().nextLong() & Long.MAX_VALUE;
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(original);
            out.write(new byte[] {(byte) 0x98, 0x06}); // field 99, varint: not a ModelProto field
            do {
                int low = (int) (marker & 0x7f);
                marker >>>= 7;
                out.write(marker == 0 ? low : low | 0x80);
            } while (marker != 0);
            java.nio.file.Files.write(copy.toPath(), out.toByteArray());
            return copy;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
