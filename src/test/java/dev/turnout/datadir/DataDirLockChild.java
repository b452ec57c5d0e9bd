package dev.turnout.datadir;

import java.nio.file.Path;

/** A JVM that holds the data directory lock on the directory it is given, prints {@code held}, and waits. */
public final class DataDirLockChild {

    private DataDirLockChild() {
    }

    public static void main(String... args) throws Exception {
        DataDirLock.hold(Path.of(args[0]));
        System.out.println("held");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
