package dev.turnout.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** DJL reads these once, when an engine first starts, so they are set before any model loads. */
final class DjlEnvironment {

    private DjlEnvironment() {
    }

    static synchronized void configure(Path cacheDir, int threads) throws IOException {
        Files.createDirectories(cacheDir);
        // Never reach for the network: both engines' native libraries ship in jars on the classpath.
        setDefault("ai.djl.offline", "true");
        // Without this every ONNX load also starts PyTorch as ONNX Runtime's "alternative" engine.
        setDefault("ai.djl.onnx.disable_alternative", "true");
        setDefault("DJL_CACHE_DIR", cacheDir.toAbsolutePath().toString());
        setDefault("ENGINE_CACHE_DIR", cacheDir.toAbsolutePath().toString());
        setDefault("ai.djl.pytorch.num_threads", Integer.toString(threads));
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        setDefault("ai.djl.default_engine", "OnnxRuntime");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
