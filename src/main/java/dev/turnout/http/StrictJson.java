package dev.turnout.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every management body is read by the application's one ObjectMapper, and none may be ambiguous: a key given twice
 * (Jackson's default keeps the last, so {"version": 1, "version": 2} flipped to 2) or a second value after the first
 * (silently ignored) is a parse error, which each resource answers with a 400. Inference bodies have their own reader
 * (serving.rest.Predictions) and are not affected.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
