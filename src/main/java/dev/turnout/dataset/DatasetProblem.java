package dev.turnout.dataset;

/** A malformed data row: its number and what was wrong with it (naming its line in the file). */
public record DatasetProblem(long row, String problem) {
}
