package dev.turnout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files the service leaves on disk during tests. */
public final class TestFiles {

    /** Where the framework spools uploaded parts: quarkus.http.body.uploads-directory under %test.turnout.data-dir. */
    private static final Path UPLOADS = Path.of("target/test-data/uploads");

    private TestFiles() {
    }

    /** The spooled uploads now on disk, each as "name (size bytes)" so a failure shows what was left. */
    public static List<String> spooledUploads() throws IOException {
        if (!Files.isDirectory(UPLOADS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(UPLOADS)) {
            return files.map(f -> f.getFileName() + " (" + f.toFile().length() + " bytes)").toList();
        }
    }

    /**
     * Waits up to 5 s for the spool to empty and returns what is left: the framework deletes a request's spooled
     * parts just after the answer has gone, so a test that has its answer may still see them for a moment.
     */
    public static List<String> awaitNoSpooledUploads() throws IOException {
        long deadline = System.currentTimeMillis() + 5_000;
        List<String> left = spooledUploads();
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = spooledUploads();
        }
        return left;
    }
}
