package dev.turnout.datadir;

/** Another live process holds the data directory's lock: this one must not start on it. */
public class DataDirInUseException extends IllegalStateException {

    public DataDirInUseException(String message) {
        super(message);
    }
}
