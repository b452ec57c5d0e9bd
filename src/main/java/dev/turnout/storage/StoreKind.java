package dev.turnout.storage;

import java.util.Arrays;
import java.util.Optional;

/** Where artifact bytes can live; the id is what configuration and the database's {@code artifact.store} say. */
public enum StoreKind {
    /** PostgreSQL large objects, written in the caller's transaction: the default, needing nothing else. */
    POSTGRES("postgres"),
    /** Files under {@code turnout.artifacts.filesystem.path}, e.g. a volume every replica mounts. */
    FILESYSTEM("filesystem"),
    /** Any S3-compatible object store. */
    S3("s3");

    private final String id;

    StoreKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<StoreKind> parse(String id) {
        return Arrays.stream(values()).filter(kind -> kind.id.equalsIgnoreCase(id)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}
