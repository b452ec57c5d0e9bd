package dev.turnout;

import javax.sql.DataSource;
import java.sql.SQLException;

import static dev.turnout.TestDb.execute;

/**
 * The postgres store's blobs as tests see them in the database, whichever way they were written: as large objects
 * (blob_large_object, the layout before V13) or as bytea chunks (blob_chunked + blob_chunk, the default since).
 */
public final class PostgresBlobRows {

    private PostgresBlobRows() {
    }

    /** Blobs of the postgres store, of both layouts. */
    public static long count(DataSource db) throws SQLException {
        return TestDb.count(db, "SELECT (SELECT count(*) FROM pg_largeobject_metadata) "
                + "+ (SELECT count(*) FROM blob_chunked)");
    }

    /** The store key of an artifact, which names its blob in either layout (and stays known after the row goes). */
    public static String keyOf(DataSource db, String sha256) throws SQLException {
        return TestDb.column(db, "SELECT storage_key FROM artifact WHERE sha256 = ?", sha256).get(0);
    }

    /** Whether the blob of that key still has its bytes in the database, in either layout. */
    public static boolean exists(DataSource db, String key) throws SQLException {
        return TestDb.count(db, "SELECT (SELECT count(*) FROM blob_large_object b JOIN pg_largeobject_metadata m "
                + "ON m.oid = b.blob_oid WHERE b.key = ?) + (SELECT count(*) FROM blob_chunked WHERE key = ?)",
                key, key) > 0;
    }

    /**
     * Whether the blob of that key is gone within 10 s. A large object goes with its artifact row (a trigger), chunks
     * once the deletion has committed, on the artifact collector's thread.
     */
    public static boolean gone(DataSource db, String key) throws SQLException, InterruptedException {
        for (long deadline = System.nanoTime() + 10_000_000_000L; exists(db, key) && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
        }
        return !exists(db, key);
    }

    /** Overwrites the first 4 bytes of an artifact's blob with 0xdeadbeef, in whichever layout holds it. */
    public static void corrupt(DataSource db, String sha256) throws SQLException {
        String key = keyOf(db, sha256);
        long largeObjects = TestDb.count(db, "SELECT count(*) FROM blob_large_object WHERE key = ?", key);
        if (largeObjects > 0) {
            execute(db, "SELECT lo_put(blob_oid, 0, '\\xdeadbeef'::bytea) FROM blob_large_object WHERE key = ?", key);
        } else {
            execute(db, "UPDATE blob_chunk SET data = overlay(data PLACING '\\xdeadbeef'::bytea FROM 1) "
                    + "WHERE seq = 0 AND blob_id = (SELECT id FROM blob_chunked WHERE key = ?)", key);
        }
        if (!exists(db, key)) {
            throw new AssertionError("no blob in the postgres store for " + sha256);
        }
    }
}
