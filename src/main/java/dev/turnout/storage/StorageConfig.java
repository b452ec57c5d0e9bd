package dev.turnout.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where artifact bytes are written ({@code turnout.artifacts.*}); bytes written elsewhere earlier stay readable. */
@ConfigMapping(prefix = "turnout.artifacts")
public interface StorageConfig {

    /** The store new artifacts are written to: postgres, filesystem or s3. Default postgres (needs nothing else). */
    @WithDefault("postgres")
    StoreKind store();

    Filesystem filesystem();

    S3 s3();

    Postgres postgres();

    Sweep sweep();

    interface Postgres {
        /**
         * Write new blobs of the postgres store as rows of bytea chunks with one binary COPY instead of as large
         * objects (faster: bench/README.md). Blobs written either way stay readable. A build before V13 cannot
         * read chunked blobs: while one still runs (a blue/green switch from such a build), set this to false.
         * Default true (the release before this one already reads chunks).
         */
        @WithDefault("true")
        boolean writeChunks();

        /**
         * A raw upload whose chunks are written while it arrives goes back to being written once it has arrived when
         * its body stops coming for this long: until then its COPY holds a database connection and a snapshot that
         * holds back VACUUM. Default 10s.
         */
        @WithDefault("10s")
        java.time.Duration arrivalStallTimeout();
    }

    interface Filesystem {
        /**
         * The directory of the filesystem store, e.g. a ReadWriteMany volume every replica mounts at the same path.
         * Required when the store is filesystem, or to read artifacts written there earlier. No default.
         */
        Optional<Path> path();
    }

    interface S3 {
        /** The bucket of the s3 store. Required when the store is s3, or to read artifacts written there. No default. */
        Optional<String> bucket();

        /** Prepended to every key, e.g. {@code turnout/}. Default none. */
        Optional<String> prefix();

        /** An S3-compatible service's URL, e.g. MinIO's {@code http://minio:9000}. Default AWS's endpoint of the region. */
        Optional<java.net.URI> endpoint();

        /** Default us-east-1 (S3-compatible services mostly ignore it, but requests are signed with it). */
        @WithDefault("us-east-1")
        String region();

        /** Path-style URLs ({@code endpoint/bucket/key}), which most S3-compatible services need. Default false. */
        @WithDefault("false")
        boolean pathStyle();

        /**
         * Credentials; when unset the AWS SDK's default chain is used (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
         * a web identity token, an instance profile...). From a Kubernetes Secret either way. No default.
         */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();

        /**
         * Blobs up to this size are written with one PutObject streamed from the spooled file; larger ones as a
         * multipart upload of {@code part-size} parts. Default 5G, S3's largest single PUT (a larger value counts as 5G).
         */
        @WithDefault("5G")
        io.quarkus.runtime.configuration.MemorySize multipartThreshold();

        /** Parts of a multipart upload, and of parallel ranged reads. Default 16M (S3's minimum part is 5M). */
        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize partSize();

        /** Parts uploaded, or ranges read, at once for one blob. Default 4. */
        @WithDefault("4")
        int parallelism();
    }

    interface Sweep {
        /**
         * Blobs that no artifact references (left by a crash between a store write and its commit) are deleted once
         * older than this. Longer than any upload's transaction (1 hour). Default 6h.
         */
        @WithDefault("6h")
        Duration grace();

        /** How often each replica sweeps. Default 1h. */
        @WithDefault("1h")
        Duration interval();
    }
}
