package dev.turnout.engine;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds inputs like {@link TensorTranslator} but returns only each output's name, datatype and shape, leaving the
 * data in the engine's memory: for smoke tests and warm-ups, which check outputs against the signature and would
 * otherwise copy outputs of any size (one input row may well yield millions of elements) to the heap.
 */
final class OutputShapeTranslator implements NoBatchifyTranslator<Tensor[], TensorSpec[]> {

    private final Signature signature;

    OutputShapeTranslator(Signature signature) {
        this.signature = signature;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Tensor[] inputs) {
        return TensorTranslator.toEngine(ctx.getNDManager(), inputs);
    }

    @Override
    public TensorSpec[] processOutput(TranslatorContext ctx, NDList list) {
        return TensorTranslator.describe(list, signature);
    }
}
