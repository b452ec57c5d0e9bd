package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.ModelFormat;
import dev.turnout.registry.ArtifactStore;
import dev.turnout.registry.Digests;
import dev.turnout.registry.StoredArtifact;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The replica's disk cache of artifacts, one file per digest (names come from digests only, never from clients).
 * Every load re-hashes the cached file; a copy that no longer matches is fetched again, and bytes from the database
 * that do not match their recorded digest are refused.
 */
@ApplicationScoped
public class ArtifactCache {

    private static final Logger LOG = Logger.getLogger(ArtifactCache.class);

    private final ArtifactStore store;
    private final Path dir;

    public ArtifactCache(ArtifactStore store, TurnoutConfig config) {
        this.store = store;
        this.dir = config.dataDir().resolve("cache");
    }

    /** A local file holding exactly the artifact's bytes, verified against its sha256 just now. */
    public Path fetch(StoredArtifact artifact) throws IOException, ArtifactIntegrityException {
        Files.createDirectories(dir);
        Path file = dir.resolve(artifact.sha256() + (artifact.format() == ModelFormat.ONNX ? ".onnx" : ".pt"));
        if (Files.isRegularFile(file)) {
            String actual = Digests.sha256(file);
            if (actual.equals(artifact.sha256())) {
                return file;
            }
            LOG.warnf("Cached artifact %s hashes to %s: discarding it and fetching it again", file, actual);
            Files.delete(file);
        }
        Path partial = Files.createTempFile(dir, artifact.sha256(), ".part");
        try {
            MessageDigest digest = Digests.newSha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), digest)) {
                store.copyTo(artifact.blobOid(), out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(artifact.sha256())) {
                throw new ArtifactIntegrityException("the stored bytes of artifact " + artifact.sha256()
                        + " hash to " + actual + "; refusing to load them");
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
