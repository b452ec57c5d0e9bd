package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Receives a raw request body (application/octet-stream) into the upload spool and hashes it on the way, so the bytes
 * are read once: no framework spool, no second pass for the sha256. The spool is the one
 * {@code quarkus.http.body.uploads-directory} names, which {@link UploadSpool} empties at start, so a process that dies
 * mid-upload leaves nothing for long. On any failure (too large, connection gone) the partial file is deleted before
 * the exception leaves. The request thread reads; a second thread hashes and writes ({@link HashingSpoolWriter}).
 */
@ApplicationScoped
public class StreamedUpload {

    static final String PREFIX = "streamed-";

    private final Path spool;
    private final ExecutorService writers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "turnout-spool-writer");
        thread.setDaemon(true);
        return thread;
    });

    public StreamedUpload(@ConfigProperty(name = "quarkus.http.body.uploads-directory") Path spool) {
        this.spool = spool;
    }

    /** Told how the spool file grows: its path first (on the receiving thread), then its length after each write. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        default void started(Path file) {
        }

        default void written(long total) {
        }
    }

    /** The received body: a spool file the caller deletes, its size and its sha256 (lower-case hex). */
    public record Received(Path file, long size, String sha256) {
    }

    /**
     * Copies {@code body} into a new spool file, refusing it (413) once it passes {@code limit} bytes, which matters for
     * a chunked body: one that declares its length is refused before it is read ({@link BodyLimits}).
     *
     * @param limitSetting the setting the limit comes from, for the refusal's message
     */
    public Received receive(InputStream body, long limit, String limitSetting) throws IOException {
        return receive(body, limit, limitSetting, Progress.NONE);
    }

    /** As {@link #receive(InputStream, long, String)}, telling {@code progress} how far the spool file is written. */
    public Received receive(InputStream body, long limit, String limitSetting, Progress progress) throws IOException {
        Files.createDirectories(spool);
        Path file = spool.resolve(PREFIX + UUID.randomUUID());
        long size = 0;
        boolean done = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             HashingSpoolWriter writer = new HashingSpoolWriter(out, progress, writers)) {
            progress.started(file);
            while (true) {
                byte[] block = writer.nextBlock();
                int n = body.readNBytes(block, 0, block.length);
                if (n == 0) {
                    break;
                }
                size += n;
                if (size > limit) {
                    throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the artifact is over " + limit
                            + " bytes, the limit (" + limitSetting + ")");
                }
                writer.write(block, n);
            }
            String sha256 = writer.finish();
            done = true;
            return new Received(file, size, sha256);
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    @PreDestroy
    void stop() {
        writers.shutdownNow();
    }
}
