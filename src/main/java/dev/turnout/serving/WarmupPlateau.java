package dev.turnout.serving;

/**
 * When one form of the request-path warm-up has warmed: its answers came no faster for {@link #WINDOWS} windows in a
 * row, and the JIT was quiet in each of them. On two CPUs the answers stop getting faster long before C2 is done (it
 * compiles on one thread for ~20 s after start, bench/README.md "Cold start" run 4): a replica made ready on the
 * throughput alone served 40-60 % of its steady state for its first seconds.
 */
final class WarmupPlateau {

    static final int WINDOWS = 3;
    /** "Faster" means more answers per window than the best window so far by this fraction. */
    static final double GAIN = 0.05;
    /** "Quiet" means the JIT compilers spent less than this share of the window compiling. */
    static final double JIT_QUIET_SHARE = 0.10;

    private final long windowMillis;
    private int best;
    private int flat;

    WarmupPlateau(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /**
     * One window's figures: answers in it, and milliseconds the JIT compiled in it.
     *
     * @return whether the plateau is reached with this window
     */
    boolean window(int answers, long jitMillis) {
        boolean quiet = jitMillis < windowMillis * JIT_QUIET_SHARE;
        flat = answers > best * (1 + GAIN) || !quiet ? 0 : flat + 1;
        best = Math.max(best, answers);
        return flat >= WINDOWS;
    }
}
