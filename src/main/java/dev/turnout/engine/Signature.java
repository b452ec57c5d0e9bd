package dev.turnout.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A model's inputs and outputs, in the order the model takes and returns them. */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public Signature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * Checks that {@code declared} describes a model with this (read-from-the-model) signature: the same tensors in
     * the same order, each fitting the model's spec (a declared dimension may pin one the model leaves dynamic).
     *
     * @return what disagrees, or empty when they agree
     */
    public Optional<String> disagreement(Signature declared) {
        List<String> problems = new ArrayList<>();
        compare("inputs", inputs, declared.inputs, problems);
        compare("outputs", outputs, declared.outputs, problems);
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    private static void compare(String what, List<TensorSpec> actual, List<TensorSpec> declared, List<String> problems) {
        if (actual.size() != declared.size()) {
            problems.add(what + ": the model has " + actual + ", the signature declares " + declared);
            return;
        }
        for (int i = 0; i < actual.size(); i++) {
            if (!actual.get(i).accepts(declared.get(i))) {
                problems.add(what + "[" + i + "]: the model has " + actual.get(i) + ", the signature declares " + declared.get(i));
            }
        }
    }
}
