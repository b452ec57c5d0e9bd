package dev.turnout.dataset;

/**
 * A numeric column of a CSV dataset version as parsed once at upload ({@link ParsedColumnsWriter}): every value of it
 * is a finite double as an evaluation parses its text for an FP64 input, and the flags say in which other forms each
 * value is exactly what parsing its text in that form gives, so a pass reading the stored doubles fills an input of
 * that type with the very values a pass over the text would.
 *
 * @param float32 every value's FP32 parse equals its double rounded to float (not so where rounding twice differs)
 * @param int64   every value is an integer literal within ±2^53, exact as a double
 * @param int32   as {@code int64}, and within an int
 * @param whole   every value is a whole number (a class id, when also non-negative)
 */
public record ParsedColumn(String name, boolean float32, boolean int64, boolean int32, boolean whole, double min,
                           double max) {
}
