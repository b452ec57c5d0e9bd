package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

/** Dataset names follow the model names' rule (the database checks the same pattern). */
public final class DatasetNames {

    private DatasetNames() {
    }

    public static String check(String name) {
        if (name == null || !name.matches(RegistryRules.MODEL_NAME_PATTERN)) {
            throw TurnoutException.invalid("invalid dataset name '" + RegistryRules.printable(name) + "': names must "
                    + "match " + RegistryRules.MODEL_NAME_PATTERN + " (lower-case letters, digits, '.', '_', '-'; at "
                    + "most 63 characters)");
        }
        return name;
    }
}
