package dev.turnout.registry;

import dev.turnout.error.TurnoutException;
import dev.turnout.storage.BlobStore;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.ByteRange;
import dev.turnout.storage.ContentAddress;
import dev.turnout.storage.StoreKind;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Moves artifacts from one store to another, one at a time: the source bytes are copied to a local file and checked
 * against the artifact's sha256, written to the target, read back and checked again (a transactional target, PostgreSQL,
 * is written in the flipping transaction itself), and only then does the artifact row name the target. The source blob
 * goes once that has committed. Idempotent and resumable: it takes the rows still in the source, so running it again
 * after an interruption carries on, and an artifact already moved is not touched.
 */
@ApplicationScoped
public class ArtifactMigration {

    private static final Logger LOG = Logger.getLogger(ArtifactMigration.class);
    /** The advisory lock's name (hashed to its key) that a running copy holds on its own session. */
    static final String COPY_LOCK = "turnout.artifacts.copy";

    private final AgroalDataSource dataSource;
    private final SessionAdvisoryLock copyLock;
    private final BlobStores stores;
    private final ArtifactCollector collector;
    private final Path scratch;

    public ArtifactMigration(AgroalDataSource dataSource, BlobStores stores, ArtifactCollector collector,
                             @ConfigProperty(name = "quarkus.http.body.uploads-directory") Path scratch) {
        this.dataSource = dataSource;
        this.copyLock = new SessionAdvisoryLock(dataSource, COPY_LOCK);
        this.stores = stores;
        this.collector = collector;
        this.scratch = scratch; // emptied at start, so a copy cut off by a crash leaves nothing for good
    }

    /** What a copy did: artifacts moved now, and those that failed (each with why); the rest were already there. */
    public record Outcome(String from, String to, int moved, List<String> failed, long remaining) {
    }

    public Outcome copy(StoreKind from, StoreKind to) {
        if (from == to) {
            throw TurnoutException.invalid("'from' and 'to' are both " + from + "; name two different stores");
        }
        BlobStore source = configured(from);
        BlobStore target = configured(to);
        // Two copies at once raced over the same artifacts: the one that lost found the bytes gone from the source
        // and reported moved artifacts as failed.
        return copyLock.runIfFree(() -> copyAll(from, to, source, target)).orElseThrow(() -> TurnoutException.conflict(
                "a copy between stores is already running (on this or another replica); it answers when done: call "
                        + "again afterwards to move what is left"));
    }

    private Outcome copyAll(StoreKind from, StoreKind to, BlobStore source, BlobStore target) {
        int moved = 0;
        List<String> failed = new ArrayList<>();
        for (String sha256 : inStore(from)) {
            try {
                if (moveOne(sha256, source, target)) {
                    moved++;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf(e, "Could not move artifact %s from the %s store to %s", sha256, from, to);
                failed.add(sha256 + ": " + e.getMessage());
            }
        }
        LOG.infof("Moved %d artifact(s) from the %s store to %s; %d failed", moved, from, to, failed.size());
        return new Outcome(from.id(), to.id(), moved, failed, inStore(from).size());
    }

    private BlobStore configured(StoreKind kind) {
        try {
            return stores.get(kind);
        } catch (IllegalStateException e) {
            throw TurnoutException.invalid(e.getMessage());
        }
    }

    private boolean moveOne(String sha256, BlobStore source, BlobStore target) throws IOException {
        String key = ContentAddress.of(sha256);
        Files.createDirectories(scratch);
        Path copy = Files.createTempFile(scratch, "move-", ".blob");
        try {
            try (InputStream in = source.open(key, ByteRange.ALL); OutputStream out = Files.newOutputStream(copy)) {
                requireDigest(sha256, in, out, "the " + source.kind() + " store");
            }
            boolean flipped = QuarkusTransaction.requiringNew().timeout(3600).call(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    ArtifactStore.holdKey(connection, key, true);
                    if (!stillIn(connection, sha256, source.kind())) {
                        return false; // deleted or moved meanwhile
                    }
                    target.put(key, copy);
                    if (target.kind() != StoreKind.POSTGRES) { // PostgreSQL writes in this very transaction
                        try (InputStream back = target.open(key, ByteRange.ALL)) {
                            requireDigest(sha256, back, OutputStream.nullOutputStream(), "the " + target.kind() + " store");
                        }
                    }
                    try (PreparedStatement flip = connection.prepareStatement(
                            "UPDATE artifact SET store = ?, storage_key = ? WHERE sha256 = ?")) {
                        flip.setString(1, target.kind().id());
                        flip.setString(2, key);
                        flip.setString(3, sha256);
                        flip.executeUpdate();
                    }
                    return true;
                }
            });
            if (flipped) {
                collector.collect(source.kind(), key);
            }
            return flipped;
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static void requireDigest(String sha256, InputStream in, OutputStream out, String where) throws IOException {
        MessageDigest digest = Digests.newSha256();
        new DigestInputStream(in, digest).transferTo(out);
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            throw new IOException("the bytes in " + where + " hash to " + actual + ", not " + sha256 + "; not moved");
        }
    }

    private static boolean stillIn(Connection connection, String sha256, StoreKind store) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM artifact WHERE sha256 = ? AND store = ? FOR UPDATE")) {
            select.setString(1, sha256);
            select.setString(2, store.id());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private List<String> inStore(StoreKind store) {
        List<String> digests = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT sha256 FROM artifact WHERE store = ? ORDER BY sha256")) {
            select.setString(1, store.id());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    digests.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not list the artifacts in the " + store + " store", e);
        }
        return digests;
    }
}
