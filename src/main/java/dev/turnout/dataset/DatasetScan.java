package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;
import dev.turnout.registry.Digests;
import dev.turnout.registry.RegistryRules;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What one streaming pass over an uploaded file found: its digest, and its rows as the evaluation will read them (the
 * same readers), counted with the first few problems. A file none of whose rows parses is refused (400).
 */
record DatasetScan(String sha256, DatasetFormat format, List<String> columns, long rowCount, long malformedRows,
                   List<DatasetProblem> problems) {

    static DatasetScan of(Path file, DatasetFormat format) throws IOException {
        MessageDigest digest = Digests.newSha256();
        long rows = 0;
        long malformed = 0;
        List<DatasetProblem> problems = new ArrayList<>();
        List<String> columns;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest);
             RowReader reader = DatasetReaders.open(format, in, null)) {
            while (reader.hasNext()) {
                DatasetRow row = reader.next();
                rows++;
                if (row.isMalformed()) {
                    malformed++;
                    if (problems.size() < DatasetRules.MAX_PROBLEMS) {
                        problems.add(new DatasetProblem(row.number(), row.problem()));
                    }
                }
            }
            columns = reader.columns();
            in.transferTo(OutputStream.nullOutputStream()); // the readers read to the end; this only makes sure
        }
        for (String column : columns == null ? List.<String>of() : columns) {
            // the columns are stored as jsonb: U+0000 failed the insert (a 500), half a surrogate pair became '?'
            RegistryRules.checkStorable("the column name '" + Problems.quote(column) + "'", column);
        }
        if (rows == 0) {
            throw TurnoutException.invalid("the " + format.id() + " file has no data rows"
                    + (format == DatasetFormat.CSV ? " below its header" : ""));
        }
        if (malformed == rows) {
            throw TurnoutException.invalid("none of the " + rows + " rows of the " + format.id() + " file parses, so "
                    + "it is not " + (format == DatasetFormat.CSV ? "CSV" : "JSON Lines") + "; the first problems: "
                    + String.join("; ", problems.stream().limit(3).map(DatasetProblem::problem).toList()));
        }
        return new DatasetScan(HexFormat.of().formatHex(digest.digest()), format, columns, rows, malformed,
                List.copyOf(problems));
    }
}
