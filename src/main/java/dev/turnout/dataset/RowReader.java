package dev.turnout.dataset;

import java.util.List;

/** A format's reader: the rows, and the columns they have (known once the first parsed row was read, for JSON Lines). */
interface RowReader extends DatasetRows {

    /** The columns in order; null while a JSON Lines file has shown no object yet. */
    List<String> columns();
}
