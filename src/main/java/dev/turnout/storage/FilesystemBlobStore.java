package dev.turnout.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Blobs as files {@code <root>/sha256/ab/ab12…}. A blob is written to a temporary file in its final directory, forced
 * to disk, then renamed into place atomically (and the directory forced), so a crash never leaves a partial file
 * under a key; temporaries a crash left are deleted by the sweep.
 */
public final class FilesystemBlobStore implements BlobStore {

    static final String TEMPORARY_PREFIX = ".partial-";

    private final Path root;

    public FilesystemBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    @Override
    public StoreKind kind() {
        return StoreKind.FILESYSTEM;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = pathOf(key);
        if (Files.isRegularFile(target)) {
            Files.setLastModifiedTime(target, FileTime.from(Instant.now())); // fresh again: the sweep spares it
            return;
        }
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temporary = dir.resolve(TEMPORARY_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, out);
                }
                out.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // a concurrent put of the same bytes renamed first: theirs is the same blob
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public InputStream open(String key, ByteRange range) throws IOException {
        FileChannel channel = FileChannel.open(pathOf(key), StandardOpenOption.READ);
        try {
            channel.position(range.first());
            InputStream in = Channels.newInputStream(channel);
            return range.isAll() ? in : new BoundedInputStream(in, range.length());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(pathOf(key));
    }

    @Override
    public List<String> keysWrittenBefore(Instant cutoff) throws IOException {
        Path blobs = root.resolve("sha256");
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(blobs)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(blobs, 2)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (Files.getLastModifiedTime(file).toInstant().isAfter(cutoff)) {
                    continue;
                }
                String key = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                if (file.getFileName().toString().startsWith(TEMPORARY_PREFIX)) {
                    Files.deleteIfExists(file); // a write a crash interrupted; never visible under a key
                } else if (ContentAddress.isKey(key)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    private Path pathOf(String key) {
        ContentAddress.sha256Of(key); // only content addresses: nothing else becomes a path
        return root.resolve(key);
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true); // the rename itself is durable once the directory entry is
        } catch (IOException e) {
            // some filesystems cannot open a directory for this; the rename stays atomic, only its durability waits
        }
    }
}
