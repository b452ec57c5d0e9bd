package dev.turnout.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Blobs as objects {@code <prefix>sha256/ab/ab12…} in a bucket of any S3-compatible service. An object becomes visible
 * only when its upload completes, so a crash leaves no partial object under a key: up to the multipart threshold (S3's
 * 5 GiB single-PUT limit by default) one PutObject streamed from the spooled file, signed with the content address as
 * its payload hash ({@link ContentHashSigner}: the bytes are read once, to send them); above it a multipart upload,
 * its parts in parallel. The sweep aborts multipart uploads a crash left.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

    /** S3's largest object written by one PutObject. */
    static final long SINGLE_PUT_LIMIT = 5L << 30;

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final long partSize;
    private final long multipartThreshold;
    private final ExecutorService parts;

    S3BlobStore(S3Client client, String bucket, String prefix, long partSize, long multipartThreshold, int parallelism) {
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix;
        this.partSize = Math.max(partSize, 5 << 20);
        this.multipartThreshold = Math.min(multipartThreshold, SINGLE_PUT_LIMIT);
        this.parts = Executors.newFixedThreadPool(Math.max(1, parallelism), runnable -> {
            Thread thread = new Thread(runnable, "s3-store");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A store from configuration: static credentials when given, else the SDK's default chain. */
    public static S3BlobStore of(StorageConfig.S3 config) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create(S3BlobStore::connection))
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // checksums only where S3 requires them: S3-compatible services differ in the newer ones
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // plain bodies: the SDK frames a PUT over plain HTTP as aws-chunked (a signature per 128 KiB chunk),
                // which not every S3-compatible service decodes (npm s3rver stores the framing as the object). Over
                // HTTPS a part is sent unsigned either way; over HTTP its sha256 is then signed, read once before.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                // a blob's PUT is signed with its content address as the payload hash instead of hashing it again
                .putAuthScheme(ContentHashSigner.scheme());
        config.endpoint().ifPresent(builder::endpointOverride);
        if (config.accessKeyId().isPresent() && config.secretAccessKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKeyId().get(), config.secretAccessKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return new S3BlobStore(builder.build(), config.bucket().orElseThrow(), config.prefix().orElse(""),
                config.partSize().asLongValue(), config.multipartThreshold().asLongValue(), config.parallelism());
    }

    /** The SDK's connections, each sending a request body in blocks (see {@link BufferedBodyConnection}). */
    private static HttpURLConnection connection(URI uri) {
        try {
            return BufferedBodyConnection.open(uri);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a connection to " + uri, e);
        }
    }

    /**
     * {@code length} bytes of the spooled file from {@code start}, as a request body. Each attempt (signing, a retry)
     * reads them again from the file; they are read a block at a time (the SDK reads a body 4 KiB at a time), so a
     * request in flight holds two blocks: this one and its connection's ({@link BufferedBodyConnection}).
     */
    private static RequestBody range(Path file, long start, long length) {
        return RequestBody.fromContentProvider(() -> {
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(start);
                return new BufferedInputStream(new BoundedInputStream(Channels.newInputStream(channel), length),
                        BufferedBodyConnection.BLOCK);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, length, "application/octet-stream");
    }

    @Override
    public StoreKind kind() {
        return StoreKind.S3;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        String object = objectOf(key);
        if (exists(key)) {
            // fresh again, so the sweep spares it: S3 has no touch, a copy onto itself (with new metadata, as S3 requires) renews LastModified
            client.copyObject(r -> r.sourceBucket(bucket).sourceKey(object).destinationBucket(bucket)
                    .destinationKey(object).metadataDirective(MetadataDirective.REPLACE)
                    .metadata(java.util.Map.of("turnout-written", Instant.now().toString())));
            return;
        }
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
        }
        try {
            if (size <= multipartThreshold) {
                // one request, one pass over the file; the key names the bytes' sha256, the payload hash SigV4 signs
                String sha256 = ContentAddress.sha256Of(key);
                client.putObject(r -> r.bucket(bucket).key(object).contentLength(size).overrideConfiguration(
                        o -> o.putHeader(ContentHashSigner.CONTENT_SHA256, sha256)), range(file, 0, size));
            } else {
                multipartUpload(object, file, size);
            }
        } catch (S3Exception e) {
            throw new IOException("could not write " + object + " to bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    private void multipartUpload(String object, Path file, long size) throws IOException {
        String uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(object)).uploadId();
        try {
            List<Future<CompletedPart>> uploads = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                long start = offset;
                long length = Math.min(partSize, size - offset);
                int partNumber = number;
                uploads.add(parts.submit(() -> {
                    String etag = client.uploadPart(r -> r.bucket(bucket).key(object).uploadId(uploadId)
                            .partNumber(partNumber).contentLength(length), range(file, start, length)).eTag();
                    return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
                }));
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Future<CompletedPart> upload : uploads) {
                completed.add(upload.get());
            }
            client.completeMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(object, uploadId);
            throw new IOException("interrupted while uploading " + object, e);
        } catch (ExecutionException | RuntimeException e) {
            abort(object, uploadId);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("could not upload " + object + " to bucket " + bucket + ": " + cause.getMessage(), cause);
        }
    }

    private void abort(String object, String uploadId) {
        try {
            client.abortMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId));
        } catch (RuntimeException ignored) {
            // the sweep aborts it later
        }
    }

    @Override
    public InputStream open(String key, ByteRange range) throws IOException {
        String object = objectOf(key);
        try {
            return client.getObject(r -> {
                r.bucket(bucket).key(object);
                if (!range.isAll()) {
                    long last = range.length() == Long.MAX_VALUE ? -1 : range.first() + range.length() - 1;
                    r.range("bytes=" + range.first() + "-" + (last < 0 ? "" : String.valueOf(last)));
                }
            });
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(object);
        } catch (S3Exception e) {
            throw new IOException("could not read " + object + " from bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    /** A blob larger than a part is fetched as ranges of a part each, {@code parallelism} at once, into the file. */
    @Override
    public void download(String key, Path target) throws IOException {
        String object = objectOf(key);
        long size;
        try {
            size = client.headObject(r -> r.bucket(bucket).key(object)).contentLength();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(object);
        } catch (S3Exception e) {
            throw new IOException("could not look up " + object + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
        if (size <= partSize) {
            BlobStore.super.download(key, target);
            return;
        }
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            List<Future<Void>> ranges = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partSize) {
                long first = offset;
                long length = Math.min(partSize, size - offset);
                ranges.add(parts.submit(() -> {
                    try (InputStream in = open(key, new ByteRange(first, length))) {
                        byte[] chunk = new byte[256 << 10];
                        long position = first;
                        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(chunk, 0, n);
                            while (buffer.hasRemaining()) {
                                position += out.write(buffer, position);
                            }
                        }
                        if (position != first + length) {
                            throw new IOException("bucket " + bucket + " sent " + (position - first) + " bytes of the "
                                    + length + " asked for at " + first + " of " + object);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> range : ranges) {
                range.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + object, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("could not fetch " + object + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            client.deleteObject(r -> r.bucket(bucket).key(objectOf(key)));
        } catch (S3Exception e) {
            throw new IOException("could not delete " + key + " from bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            client.headObject(r -> r.bucket(bucket).key(objectOf(key)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new IOException("could not look up " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> keysWrittenBefore(Instant cutoff) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix + "sha256/")).contents()) {
                String key = object.key().substring(prefix.length());
                if (object.lastModified().isBefore(cutoff) && ContentAddress.isKey(key)) {
                    keys.add(key);
                }
            }
            for (MultipartUpload upload : client.listMultipartUploadsPaginator(r -> r.bucket(bucket)
                    .prefix(prefix + "sha256/")).uploads()) {
                if (upload.initiated().isBefore(cutoff)) {
                    abort(upload.key(), upload.uploadId()); // an upload a crash interrupted; never visible
                }
            }
        } catch (S3Exception e) {
            throw new IOException("could not list bucket " + bucket + ": " + e.getMessage(), e);
        }
        return keys;
    }

    @Override
    public void close() {
        parts.shutdownNow();
        client.close();
    }

    private String objectOf(String key) {
        ContentAddress.sha256Of(key); // only content addresses
        return prefix + key;
    }
}
