package dev.turnout.serving;

import ai.djl.translate.TranslateException;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.registry.ServableVersion;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version taking requests. Requests hold a {@link Lease}; a retired model takes no new leases and closes
 * once the last one is returned, so a swap never cuts a request short.
 */
public final class ServedModel {

    private static final Logger LOG = Logger.getLogger(ServedModel.class);

    private final ServableVersion version;
    private final LoadedModel model;
    private final CachedArtifact artifact;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile ServingMetrics.VersionMeters meters;

    ServedModel(ServableVersion version, LoadedModel model, CachedArtifact artifact) {
        this.version = version;
        this.model = model;
        this.artifact = artifact;
    }

    void meters(ServingMetrics.VersionMeters meters) {
        this.meters = meters;
    }

    /** Where to record this version's predictions; null when it is not measured (tests building their own). */
    public ServingMetrics.VersionMeters meters() {
        return meters;
    }


    public String name() {
        return version.model();
    }

    public int version() {
        return version.version();
    }

    public String sha256() {
        return version.artifact().sha256();
    }

    public ModelFormat format() {
        return version.artifact().format();
    }

    public Signature signature() {
        return model.signature();
    }

    /** Inferences this version has run, its warm-ups included. */
    public long inferences() {
        return model.inferences();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** A lease, or null when this model was retired meanwhile (the caller looks up the current one again). */
    Lease tryLease() {
        inFlight.incrementAndGet();
        if (retired) {
            release();
            return null;
        }
        return new Lease();
    }

    /** Takes no new requests; closes when the in-flight ones finish. */
    void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            close();
        }
    }

    private void release() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            close();
        }
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            model.close();
            artifact.close(); // its file may be evicted from the disk cache now
            if (meters != null) {
                meters.unloaded();
            }
            LOG.infof("Unloaded %s version %d", name(), version());
        }
    }

    @Override
    public String toString() {
        return name() + "@" + version();
    }

    /** The right to use this model for one request; return it by closing. */
    public final class Lease implements AutoCloseable {

        private final AtomicBoolean returned = new AtomicBoolean();

        public ServedModel model() {
            return ServedModel.this;
        }

        public Tensor[] predict(Tensor[] inputs) throws TranslateException, InterruptedException {
            return model.predict(inputs);
        }

        @Override
        public void close() {
            if (returned.compareAndSet(false, true)) {
                release();
            }
        }
    }
}
