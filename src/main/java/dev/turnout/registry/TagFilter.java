package dev.turnout.registry;

import dev.turnout.error.TurnoutException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code ?tag=} of a list: {@code name=value} (a version carrying that tag with that value) or {@code name} (a
 * version carrying that tag, whatever its value). Split at the first '=', which tag names cannot contain (they may
 * contain ':', so {@code name:value} would be ambiguous). Several filters must all hold for one version.
 */
public record TagFilter(String name, Optional<String> value) {

    public static final String FORM = "name=value or name";
    public static final int MAX_FILTERS = 16;

    public static List<TagFilter> parseAll(List<String> texts) {
        if (texts == null) {
            return List.of();
        }
        if (texts.size() > MAX_FILTERS) {
            throw TurnoutException.invalid("at most " + MAX_FILTERS + " 'tag' filters per request");
        }
        return texts.stream().map(TagFilter::parse).toList();
    }

    static TagFilter parse(String text) {
        int equals = text.indexOf('=');
        String name = equals < 0 ? text : text.substring(0, equals);
        Optional<String> value = equals < 0 ? Optional.empty() : Optional.of(text.substring(equals + 1));
        if (!name.matches(RegistryRules.KEY_PATTERN)
                || value.map(v -> v.length() > RegistryRules.MAX_TAG_VALUE_LENGTH).orElse(false)) {
            throw TurnoutException.invalid("invalid 'tag' filter '" + RegistryRules.printable(text) + "': expected "
                    + FORM + ", names matching " + RegistryRules.KEY_PATTERN + ", values of at most "
                    + RegistryRules.MAX_TAG_VALUE_LENGTH + " characters");
        }
        return new TagFilter(name, value);
    }

    /**
     * SQL that holds when the version whose id is {@code versionId} passes every filter; its parameters are numbered
     * from {@code first} on, in the order {@link #parameters} appends them.
     */
    static String sql(String versionId, List<TagFilter> filters, int first) {
        StringBuilder sql = new StringBuilder();
        int next = first;
        for (TagFilter filter : filters) {
            sql.append(" AND EXISTS (SELECT 1 FROM model_version_tag t WHERE t.version_id = ").append(versionId)
                    .append(" AND t.name = ?").append(next++);
            if (filter.value().isPresent()) {
                sql.append(" AND t.value = ?").append(next++);
            }
            sql.append(')');
        }
        return sql.toString();
    }

    /** {@code leading} followed by the filters' names and values, as {@link #sql} numbers them. */
    static Object[] parameters(List<Object> leading, List<TagFilter> filters) {
        List<Object> all = new ArrayList<>(leading);
        for (TagFilter filter : filters) {
            all.add(filter.name());
            filter.value().ifPresent(all::add);
        }
        return all.toArray();
    }
}
