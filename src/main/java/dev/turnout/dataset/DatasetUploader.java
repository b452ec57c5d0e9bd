package dev.turnout.dataset;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an upload into a dataset version. Everything that can refuse it (name, size, format, a header and rows that
 * parse) runs in one streaming pass over the spooled file before the one transaction that records it, so a refused
 * upload writes nothing. A CSV none of whose rows is malformed then has its numeric columns parsed once, for the
 * evaluations ({@link ParsedColumnsWriter}).
 */
@ApplicationScoped
public class DatasetUploader {

    private static final Logger LOG = Logger.getLogger(DatasetUploader.class);

    private final DatasetService service;
    private final DatasetConfig config;

    public DatasetUploader(DatasetService service, DatasetConfig config) {
        this.service = service;
        this.config = config;
    }

    public DatasetVersion upload(DatasetUpload upload, String actor) {
        DatasetNames.check(upload.name());
        try {
            long size = Files.size(upload.data());
            long limit = config.maxUploadSize().asLongValue();
            if (size > limit) {
                throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the data is " + size + " bytes; the limit is "
                        + limit + " (turnout.datasets.max-upload-size)");
            }
            if (size == 0) {
                throw TurnoutException.invalid("the data is empty; a dataset is a CSV with a header row, or JSON Lines");
            }
            DatasetFormat format = upload.format() != null ? upload.format() : DatasetReaders.detect(upload.data());
            DatasetScan scan = DatasetScan.of(upload.data(), format);
            Path parsedFile = upload.data().resolveSibling(upload.data().getFileName() + ".parsed");
            try {
                ParsedColumnsWriter.Parsed parsed = parse(upload, scan, parsedFile);
                DatasetVersion version = service.add(upload, scan, size, parsed, actor);
                LOG.infof("Registered dataset %s version %d (%s, %d bytes, %d rows of which %d malformed, sha256 %s; "
                        + "%s)", version.name(), version.version(), format.id(), size, scan.rowCount(),
                        scan.malformedRows(), scan.sha256(), parsed == null ? "no parsed columns"
                        : parsed.columns().size() + " numeric columns parsed, " + parsed.size() + " bytes");
                return version;
            } finally {
                // Should this not run (a crash), the file is the upload's part file's namesake: the spool's sweeps take
                // it with that one (UploadSpool at start, FormPartSweeper), when the spool is inside the data directory.
                Files.deleteIfExists(parsedFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled upload", e);
        }
    }

    /**
     * The numeric columns of a CSV none of whose rows is malformed, parsed into {@code target}; else null. They only
     * spare evaluations work, so a file that cannot be written (a full spool disk) leaves the version without them,
     * its evaluations reading the text, rather than refusing an upload that is fine.
     */
    private ParsedColumnsWriter.Parsed parse(DatasetUpload upload, DatasetScan scan, Path target) {
        if (!config.parseColumns() || scan.format() != DatasetFormat.CSV || scan.malformedRows() > 0) {
            return null;
        }
        try {
            return ParsedColumnsWriter.write(upload.data(), scan.rowCount(), scan.columns(), target).orElse(null);
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("Dataset %s: its numeric columns could not be parsed into %s (%s); the version is stored without "
                    + "them, and its evaluations read the text", upload.name(), target, e.getMessage());
            return null;
        }
    }
}
