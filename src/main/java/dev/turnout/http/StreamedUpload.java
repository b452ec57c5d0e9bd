package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Receives a raw request body (application/octet-stream) into the upload spool and hashes it on the way, so the bytes
 * are read once: no framework spool, no second pass for the sha256. The spool is the one
 * {@code quarkus.http.body.uploads-directory} names, which {@link UploadSpool} empties at start, so a process that dies
 * mid-upload leaves nothing for long. On any failure (too large, connection gone) the partial file is deleted before
 * the exception leaves.
 */
@ApplicationScoped
public class StreamedUpload {

    /** 1 MiB: few system calls and digest calls per GiB, and below G1's humongous-object size on small heaps. */
    private static final int BUFFER = 1 << 20;
    static final String PREFIX = "streamed-";

    private final Path spool;

    public StreamedUpload(@ConfigProperty(name = "quarkus.http.body.uploads-directory") Path spool) {
        this.spool = spool;
    }

    /** Told, on the receiving thread, how the spool file grows: its path first, then its length after each write. */
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
        MessageDigest digest = sha256();
        byte[] buffer = new byte[BUFFER];
        long size = 0;
        boolean done = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            progress.started(file);
            for (int n = body.readNBytes(buffer, 0, BUFFER); n > 0; n = body.readNBytes(buffer, 0, BUFFER)) {
                size += n;
                if (size > limit) {
                    throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the artifact is over " + limit
                            + " bytes, the limit (" + limitSetting + ")");
                }
                digest.update(buffer, 0, n);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                progress.written(size);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
        return new Received(file, size, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
