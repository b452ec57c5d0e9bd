package dev.turnout.events;

import java.util.Map;

/**
 * One change as the caller describes it; the outbox adds its id and time. {@code version} and {@code previousVersion}
 * are null where they do not apply (a deactivation has no version; a first flip no previous one).
 *
 * @param details what else the change carries (metrics and tags of a new version, the changes of a PATCH)
 */
public record Event(EventType type, String model, Integer version, Integer previousVersion, String actor,
                    String reason, Map<String, Object> details) {

    public static Event of(EventType type, String model, Integer version, String actor) {
        return new Event(type, model, version, null, actor, null, Map.of());
    }

    public Event withPrevious(Integer previous, String why) {
        return new Event(type, model, version, previous, actor, why, details);
    }

    public Event withDetails(Map<String, Object> more) {
        return new Event(type, model, version, previousVersion, actor, reason, more);
    }
}
