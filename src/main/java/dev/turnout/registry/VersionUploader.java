package dev.turnout.registry;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.InvalidModelException;
import dev.turnout.engine.IsolatedTorchScriptProof;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.ModelLoader;
import dev.turnout.engine.Signature;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.storage.ArrivingFile;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.ContentAddress;
import dev.turnout.storage.StagedBlob;
import dev.turnout.storage.StoreKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns an upload into a version. Size and format are checked first; then the trial load with DJL (one load: the
 * ONNX signature comes from the protobuf walk) runs beside the hash and the store write, in the transaction that
 * records the version once the proof passed. A refused upload rolls it back and deletes what it wrote, so it leaves
 * nothing in any store.
 */
@ApplicationScoped
@Startup // reads turnout.registry.formats at start, so a wrong name stops the server then
public class VersionUploader {

    /** Artifact bytes uploaded, by model; serving registers it at zero for every model it serves. */
    public static final String UPLOADED_BYTES = "turnout.upload.bytes";
    private static final Logger LOG = Logger.getLogger(VersionUploader.class);

    private final ModelLoader loader;
    private final IsolatedTorchScriptProof isolatedProof;
    private final RegistryService registry;
    private final TurnoutConfig config;
    private final MeterRegistry meters;
    private final Set<ModelFormat> accepted;
    private final BlobStores stores;
    private final ArtifactCollector collector;
    /** Hashes, stores and records uploads while their proofs run on the request threads. */
    private final ExecutorService recorder = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "turnout-upload-recorder");
        thread.setDaemon(true);
        return thread;
    });

    public VersionUploader(ModelLoader loader, IsolatedTorchScriptProof isolatedProof, RegistryService registry,
                           TurnoutConfig config, MeterRegistry meters, BlobStores stores, ArtifactCollector collector) {
        this.stores = stores;
        this.collector = collector;
        this.meters = meters;
        this.loader = loader;
        this.isolatedProof = isolatedProof;
        this.registry = registry;
        this.config = config;
        this.accepted = acceptedFormats(config.registry().formats());
    }

    /**
     * Lets the store new artifacts go to write a streamed upload while it arrives; {@link #upload} of that file then
     * names what it wrote. The caller closes the result once the upload is answered.
     */
    public StagedBlob writeWhileArriving(ArrivingFile arriving) {
        return stores.current().writeWhileArriving(arriving);
    }

    /** The most bytes an artifact may have (turnout.registry.max-upload-size). */
    public long maxUploadSize() {
        return config.registry().maxUploadSize().asLongValue();
    }

    /** turnout.registry.formats as formats; a name that is no format stops the server at start. */
    static Set<ModelFormat> acceptedFormats(List<String> names) {
        Set<ModelFormat> formats = new LinkedHashSet<>();
        for (String name : names) {
            formats.add(ModelFormat.parse(name.trim()).orElseThrow(() -> new IllegalArgumentException(
                    "turnout.registry.formats names '" + name + "', which is not a format; known: onnx, torchscript")));
        }
        return formats;
    }

    /** Records the upload as a new version; {@code actor} is who uploaded it, for its event. */
    public VersionInfo upload(VersionUpload upload, String actor) {
        RegistryRules.checkModelName(upload.model());
        try {
            long size = Files.size(upload.artifact());
            long limit = config.registry().maxUploadSize().asLongValue();
            if (size > limit) {
                throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "the artifact is " + size + " bytes; the limit is " + limit + " (turnout.registry.max-upload-size)");
            }
            if (size == 0) {
                throw new TurnoutException(ErrorCode.INVALID_MODEL, "the artifact is empty");
            }
            ModelFormat format = upload.format() != null ? upload.format() : detect(upload);
            requireAccepted(format, upload.format() != null);
            // One pass over the bytes each, side by side: this thread proves the model (one DJL load) while another
            // hashes the spool and writes it to the store inside the transaction that waits for the proof.
            CompletableFuture<Signature> proof = new CompletableFuture<>();
            PhaseTimes times = new PhaseTimes();
            long start = System.nanoTime();
            Future<VersionInfo> recording = recorder.submit(() -> record(upload, format, size, proof, actor, times));
            try {
                proof.complete(prove(upload, format));
            } catch (RuntimeException | Error e) {
                proof.completeExceptionally(e);
            }
            long proven = System.nanoTime();
            VersionInfo version = await(recording);
            meters.counter(UPLOADED_BYTES, "model", version.model()).increment(size);
            // bench/upload-large.sh reads the phases from this line
            LOG.infof("Registered %s version %d (%s, %d bytes, sha256 %s) %d ms after the spool was complete: proof "
                    + "%d ms, beside it sha256 %d ms then store write and record %d ms (waiting for the proof)",
                    version.model(), version.version(), format.id(), size, version.sha256(),
                    (System.nanoTime() - start) / 1_000_000, (proven - start) / 1_000_000, times.hashNanos / 1_000_000,
                    times.recordNanos / 1_000_000);
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled upload", e);
        }
    }

    /**
     * Hashes the spool, then stores and records the version in one transaction that waits for the proof. A refusal
     * rolls it back; bytes already written to a store outside PostgreSQL are deleted before the refusal is answered,
     * unless a row references them by then (the same bytes uploaded concurrently).
     */
    private VersionInfo record(VersionUpload upload, ModelFormat format, long size, Future<Signature> proof,
                               String actor, PhaseTimes times) throws IOException {
        long start = System.nanoTime();
        // A body streamed in was hashed on its way to the spool; a multipart part is read once more here.
        String sha256 = upload.receivedSha256() != null ? upload.receivedSha256() : Digests.sha256(upload.artifact());
        long hashed = System.nanoTime();
        times.hashNanos = hashed - start;
        if (upload.sha256() != null && !upload.sha256().equalsIgnoreCase(sha256)) {
            throw new TurnoutException(ErrorCode.DIGEST_MISMATCH, "the artifact's sha256 is " + sha256
                    + ", not the " + upload.sha256() + " the upload declared; nothing was stored");
        }
        StoreKind store = stores.current().kind();
        try {
            VersionInfo version = registry.addVersion(upload, format, sha256, size, proof, actor);
            times.recordNanos = System.nanoTime() - hashed;
            return version;
        } catch (RuntimeException | Error e) {
            if (store != StoreKind.POSTGRES) { // a postgres blob rolled back with the transaction
                try {
                    collector.collect(store, ContentAddress.of(sha256));
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                    LOG.warnf(cleanup, "Could not delete the refused upload's blob %s; the sweep retries", sha256);
                }
            }
            throw e;
        }
    }

    /** How long the recorder's steps took, for the log line of a registered upload. */
    private static final class PhaseTimes {
        volatile long hashNanos;
        volatile long recordNanos;
    }

    /** The future's value; what it failed with is thrown as it was thrown (a refusal stays a refusal). */
    static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the upload", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("could not read the spooled upload", io);
            }
            throw new IllegalStateException(cause);
        }
    }

    @PreDestroy
    void stop() {
        recorder.shutdownNow();
    }

    private ModelFormat detect(VersionUpload upload) throws IOException {
        return ModelFormat.detect(upload.artifact()).orElseThrow(() -> new TurnoutException(ErrorCode.INVALID_MODEL,
                "the artifact is neither an ONNX model nor a TorchScript archive; accepted formats: " + accepted()));
    }

    /**
     * 415: the artifact may be a perfectly good model, but of a format this server does not take (RFC 9110: the
     * format of the content, "indicated ... or as a result of inspecting the data directly", is not supported).
     */
    private void requireAccepted(ModelFormat format, boolean named) {
        if (!accepted.contains(format)) {
            throw new TurnoutException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, (named ? "the upload names" : "the artifact is")
                    + " format " + format.id() + ", which this server does not accept; accepted formats: " + accepted()
                    + " (turnout.registry.formats)");
        }
    }

    /** The formats this server takes, for messages: "onnx, torchscript". */
    public String accepted() {
        return accepted.stream().map(ModelFormat::id)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * Loads the artifact once with DJL and runs it on zeros; returns the signature to record. TorchScript is code that
     * PyTorch runs natively, so its proof runs in a child JVM unless turnout.registry.isolate-torchscript is off.
     */
    private Signature prove(VersionUpload upload, ModelFormat format) {
        try {
            if (format == ModelFormat.TORCHSCRIPT && config.registry().isolateTorchscript()) {
                return isolatedProof.prove(upload.artifact(), upload.signature());
            }
            try (LoadedModel model = loader.inspect(upload.artifact(), format, upload.signature())) {
                return model.signature();
            }
        } catch (InvalidModelException e) {
            ErrorCode code = switch (e.reason()) {
                case NOT_LOADABLE, UNSAFE -> ErrorCode.INVALID_MODEL;
                case SIGNATURE_MISMATCH -> ErrorCode.SIGNATURE_MISMATCH;
                case SIGNATURE_REQUIRED -> ErrorCode.SIGNATURE_REQUIRED;
            };
            String prefix = e.reason() == InvalidModelException.Reason.NOT_LOADABLE
                    ? "the artifact is not a loadable " + format.id() + " model: " : "";
            throw new TurnoutException(code, prefix + e.getMessage(), e);
        }
    }
}
