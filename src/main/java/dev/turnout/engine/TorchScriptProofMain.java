package dev.turnout.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The isolated TorchScript proof: a separate JVM that loads the upload with DJL and runs it once on zeros, as
 * {@link ModelLoader#inspect} does in the server. If PyTorch crashes on the model, this process dies, not the server.
 * <p>
 * Arguments: the artifact, a signature file, the result file to write, the DJL cache directory, intra-op threads,
 * the most elements an input may have, the most bytes the archive may unpack to. The result file is written whole or
 * not at all: {@code OK}, or a {@link InvalidModelException.Reason} and the message on the next line.
 */
public final class TorchScriptProofMain {

    private TorchScriptProofMain() {
    }

    public static void main(String[] args) throws IOException {
        Path artifact = Path.of(args[0]);
        Path result = Path.of(args[2]);
        String outcome;
        try {
            Signature declared = readSignature(Path.of(args[1]));
            ModelLoader loader = new ModelLoader(new ModelLoader.Settings(Path.of(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Long.parseLong(args[6]), Long.parseLong(args[7])));
            try (LoadedModel ignored = loader.inspect(artifact, ModelFormat.TORCHSCRIPT, declared)) {
                outcome = "OK\n";
            }
        } catch (InvalidModelException e) {
            outcome = e.reason().name() + "\n" + e.getMessage();
        }
        Path partial = result.resolveSibling(result.getFileName() + ".partial");
        Files.writeString(partial, outcome, StandardCharsets.UTF_8);
        Files.move(partial, result, StandardCopyOption.ATOMIC_MOVE);
        System.exit(0);
    }

    /** One line per tensor: {@code input|output <name, base64url> <datatype> <dims, comma-separated, or .>}. */
    static void writeSignature(Signature signature, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        signature.inputs().forEach(spec -> lines.add(line("input", spec)));
        signature.outputs().forEach(spec -> lines.add(line("output", spec)));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static String line(String kind, TensorSpec spec) {
        String name = Base64.getUrlEncoder().encodeToString(spec.name().getBytes(StandardCharsets.UTF_8));
        String dims = spec.shape().isEmpty() ? "."
                : spec.shape().stream().map(String::valueOf).collect(Collectors.joining(","));
        return kind + " " + name + " " + spec.datatype().name() + " " + dims;
    }

    static Signature readSignature(Path file) throws IOException {
        List<TensorSpec> inputs = new ArrayList<>();
        List<TensorSpec> outputs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] field = line.split(" ");
            String name = new String(Base64.getUrlDecoder().decode(field[1]), StandardCharsets.UTF_8);
            List<Long> shape = field[3].equals(".") ? List.of()
                    : Arrays.stream(field[3].split(",")).map(Long::valueOf).toList();
            TensorSpec spec = new TensorSpec(name, DataType.valueOf(field[2]), shape);
            (field[0].equals("input") ? inputs : outputs).add(spec);
        }
        return new Signature(inputs, outputs);
    }
}
