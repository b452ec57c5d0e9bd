package dev.turnout.engine;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.InvalidModelException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Proves a TorchScript upload in a child JVM ({@link TorchScriptProofMain}): PyTorch compiles and runs the archive's
 * code natively, and a model that makes it abort or segfault must cost a 422, not the replica. The child gets a bounded
 * heap and a deadline; the archive's static check runs here first, so refused archives never start a process.
 */
@ApplicationScoped
public class IsolatedTorchScriptProof {

    private static final Logger LOG = Logger.getLogger(IsolatedTorchScriptProof.class);
    private static final Map<Integer, String> SIGNALS = Map.of(4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE",
            9, "SIGKILL", 11, "SIGSEGV");

    /** What the JVM, DJL, PyTorch and its thread pools read; nothing else of the server's environment is passed. */
    private static final Pattern KEPT_ENVIRONMENT = Pattern.compile(
            "PATH|HOME|TMPDIR|TZ|LANG|LC_\\w+|LD_LIBRARY_PATH|(DJL|PYTORCH|OMP|MKL|KMP|OPENBLAS)_\\w+");

    private final TurnoutConfig config;
    private final Path workDir;

    public IsolatedTorchScriptProof(TurnoutConfig config) {
        this.config = config;
        this.workDir = config.dataDir().resolve("proofs").toAbsolutePath();
    }

    /** Loads and runs the archive once in a child JVM; returns the signature to record (the declared one). */
    public Signature prove(Path artifact, Signature declared) throws InvalidModelException {
        Signature signature = ModelLoader.signatureOf(null, ModelFormat.TORCHSCRIPT, declared);
        long maxArchiveBytes = config.registry().maxUploadSize().asLongValue();
        ModelLoader.requireSafe(artifact, ModelFormat.TORCHSCRIPT, maxArchiveBytes);
        Path dir = null;
        try {
            Files.createDirectories(workDir);
            dir = Files.createTempDirectory(workDir, "proof-");
            Path signatureFile = dir.resolve("signature");
            TorchScriptProofMain.writeSignature(signature, signatureFile);
            Path result = dir.resolve("result");
            Path log = dir.resolve("log");
            List<String> command = command(artifact.toAbsolutePath(), signatureFile, result, maxArchiveBytes);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // The model's code runs there: it gets no secrets (database password, tokens) from the environment.
            builder.environment().keySet().removeIf(variable -> !KEPT_ENVIRONMENT.matcher(variable).matches());
            Process process = builder.start();
            awaitExit(process, log);
            List<String> outcome = Files.exists(result) ? Files.readAllLines(result, StandardCharsets.UTF_8) : List.of();
            return signatureOrRefusal(outcome, signature);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run the isolated TorchScript proof", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidModelException(Reason.NOT_LOADABLE, "interrupted while testing the model", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private List<String> command(Path artifact, Path signature, Path result, long maxArchiveBytes) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + config.registry().proofMaxHeap().asLongValue());
        command.add("-XX:+UseSerialGC");           // one small heap, no GC threads to spare
        command.add("-XX:TieredStopAtLevel=1");    // a short-lived process: start fast
        command.add("-Djava.awt.headless=true");
        config.registry().proofJvmOptions().ifPresent(command::addAll);
        command.add("-cp");
        command.add(classPath());
        command.add(TorchScriptProofMain.class.getName());
        command.add(artifact.toString());
        command.add(signature.toString());
        command.add(result.toString());
        command.add(config.dataDir().resolve("djl").toAbsolutePath().toString());
        command.add(Integer.toString(config.engine().intraOpThreads()));
        command.add(Integer.toString(config.serving().maxTensorElements()));
        command.add(Long.toString(config.serving().maxOutputElements()));
        command.add(Long.toString(maxArchiveBytes));
        return command;
    }

    /**
     * This JVM's class path for the child. Under {@code java -jar quarkus-run.jar} (Quarkus' fast-jar) it is that jar
     * alone, whose runner loads the application from the directories beside it: the child gets those directories.
     * Under tests and {@code java -cp} it is already complete.
     */
    static String classPath() {
        String classPath = System.getProperty("java.class.path");
        Path single = Path.of(classPath);
        if (!classPath.contains(File.pathSeparator) && single.getFileName() != null
                && single.getFileName().toString().equals("quarkus-run.jar")) {
            Path app = single.toAbsolutePath().getParent();
            return String.join(File.pathSeparator, app.resolve("app") + File.separator + "*",
                    app.resolve("lib/main") + File.separator + "*", app.resolve("lib/boot") + File.separator + "*");
        }
        return classPath;
    }

    private void awaitExit(Process process, Path log) throws InterruptedException, InvalidModelException {
        long timeout = config.registry().proofTimeout().toMillis();
        try {
            if (!process.waitFor(timeout, TimeUnit.MILLISECONDS)) {
                LOG.warnf("The isolated TorchScript proof ran over %d ms; killed it", timeout);
                throw new InvalidModelException(Reason.NOT_LOADABLE, "the model did not load and run once within "
                        + config.registry().proofTimeout().toSeconds() + " s (turnout.registry.proof-timeout)");
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        int exit = process.exitValue();
        if (exit != 0) {
            String how = exit > 128 ? SIGNALS.getOrDefault(exit - 128, "signal " + (exit - 128)) : "exit code " + exit;
            LOG.warnf("The isolated TorchScript proof ended with %s; its last output:%n%s", how, tail(log));
            throw new InvalidModelException(Reason.NOT_LOADABLE,
                    "the model crashed the engine while loading (the proof process ended with " + how + ")");
        }
    }

    private static Signature signatureOrRefusal(List<String> result, Signature signature) throws InvalidModelException {
        if (result.isEmpty()) {
            throw new InvalidModelException(Reason.NOT_LOADABLE, "the proof process ended without a result");
        }
        if (result.get(0).equals("OK")) {
            return signature;
        }
        String message = String.join(" ", result.subList(1, result.size()));
        throw new InvalidModelException(Reason.valueOf(result.get(0)), message);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            LOG.debugf("could not delete %s: %s", dir, e.getMessage());
        }
    }
}
