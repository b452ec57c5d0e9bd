package dev.turnout.serving;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An artifact's file in the {@link ArtifactCache}, kept on disk (never evicted) until this handle is closed. Hold it
 * for as long as a version loaded from the file is served.
 */
public final class CachedArtifact implements AutoCloseable {

    private final Path path;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    CachedArtifact(Path path, Runnable release) {
        this.path = path;
        this.release = release;
    }

    /** The file, holding exactly the artifact's bytes (verified when this handle was acquired). */
    public Path path() {
        return path;
    }

    /** Lets the cache evict the file again once no other handle holds it; closing twice does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }

    @Override
    public String toString() {
        return "CachedArtifact[" + path.getFileName() + (closed.get() ? ", released]" : "]");
    }
}
