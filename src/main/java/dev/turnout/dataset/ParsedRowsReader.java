package dev.turnout.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads a parsed-columns file ({@link ParsedColumnsWriter}) from its store: whole rows at a time into one buffer, each
 * value read in place. A file that ends inside a row or holds another number of rows than the version records is a
 * failure, not a shorter pass.
 */
final class ParsedRowsReader implements ParsedRows {

    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final int BUFFER = 256 << 10;

    private final InputStream in;
    private final long rows;
    private final int rowBytes;
    private final byte[] buffer;
    private int filled;
    private int position;
    private long number;

    ParsedRowsReader(InputStream in, int width, long rows) {
        this.in = in;
        this.rows = rows;
        this.rowBytes = width * Double.BYTES;
        this.buffer = new byte[Math.max(1, BUFFER / rowBytes) * rowBytes];
        this.position = -rowBytes;
    }

    @Override
    public boolean advance() {
        position += rowBytes;
        if (position >= filled) {
            try {
                filled = in.readNBytes(buffer, 0, buffer.length);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the dataset's parsed columns", e);
            }
            position = 0;
            if (filled % rowBytes != 0) {
                throw new IllegalStateException("the dataset's parsed columns end inside row " + (number + 1));
            }
            if (filled == 0) {
                if (number != rows) {
                    throw new IllegalStateException("the dataset's parsed columns hold " + number + " rows, not the "
                            + rows + " its version records");
                }
                return false;
            }
        }
        if (++number > rows) {
            throw new IllegalStateException("the dataset's parsed columns hold more than the " + rows
                    + " rows its version records");
        }
        return true;
    }

    @Override
    public double value(int column) {
        return (double) DOUBLES.get(buffer, position + column * Double.BYTES);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the dataset's parsed columns", e);
        }
    }
}
