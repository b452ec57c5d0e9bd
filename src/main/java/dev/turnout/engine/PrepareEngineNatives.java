package dev.turnout.engine;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Extracts the PyTorch native libraries (about 430 MB from the pytorch-native jar) into a directory once, at image
 * build time, instead of into every pod's data directory on its first TorchScript load:
 * {@code java -cp 'app/*:lib/main/*' dev.turnout.engine.PrepareEngineNatives DIR}; the server then runs with the
 * environment variable {@code ENGINE_CACHE_DIR=DIR} (DJL reads it before the system property Turnout sets), which it
 * only reads. See README "Container image".
 */
public final class PrepareEngineNatives {

    private PrepareEngineNatives() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PrepareEngineNatives ENGINE_CACHE_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        String fromEnvironment = System.getenv("ENGINE_CACHE_DIR");
        if (fromEnvironment != null && !Path.of(fromEnvironment).toAbsolutePath().equals(dir)) {
            System.err.println("ENGINE_CACHE_DIR is set to " + fromEnvironment + ", not " + dir);
            System.exit(2);
        }
        System.setProperty("ENGINE_CACHE_DIR", dir.toString());
        DjlEnvironment.configure(dir, 1);
        Engine pytorch = Engine.getEngine(ModelFormat.TORCHSCRIPT.djlEngine());
        System.out.println("PyTorch " + pytorch.getVersion() + " natives ready in " + dir);
    }
}
