package dev.turnout.engine;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.InvalidModelException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Loads artifacts into DJL and proves them: each load ends with one inference on zeros shaped by the signature, so
 * a model that loads but cannot run (or whose TorchScript signature was declared wrongly) is refused here.
 */
@ApplicationScoped
public class ModelLoader {

    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    private final Settings settings;

    @Inject
    public ModelLoader(TurnoutConfig config) throws IOException {
        this(new Settings(config.dataDir().resolve("djl"), config.engine().intraOpThreads(),
                config.serving().maxTensorElements(), config.serving().maxOutputElements(),
                config.registry().maxUploadSize().asLongValue()));
    }

    /** For a process without CDI: the isolated TorchScript proof. */
    ModelLoader(Settings settings) throws IOException {
        this.settings = settings;
        DjlEnvironment.configure(settings.djlCache(), settings.intraOpThreads());
    }

    /**
     * What loading depends on.
     *
     * @param maxArchiveBytes the most a TorchScript archive may unpack to (the upload limit)
     */
    record Settings(Path djlCache, int intraOpThreads, int maxTensorElements, long maxOutputElements,
                    long maxArchiveBytes) {
    }

    /**
     * Proves an uploaded artifact: loads it, settles its signature, runs it once.
     *
     * @param declared the signature the uploader gave, or null; required for TorchScript, which does not carry one
     */
    public LoadedModel inspect(Path file, ModelFormat format, Signature declared) throws InvalidModelException {
        // Before an engine opens the file; for ONNX the same walk reads the signature the graph declares, so the one
        // ONNX Runtime session opened is DJL's.
        if (format == ModelFormat.ONNX) {
            OnnxExternalData.Walked walked = OnnxExternalData.walkSelfContained(file);
            return proveOnnx(file, walked.layout(), signatureOf(walked.signature(), format, declared));
        }
        Signature read = requireSafe(file, format, settings.maxArchiveBytes());
        return openAndWarm(file, format, signatureOf(read, format, declared), LoadedModel.PoolSize.SINGLE, 1);
    }

    /**
     * Loads an uploaded ONNX model through a small header that points into the file for its large weights (see
     * {@link OnnxProofHeader}): ONNX Runtime then maps them instead of copying them out of the parsed protobuf, which
     * halves the fresh memory a large model's proof needs. The header's session skips constant folding (see
     * {@link #PROOF_SKIPS}). If the header cannot be written or does not load, the original file is loaded as serving
     * loads it, so a refusal's verdict and its messages are the ones an uploader sees.
     */
    private LoadedModel proveOnnx(Path file, OnnxProofHeader.Layout layout, Signature signature)
            throws InvalidModelException {
        Optional<Path> header;
        try {
            header = OnnxProofHeader.write(file, layout);
        } catch (IOException e) {
            LOG.debugf(e, "could not write the proof header for %s; loading it whole", file.getFileName());
            header = Optional.empty();
        }
        if (header.isEmpty()) {
            return openAndWarm(file, ModelFormat.ONNX, signature, LoadedModel.PoolSize.SINGLE, 1);
        }
        try (OrtSession.SessionOptions proofOptions = proofSessionOptions()) {
            return openAndWarm(header.get(), ModelFormat.ONNX, signature, LoadedModel.PoolSize.SINGLE, 1, proofOptions);
        } catch (OrtException e) {
            LOG.debugf("no proof session options for %s (%s); loading it whole", file.getFileName(), e.getMessage());
            return openAndWarm(file, ModelFormat.ONNX, signature, LoadedModel.PoolSize.SINGLE, 1);
        } catch (InvalidModelException e) {
            LOG.debugf("the proof header of %s did not load (%s); loading it whole", file.getFileName(), e.getMessage());
            return openAndWarm(file, ModelFormat.ONNX, signature, LoadedModel.PoolSize.SINGLE, 1);
        } finally {
            try {
                Files.deleteIfExists(header.get());
            } catch (IOException e) {
                LOG.warnf(e, "could not delete the proof header %s", header.get());
            }
        }
    }

