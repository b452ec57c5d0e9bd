package dev.turnout.datadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One live Turnout per data directory: an exclusive lock on {@code <data-dir>/turnout.lock}, taken before anything
 * in the directory is touched and held for the life of the process (the kernel drops it when the process dies, even
 * by SIGKILL). Whoever holds it may delete what a crash left there (spooled uploads, partial cache files, a leftover
 * database server): no live process can own those. A second process on the same directory refuses to start.
 */
public final class DataDirLock {

    static final String FILE_NAME = "turnout.lock";

    /** Locks this process holds, by real path; never released (Quarkus may restart in one JVM, e.g. in tests). */
    private static final Map<Path, FileLock> HELD = new HashMap<>();

    private DataDirLock() {
    }

    /**
     * Takes the lock on {@code dataDir} for this process's life, creating the directory if needed; does nothing if
     * this process holds it already.
     *
     * @throws DataDirInUseException if another live process holds it
     */
    public static synchronized void hold(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path dir = dataDir.toRealPath();
        if (HELD.containsKey(dir)) {
            return;
        }
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldByThisJvm) {
            // held by this process through another copy of this class (Quarkus restarts its app in a new class loader)
            channel.close();
            return;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new DataDirInUseException("Another Turnout process (PID " + (holder.isEmpty() ? "unknown" : holder)
                    + ") is using the data directory " + dir + " (it holds " + file + "). Stop it, or give this "
                    + "process a data directory of its own (turnout.data-dir, TURNOUT_DATA_DIR).");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        HELD.put(dir, lock);
    }
}
