package dev.turnout.registry;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.InvalidModelException;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.ModelLoader;
import dev.turnout.engine.Signature;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Turns an upload into a version. Everything that can refuse it (size, digest, format, a trial load with DJL) runs
 * before the one short transaction that records it, so a refused upload writes nothing.
 */
@ApplicationScoped
public class VersionUploader {

    private static final Logger LOG = Logger.getLogger(VersionUploader.class);

    private final ModelLoader loader;
    private final RegistryService registry;
    private final TurnoutConfig config;
    private final MeterRegistry meters;

    public VersionUploader(ModelLoader loader, RegistryService registry, TurnoutConfig config, MeterRegistry meters) {
        this.meters = meters;
        this.loader = loader;
        this.registry = registry;
        this.config = config;
    }

    public VersionInfo upload(VersionUpload upload) {
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
            String sha256 = Digests.sha256(upload.artifact());
            if (upload.sha256() != null && !upload.sha256().equalsIgnoreCase(sha256)) {
                throw new TurnoutException(ErrorCode.DIGEST_MISMATCH, "the artifact's sha256 is " + sha256
                        + ", not the " + upload.sha256() + " the upload declared; nothing was stored");
            }
            ModelFormat format = upload.format() != null ? upload.format() : detect(upload);
            Signature signature = prove(upload, format);
            VersionInfo version = registry.addVersion(upload, format, sha256, size, signature);
            meters.counter("turnout.upload.bytes", "model", version.model()).increment(size);
            LOG.infof("Registered %s version %d (%s, %d bytes, sha256 %s)", version.model(), version.version(),
                    format.id(), size, sha256);
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled upload", e);
        }
    }

    private static ModelFormat detect(VersionUpload upload) throws IOException {
        return ModelFormat.detect(upload.artifact()).orElseThrow(() -> new TurnoutException(ErrorCode.INVALID_MODEL,
                "the artifact is neither an ONNX model nor a TorchScript archive; accepted formats: "
                        + ModelFormat.ACCEPTED));
    }

    /** Loads the artifact once with DJL and runs it on zeros; returns the signature to record. */
    private Signature prove(VersionUpload upload, ModelFormat format) {
        try (LoadedModel model = loader.inspect(upload.artifact(), format, upload.signature())) {
            return model.signature();
        } catch (InvalidModelException e) {
            ErrorCode code = switch (e.reason()) {
                case NOT_LOADABLE -> ErrorCode.INVALID_MODEL;
                case SIGNATURE_MISMATCH -> ErrorCode.SIGNATURE_MISMATCH;
                case SIGNATURE_REQUIRED -> ErrorCode.SIGNATURE_REQUIRED;
            };
            String prefix = e.reason() == InvalidModelException.Reason.NOT_LOADABLE
                    ? "the artifact is not a loadable " + format.id() + " model: " : "";
            throw new TurnoutException(code, prefix + e.getMessage(), e);
        }
    }
}
