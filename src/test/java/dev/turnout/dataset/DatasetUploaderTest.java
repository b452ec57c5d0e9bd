package dev.turnout.dataset;

import io.quarkus.runtime.configuration.MemorySize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The uploader alone, its service a recording stand-in: what it hands on when the optional parsed file fails. */
class DatasetUploaderTest {

    @TempDir
    Path spool;

    /** Records what the uploader asks to store, and stores nothing. */
    static final class RecordingService extends DatasetService {
        final List<ParsedColumnsWriter.Parsed> parsed = new ArrayList<>();

        RecordingService() {
            super(null, null, null);
        }

        @Override
        public DatasetVersion add(DatasetUpload upload, DatasetScan scan, long size, ParsedColumnsWriter.Parsed columns,
                                  String actor) {
            parsed.add(columns);
            return new DatasetVersion(upload.name(), 1, scan.format().id(), scan.sha256(), size, scan.rowCount(),
                    scan.columns(), scan.malformedRows(), scan.problems(), null, new TreeMap<>(), actor, Instant.now());
        }
    }

    static final DatasetConfig CONFIG = new DatasetConfig() {
        @Override
        public MemorySize maxUploadSize() {
            return new MemorySize(BigInteger.valueOf(1 << 20));
        }

        @Override
        public boolean parseColumns() {
            return true;
        }
    };

    @Test
    void aParsedFileThatCannotBeWrittenLeavesTheVersionWithoutParsedColumnsInsteadOfFailingTheUpload()
            throws IOException {
        Path data = Files.writeString(spool.resolve("upload"), "a,b\n1,2\n3,4\n");
        Files.createDirectory(spool.resolve("upload.parsed")); // where the parsed file goes: it cannot be written
        RecordingService service = new RecordingService();

        DatasetVersion version = new DatasetUploader(service, CONFIG)
                .upload(new DatasetUpload("numbers", data, null, null, null), "tester");

        assertEquals(2, version.rowCount());
        assertEquals(1, service.parsed.size());
        assertNull(service.parsed.get(0), "stored without parsed columns: its evaluations read the text");
        assertFalse(Files.exists(spool.resolve("upload.parsed")));
    }
}
