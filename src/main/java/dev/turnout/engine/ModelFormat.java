package dev.turnout.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The artifact formats Turnout serves. Pickle-based formats (Python pickles run arbitrary Python when loaded) are absent.
 * TorchScript is code too, though only TorchScript's own ops: {@link TorchScriptArchive} refuses the ones that reach
 * for files, and uploads are proved in a separate process ({@link IsolatedTorchScriptProof}).
 */
public enum ModelFormat {
    ONNX("onnx", "OnnxRuntime"),
    TORCHSCRIPT("torchscript", "PyTorch");

    private final String id;
    private final String djlEngine;

    ModelFormat(String id, String djlEngine) {
        this.id = id;
        this.djlEngine = djlEngine;
    }

    public String id() {
        return id;
    }

    String djlEngine() {
        return djlEngine;
    }

    public static Optional<ModelFormat> parse(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
    }

    /**
     * Guesses the format from the first bytes: TorchScript archives are zip files ("PK\3\4"); an ONNX model is a
     * protobuf ModelProto whose first field is normally ir_version (field 1, varint: byte 0x08).
     */
    public static Optional<ModelFormat> detect(Path file) throws IOException {
        byte[] head = new byte[4];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Optional.of(TORCHSCRIPT);
        }
        if (read >= 1 && head[0] == 0x08) {
            return Optional.of(ONNX);
        }
        return Optional.empty();
    }
}
