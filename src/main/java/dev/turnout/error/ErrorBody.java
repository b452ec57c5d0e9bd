package dev.turnout.error;

/** The JSON every error answers with: {@code {"error": "...", "code": "..."}} ("error" as the inference protocols name it). */
public record ErrorBody(String error, String code) {
}
