package dev.turnout.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.djl.engine.Engine;
import dev.turnout.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upload proof's header, loaded by ONNX Runtime itself beside the model it points into. */
class OnnxProofHeaderTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() throws Exception {
        // ONNX Runtime's environment as the server makes it, through DJL (with its thread pool): one created here
        // first would make DJL's fail in every later test of this JVM
        DjlEnvironment.configure(Path.of("target", "test-data", "djl"), 1);
        Engine.getEngine("OnnxRuntime");
    }

    @Test
    void pointsIntoTheModelForItsLargeWeightsAndAnswersTheSame() throws Exception {
        Path model = spooled("wide-weights.onnx");
        OnnxProofHeader.Layout layout = OnnxExternalData.walkSelfContained(model).layout();
        // W1 (4 KiB) and W2 (2 KiB) move out; b (256 bytes), between them, stays inline
        assertEquals(2, layout.tensors().size());
        assertEquals(16 * 64 * 4, layout.tensors().get(0).rawData().length());
        assertEquals(64 * 8 * 4, layout.tensors().get(1).rawData().length());
        Path header = OnnxProofHeader.write(model, layout).orElseThrow();
        assertEquals(dir, header.getParent());
        long moved = (16 * 64 + 64 * 8) * 4;
        assertTrue(Files.size(header) < Files.size(model) - moved + 200, Files.size(header) + " bytes");

        Random random = new Random(7);
        float[][] x = new float[5][16];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        float[][] whole = run(model, x);
        float[][] viaHeader = run(header, x);
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(whole[i], viaHeader[i], 0f, "row " + i);
        }
    }

    @Test
    void smallWeightsNeedNoHeader() throws Exception {
        Path model = spooled("mlp.onnx");
        assertEquals(Optional.empty(), OnnxProofHeader.write(model, OnnxExternalData.walkSelfContained(model).layout()));
    }

    @Test
    void weightsThatDoNotFitTheirDimsAreRefusedThroughTheHeaderAsWhole() throws Exception {
        Path model = spooled("weights-mismatch.onnx");
        Path header = OnnxProofHeader.write(model, OnnxExternalData.walkSelfContained(model).layout()).orElseThrow();
        assertThrows(OrtException.class, () -> run(model, new float[1][16]));
        assertThrows(OrtException.class, () -> run(header, new float[1][16]));
    }

    @Test
    void aModelOverOneProtobufsLimitGetsNoHeader() throws Exception {
        // ONNX Runtime parses a model file of 2 GiB or more as one protobuf and refuses it; loaded through a header of
        // a few bytes it would pass the proof, and every replica would then fail to load the accepted version
        Path model = spooled("wide-weights.onnx");
        OnnxProofHeader.Layout layout = OnnxExternalData.walkSelfContained(model).layout();
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(model.toFile(), "rw")) {
            file.setLength(Integer.MAX_VALUE); // sparse: no disk used; the walk above saw the real model
        }
        assertEquals(Optional.empty(), OnnxProofHeader.write(model, layout));
    }

    /** A fixture copied under a name without .onnx, as the upload spool names it. */
    private Path spooled(String fixture) throws Exception {
        Path model = dir.resolve("upload-" + fixture + ".part");
        Files.copy(Fixtures.model(fixture).toPath(), model);
        return model;
    }

    private static float[][] run(Path model, float[][] x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, x);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            return (float[][]) result.get(0).getValue();
        }
    }
}
