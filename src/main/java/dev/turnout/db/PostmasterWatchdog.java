package dev.turnout.db;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stops the embedded postmaster once this JVM is gone, however it ended. pg_ctl detaches the postmaster, so a JVM
 * killed with SIGKILL (or by the OOM killer) would leave it running; the JVM's own shutdown hooks never run then.
 * This is a small {@code sh} whose standard input is a pipe from this JVM: the kernel closes the pipe when the JVM
 * dies, the shell's {@code read} returns, and if the directory's {@code postmaster.pid} still names the same
 * postmaster, the shell asks it for a fast shutdown (SIGINT), then an immediate one (SIGQUIT) after 30 s. After a
 * normal stop the pid file is gone and the shell just exits.
 */
final class PostmasterWatchdog implements AutoCloseable {

    private static final String SCRIPT = """
            read -r _
            pid_file="$2/postmaster.pid"
            [ "$(head -n 1 "$pid_file" 2>/dev/null)" = "$1" ] || exit 0
            kill -INT "$1" 2>/dev/null || exit 0
            tries=0
            while kill -0 "$1" 2>/dev/null; do
              tries=$((tries + 1))
              if [ "$tries" -gt 300 ]; then kill -QUIT "$1" 2>/dev/null; exit 0; fi
              sleep 0.1
            done
            """;

    private final Process shell;

    private PostmasterWatchdog(Process shell) {
        this.shell = shell;
    }

    /** Watches the postmaster that {@code dataDir/postmaster.pid} names now. */
    static PostmasterWatchdog watch(Path dataDir) throws IOException {
        long pid = LeftoverPostmaster.pidIn(dataDir.resolve(LeftoverPostmaster.PID_FILE))
                .orElseThrow(() -> new IOException("PostgreSQL started on " + dataDir + " but wrote no pid file"));
        Process shell = new ProcessBuilder("sh", "-c", SCRIPT, "turnout-postgres-watchdog", Long.toString(pid),
                dataDir.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new PostmasterWatchdog(shell);
    }

    /** Ends the watch: called once the postmaster was stopped the normal way. */
    @Override
    public void close() throws IOException {
        shell.getOutputStream().close();
    }
}
