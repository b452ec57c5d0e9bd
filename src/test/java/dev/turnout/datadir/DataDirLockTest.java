package dev.turnout.datadir;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One live Turnout per data directory, with a real second process. */
class DataDirLockTest {

    @TempDir
    Path work;

    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void aSecondProcessOnTheDirectoryIsRefusedWithTheHoldersPid() throws Exception {
        Path dataDir = work.resolve("data");
        child = holdInChild(dataDir);

        DataDirInUseException refused = assertThrows(DataDirInUseException.class, () -> DataDirLock.hold(dataDir));

        assertTrue(refused.getMessage().contains("PID " + child.pid()), refused.getMessage());
        assertTrue(refused.getMessage().contains("turnout.data-dir"), refused.getMessage());
    }

    @Test
    void theLockOfAKilledProcessIsFree() throws Exception {
        Path dataDir = work.resolve("data");
        child = holdInChild(dataDir);
        child.destroyForcibly().waitFor();

        assertDoesNotThrow(() -> DataDirLock.hold(dataDir));
    }

    @Test
    void holdingAgainInTheSameProcessIsAllowed() throws Exception {
        Path dataDir = work.resolve("data");
        DataDirLock.hold(dataDir);
        assertDoesNotThrow(() -> DataDirLock.hold(dataDir.resolve("..").resolve("data")));
    }

    private Process holdInChild(Path dataDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        File log = work.resolve("child.log").toFile();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DataDirLockChild.class.getName(), dataDir.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            if (Files.readString(log.toPath()).contains("held")) {
                return process;
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("the child did not take the lock:\n" + Files.readString(log.toPath()));
    }
}