    /**
     * Loads a registered artifact for serving with the signature the registry recorded, and warms it up with
     * {@code warmups} inferences on zeros before returning it.
     */
    public LoadedModel load(Path file, ModelFormat format, Signature signature, LoadedModel.PoolSize pool, int warmups)
            throws InvalidModelException {
        // Defence in depth: uploads are checked, but versions registered before those checks were added are not.
        // (Their size was checked at upload, against a limit that may since have changed.)
        requireSafe(file, format, Long.MAX_VALUE);
        return openAndWarm(file, format, signature, pool, warmups);
    }

    /**
     * Refuses an ONNX model whose tensors point at files outside it (data_location EXTERNAL): ONNX Runtime would read
     * them relative to the model's directory. Cheap: the walk skips weights without reading them. Refuses TorchScript
     * whose code reaches for files or custom ops (see {@link TorchScriptArchive}); it reads only code and pickles.
     *
     * @return the signature an ONNX graph declares; null for TorchScript, which declares none
     */
    static Signature requireSafe(Path file, ModelFormat format, long maxArchiveBytes) throws InvalidModelException {
        return switch (format) {
            case ONNX -> OnnxExternalData.requireSelfContained(file);
            case TORCHSCRIPT -> {
                TorchScriptArchive.check(file, maxArchiveBytes);
                yield null;
            }
        };
    }

    /**
     * The graph optimizer the proof header's session leaves out (ONNX Runtime's
     * {@code optimization.disable_specified_optimizers}). To fold a node, ONNX Runtime 1.21 first copies each of its
     * constant inputs whole into fresh memory, mapped weights included: for a node reading a 1.1 GB weight that copy
     * was the whole proof (2.5 s of a core alone, 3.2-3.6 s beside a PUT; 12 ms without it, bench/README.md). What is
     * given up: the header's graph is not folded, so optimizations that only apply to folded constants are not tried;
     * every node still runs in the smoke inference, with the same kernels on the same weights. This only ever accepts
     * more: a header that does not load falls back to the whole file, loaded with every optimizer as serving loads it.
     */
    static final String PROOF_SKIPS = "ConstantFolding";

    private static OrtSession.SessionOptions proofSessionOptions() throws OrtException {
        Engine.getEngine(ModelFormat.ONNX.djlEngine()); // DJL creates ONNX Runtime's environment, with its settings
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.addConfigEntry("optimization.disable_specified_optimizers", PROOF_SKIPS);
        return options;
    }

    private LoadedModel openAndWarm(Path file, ModelFormat format, Signature signature, LoadedModel.PoolSize pool,
                                    int warmups) throws InvalidModelException {
        return openAndWarm(file, format, signature, pool, warmups, null);
    }

