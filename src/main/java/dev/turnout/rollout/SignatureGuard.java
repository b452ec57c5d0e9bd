package dev.turnout.rollout;

import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Would clients of the active version still be served by the next one? Same input names, datatypes and ranks; every
 * dimension the next version fixes must be fixed to the same size in the active one (a dimension may become dynamic,
 * not the reverse).
 */
final class SignatureGuard {

    private SignatureGuard() {
    }

    static Optional<String> incompatibility(Signature active, Signature next) {
        Map<String, TensorSpec> nextInputs = next.inputs().stream()
                .collect(Collectors.toMap(TensorSpec::name, Function.identity()));
        List<String> problems = new ArrayList<>();
        for (TensorSpec current : active.inputs()) {
            TensorSpec replacement = nextInputs.remove(current.name());
            if (replacement == null) {
                problems.add("input '" + current.name() + "' is gone");
            } else if (!replacement.accepts(current)) {
                problems.add("input " + current + " becomes " + replacement);
            }
        }
        nextInputs.keySet().forEach(name -> problems.add("new input '" + name + "' that clients do not send"));
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }
}
