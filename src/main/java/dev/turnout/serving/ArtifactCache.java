package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.datadir.DataDirLock;
import dev.turnout.engine.ModelFormat;
import dev.turnout.registry.ArtifactStore;
import dev.turnout.registry.Digests;
import dev.turnout.registry.StoredArtifact;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The replica's disk cache of artifacts, one file per digest (names come from digests only, never from clients).
 * Every load re-hashes the cached file; a copy that no longer matches is fetched again, and bytes from the database
 * that do not match their recorded digest are refused.
 *
 * <p>The cache holds at most {@code turnout.serving.cache-max-size} bytes: past it, the artifacts used least recently
 * are deleted, but never one that is {@linkplain #acquire acquired} (a served version was loaded from it). At start,
 * under the data directory's lock, it deletes the partial files that fetches killed mid-way left behind.
 */
@Startup
@ApplicationScoped
public class ArtifactCache {

    private static final Logger LOG = Logger.getLogger(ArtifactCache.class);
    /** A cached artifact's name: its digest and format. Nothing else in the directory is counted or evicted. */
    private static final Pattern ARTIFACT_NAME = Pattern.compile("[0-9a-f]{64}\\.(onnx|pt)");
    private static final String PARTIAL_SUFFIX = ".part";

    private final ArtifactStore store;
    private final Path dir;
    private final long maxBytes;
    /** Every artifact on disk or being fetched, by file name. Guarded by {@code this}, as is {@link #clock}. */
    private final Map<String, Entry> entries = new HashMap<>();
    /** Counts uses, to order them: the smallest {@link Entry#lastUse} is the least recently used. */
    private long clock;

    @Inject
    public ArtifactCache(ArtifactStore store, TurnoutConfig config) {
        this(store, config.dataDir(), config.serving().cacheMaxSize().asLongValue());
    }

    /** A cache in {@code <dataDir>/cache}, of at most {@code maxBytes}. */
    ArtifactCache(ArtifactStore store, Path dataDir, long maxBytes) {
        this.store = store;
        this.dir = dataDir.resolve("cache");
        this.maxBytes = maxBytes;
        try {
            DataDirLock.hold(dataDir); // so no live process can be writing the partial files deleted here
            Files.createDirectories(dir);
            clearAndIndex();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the artifact cache in " + dir, e);
        }
        synchronized (this) {
            evictUnusedToFit(0); // the limit may have been lowered since the last run
        }
    }

    /**
     * The artifact's file, verified against its sha256 just now, and kept on disk until the handle is closed: hold
     * it for as long as a version loaded from it is served.
     */
    public CachedArtifact acquire(StoredArtifact artifact) throws IOException, ArtifactIntegrityException {
        String name = artifact.sha256() + (artifact.format() == ModelFormat.ONNX ? ".onnx" : ".pt");
        Path file = dir.resolve(name);
        Entry entry = pin(name);
        try {
            long bytes = verifiedCopy(artifact, file);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now())); // the order of use survives a restart
            settle(entry, bytes);
            return new CachedArtifact(file, () -> release(entry));
        } catch (IOException | ArtifactIntegrityException | RuntimeException e) {
            release(entry);
            throw e;
        }
    }

    /**
     * A local file holding exactly the artifact's bytes, verified against its sha256 just now. The file is not held:
     * once the cache is over its size, a later fetch may evict it. Whoever keeps using it should {@link #acquire} it.
     */
    public Path fetch(StoredArtifact artifact) throws IOException, ArtifactIntegrityException {
        try (CachedArtifact cached = acquire(artifact)) {
            return cached.path();
        }
    }

    /** The file's size once it holds the artifact's bytes: as found, or fetched again from the store. */
    private long verifiedCopy(StoredArtifact artifact, Path file) throws IOException, ArtifactIntegrityException {
        if (Files.isRegularFile(file)) {
            String actual = Digests.sha256(file);
            if (actual.equals(artifact.sha256())) {
                return Files.size(file);
            }
            LOG.warnf("Cached artifact %s hashes to %s: discarding it and fetching it again", file, actual);
            Files.deleteIfExists(file);
        }
        makeRoomFor(artifact.sizeBytes());
        Path partial = Files.createTempFile(dir, artifact.sha256(), PARTIAL_SUFFIX);
        try {
            long start = System.nanoTime();
            store.download(artifact, partial); // ranges in parallel where the store can (s3)
            long fetched = System.nanoTime();
            String actual = Digests.sha256(partial);
            if (!actual.equals(artifact.sha256())) {
                throw new ArtifactIntegrityException("the stored bytes of artifact " + artifact.sha256()
                        + " hash to " + actual + "; refusing to load them");
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long verified = System.nanoTime();
            // bench/upload-large.sh reads this line: a replica's fetch speed from each store
            LOG.infof("Fetched artifact %s (%d bytes) from the %s store in %d ms, verified its sha256 in %d ms "
                    + "(%.1f MB/s in all)", artifact.sha256(), artifact.sizeBytes(), artifact.store().id(),
                    (fetched - start) / 1_000_000, (verified - fetched) / 1_000_000,
                    artifact.sizeBytes() * 1e3 / Math.max(1, verified - start));
            return Files.size(file);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Deletes the partial files of fetches that a dead process left, and counts the artifacts found. */
    private void clearAndIndex() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).toList();
        }
        int partials = 0;
        Map<Path, FileTime> artifacts = new HashMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(PARTIAL_SUFFIX)) {
                Files.deleteIfExists(file);
                partials++;
            } else if (ARTIFACT_NAME.matcher(name).matches()) {
                artifacts.put(file, Files.getLastModifiedTime(file));
            }
        }
        if (partials > 0) {
            LOG.infof("Deleted %d partial artifact file(s) left in %s by fetches that did not finish", partials, dir);
        }
        List<Path> byLastUse = new ArrayList<>(artifacts.keySet());
        byLastUse.sort(Comparator.comparing(artifacts::get));
        synchronized (this) {
            for (Path file : byLastUse) {
                Entry entry = new Entry(file.getFileName().toString());
                entry.bytes = Files.size(file);
                entry.lastUse = ++clock;
                entries.put(entry.name, entry);
            }
        }
    }

    private synchronized Entry pin(String name) {
        Entry entry = entries.computeIfAbsent(name, Entry::new);
        entry.pins++;
        entry.lastUse = ++clock;
        return entry;
    }

    private synchronized void makeRoomFor(long incoming) {
        evictUnusedToFit(incoming);
    }

    private synchronized void settle(Entry entry, long bytes) {
        entry.bytes = bytes;
        evictUnusedToFit(0);
    }

    private synchronized void release(Entry entry) {
        entry.pins--;
        entry.lastUse = ++clock;
        if (entry.pins == 0 && !Files.exists(dir.resolve(entry.name))) {
            entries.remove(entry.name, entry); // its fetch failed
        } else {
            evictUnusedToFit(0); // artifacts in use may have kept the cache over its size until now
        }
    }

    /** Deletes artifacts no one holds, least recently used first, until {@code incoming} more bytes fit. */
    private void evictUnusedToFit(long incoming) {
        long total = entries.values().stream().mapToLong(entry -> entry.bytes).sum();
        if (total + incoming <= maxBytes) {
            return;
        }
        List<Entry> unused = entries.values().stream().filter(entry -> entry.pins == 0)
                .sorted(Comparator.comparingLong(entry -> entry.lastUse)).toList();
        for (Entry victim : unused) {
            if (total + incoming <= maxBytes) {
                return;
            }
            try {
                Files.deleteIfExists(dir.resolve(victim.name));
            } catch (IOException e) {
                LOG.warnf("Could not evict %s from the artifact cache: %s", victim.name, e.getMessage());
                continue;
            }
            entries.remove(victim.name);
            total -= victim.bytes;
            LOG.infof("Evicted %s (%d bytes, the least recently used) from the artifact cache: it would exceed "
                    + "turnout.serving.cache-max-size (%d bytes)", victim.name, victim.bytes, maxBytes);
        }
        if (total + incoming > maxBytes) {
            LOG.warnf("The artifact cache needs %d bytes, over turnout.serving.cache-max-size (%d bytes), and what it "
                    + "holds is in use", total + incoming, maxBytes);
        }
    }

    /** One artifact file. Guarded by the cache. */
    private static final class Entry {
        final String name;
        long bytes;
        long lastUse;
        int pins;

        Entry(String name) {
            this.name = name;
        }
    }
}
