package dev.turnout.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** The JSON columns of dataset_version, kept independent of the REST mapper's naming strategy. */
final class DatasetJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetJson() {
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON", e);
        }
    }

    static List<String> columns(String json) {
        return List.copyOf(read(json, new TypeReference<List<String>>() { }));
    }

    static List<DatasetProblem> problems(String json) {
        return List.copyOf(read(json, new TypeReference<List<DatasetProblem>>() { }));
    }

    static List<ParsedColumn> parsedColumns(String json) {
        return List.copyOf(read(json, new TypeReference<List<ParsedColumn>>() { }));
    }

    static SortedMap<String, String> tags(String json) {
        return new TreeMap<>(read(json, new TypeReference<java.util.Map<String, String>>() { }));
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the database holds malformed JSON in dataset_version", e);
        }
    }
}