    private LoadedModel openAndWarm(Path file, ModelFormat format, Signature signature, LoadedModel.PoolSize pool,
                                    int warmups, OrtSession.SessionOptions sessionOptions) throws InvalidModelException {
        requireServableInputs(signature);
        long start = System.nanoTime();
        ZooModel<Tensor[], Tensor[]> model = open(file, format, signature, sessionOptions);
        LoadedModel loaded = new LoadedModel(format, signature, model, pool);
        long loadedAt = System.nanoTime();
        try {
            for (int i = 0; i < Math.max(1, warmups); i++) {
                smokeTest(loaded);
            }
            loaded.timings(Duration.ofNanos(loadedAt - start), Duration.ofNanos(System.nanoTime() - loadedAt));
            return loaded;
        } catch (InvalidModelException | RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** The signature to record: the declared one (checked against {@code read} for ONNX), else the one read. */
    static Signature signatureOf(Signature read, ModelFormat format, Signature declared) throws InvalidModelException {
        if (format == ModelFormat.TORCHSCRIPT) {
            if (declared == null) {
                throw new InvalidModelException(Reason.SIGNATURE_REQUIRED,
                        "TorchScript models do not carry a signature; send one in the 'signature' part");
            }
            return declared;
        }
        if (declared != null) {
            var problem = read.disagreement(declared);
            if (problem.isPresent()) {
                throw new InvalidModelException(Reason.SIGNATURE_MISMATCH,
                        "the given signature does not match the model: " + problem.get());
            }
            return declared;
        }
        return read;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ZooModel<Tensor[], Tensor[]> open(Path file, ModelFormat format, Signature signature,
                                              OrtSession.SessionOptions sessionOptions)
            throws InvalidModelException {
        String threads = Integer.toString(settings.intraOpThreads());
        // DJL's OnnxRuntime engine takes a SessionOptions object under "sessionOptions" (and still applies the thread
        // counts below to it); Criteria's options are typed as strings, hence the raw map.
        Map<String, Object> options = new HashMap<>();
        if (sessionOptions != null) {
            options.put("sessionOptions", sessionOptions);
        }
        Criteria<Tensor[], Tensor[]> criteria = Criteria.builder()
                .setTypes(Tensor[].class, Tensor[].class)
                .optEngine(format.djlEngine())
                .optModelPath(file)
                .optTranslator(new TensorTranslator(signature, settings.maxOutputElements()))
                // ONNX Runtime applies intraOpNumThreads only when interOpNumThreads is given too.
                .optOptions((Map) options)
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", threads)
                .build();
        try {
            return criteria.loadModel();
        } catch (MalformedModelException | ModelNotFoundException | IOException | RuntimeException e) {
            throw new InvalidModelException(Reason.NOT_LOADABLE,
                    format.djlEngine() + " cannot load it as " + format.id() + ": "
                            + EngineMessages.clean(rootMessage(e), file), e);
        }
    }

    /**
     * Refuses a signature whose smallest input (every dynamic dimension at 1) is over the elements a request may carry:
     * such a model could never be served, and its smoke test would allocate without bound (or overflow).
     */
    private void requireServableInputs(Signature signature) throws InvalidModelException {
        long limit = settings.maxTensorElements();
        for (TensorSpec spec : signature.inputs()) {
            long count = 1;
            for (long dim : spec.shape()) {
                long size = dim == TensorSpec.DYNAMIC ? 1 : dim;
                if (size > limit || (count *= size) > limit) { // both factors <= the limit: no overflow
                    throw new InvalidModelException(Reason.SIGNATURE_MISMATCH, "input '" + spec.name() + "' takes "
                            + spec.datatype() + spec.shape() + ": even with dynamic dimensions at 1 that is more than "
                            + "the " + limit + " elements a request may carry (turnout.serving.max-tensor-elements)");
                }
            }
        }
    }

    private static void smokeTest(LoadedModel model) throws InvalidModelException {
        Signature signature = model.signature();
        if (!signature.inputs().stream().allMatch(spec -> spec.datatype().servable())) {
            LOG.debugf("skipping the smoke inference: %s has inputs of types that cannot be served", signature);
            return;
        }
        Tensor[] inputs = signature.inputs().stream().map(Tensor::zeros).toArray(Tensor[]::new);
        TensorSpec[] outputs;
        try {
            // Shapes and datatypes only: an output of any size stays in the engine's memory.
            outputs = model.probe(inputs);
        } catch (TranslateException | RuntimeException e) {
            throw new InvalidModelException(Reason.SIGNATURE_MISMATCH,
                    "the model does not run on inputs shaped by its signature " + signature.inputs() + ": "
                            + EngineMessages.clean(rootMessage(e), null), e);
        }
        checkOutputs(signature, outputs);
    }

    private static void checkOutputs(Signature signature, TensorSpec[] outputs) throws InvalidModelException {
        if (outputs.length != signature.outputs().size()) {
            throw new InvalidModelException(Reason.SIGNATURE_MISMATCH, "the model returned " + outputs.length
                    + " outputs, the signature declares " + signature.outputs().size());
        }
        for (int i = 0; i < outputs.length; i++) {
            TensorSpec spec = signature.outputs().get(i);
            if (outputs[i].datatype() != spec.datatype() || outputs[i].shape().size() != spec.shape().size()) {
                throw new InvalidModelException(Reason.SIGNATURE_MISMATCH, "the model returned " + outputs[i]
                        + " for output " + i + ", the signature declares " + spec);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
