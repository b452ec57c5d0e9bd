package dev.turnout.dataset;

import dev.turnout.registry.RegistryRules;

/** Text from a dataset file echoed in a problem or refusal: bounded, control characters replaced. */
final class Problems {

    private Problems() {
    }

    static String quote(String text) {
        return RegistryRules.printable(text);
    }
}
