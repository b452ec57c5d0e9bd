package dev.turnout.docs;

import dev.turnout.docs.ReadmeWalkthrough.Step;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pastes the README's walk-through ({@link ReadmeWalkthrough} says which blocks, and how expected outputs are
 * written) into one bash session against the packaged server, in order, exactly as written (the server command
 * included: the README starts it in the background), and holds every command to what the README shows: it exits 0,
 * every {@code curl} in it answers 2xx (a 4xx only where the README shows that error; a {@code curl -f} handles its
 * own failures), and its output matches the JSON the README shows for it ({@link ExpectedJson}). Docs that drift
 * fail the build; the server is stopped at the end with SIGTERM, which stops its embedded PostgreSQL too.
 * <p>
 * The session differs from a newcomer's terminal in ways invisible in the commands: it runs in a temporary directory
 * that links to the project's files (so {@code ./data} and logs the walk-through writes stay there), with
 * {@code TURNOUT_DATA_DIR} pointing there too and no {@code TURNOUT_*} or {@code QUARKUS_*} variable of the build
 * (so the embedded PostgreSQL starts empty); the ports are free ones ({@code QUARKUS_HTTP_PORT},
 * {@code QUARKUS_MANAGEMENT_PORT}; {@code localhost:8080} and {@code localhost:9000} in the commands are rewritten to
 * them); {@code curl} is a function that adds {@code --max-time} and writes the HTTP status to stderr; {@code java}
 * is the JVM that runs this test.
 */
class ReadmeWalkthroughIT {

    static final Path README = Path.of("README.md");
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Duration SESSION = Duration.ofMinutes(5);
    static final Duration SERVER_STOP = Duration.ofSeconds(30);
    /** A time limit on every curl and, unless it is a {@code curl -f} (it handles its own failures), a status line. */
    static final String CURL = """
            curl() {
              for arg in "$@"; do
                if [[ $arg == --fail || $arg =~ ^-[a-zA-Z]*f[a-zA-Z]*$ ]]; then
                  command curl --max-time 60 "$@"; return
                fi
              done
              command curl --max-time 60 -w '%{stderr}HTTP %{http_code}\\n' "$@"
            }
            """;
    static final Pattern STATUS = Pattern.compile("(?m)^HTTP (\\d{3})$");

    @Test
    void theWalkthroughRunsAsPasted() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        List<Step> steps = ReadmeWalkthrough.parse(README).steps();
        assertEquals(1, steps.stream().filter(Step::startsServer).count(),
                "the walk-through must start the server exactly once (a command running " + ReadmeWalkthrough.SERVER_JAR
                        + "); steps: " + steps);

        Path work = Files.createTempDirectory("turnout-readme");
        Path session = Files.createDirectory(work.resolve("session"));
        linkProject(session);
        int httpPort = freePort();
        int managementPort = freePort();
        Path script = work.resolve("walkthrough.sh");
        Files.writeString(script, script(steps, work, httpPort, managementPort));

        long started = System.nanoTime();
        try {
            runSession(script, session, work, httpPort, managementPort);
        } finally {
            stopServer(work);
        }
        System.out.printf("ReadmeWalkthroughIT: %d commands, server stopped, in %.1f s%n", steps.size(),
                (System.nanoTime() - started) / 1e9);
        List<String> problems = check(steps, work);
        assertTrue(problems.isEmpty(), "The README walk-through does not run as pasted (session, outputs and server "
                + "log in " + work + "):\n" + String.join("\n", problems));
        deleteRecursively(work);
    }

    /**
     * One bash script: each command in a brace group (so {@code export}s and background jobs stay in the session),
     * its output kept per step; after the server command, the PID of its background job.
     */
    static String script(List<Step> steps, Path work, int httpPort, int managementPort) {
        StringBuilder script = new StringBuilder(CURL);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String command = step.command()
                    .replace("localhost:8080", "localhost:" + httpPort)
                    .replace("localhost:9000", "localhost:" + managementPort);
            String at = quote(work.resolve(String.valueOf(i)).toString());
            script.append("\n# README.md line ").append(step.line()).append('\n')
                    .append("{\n").append(command).append("\n} >").append(at).append(".out 2>").append(at)
                    .append(".err\n")
                    .append("echo $? >").append(at).append(".rc\n");
            if (step.startsServer()) {
                String trimmed = command.strip();
                if (!trimmed.endsWith("&") || trimmed.endsWith("&&")) {
                    throw new IllegalStateException("README.md line " + step.line() + ": the server command must "
                            + "run in the background (end with &), so the walk-through goes on in the same shell");
                }
                script.append("echo $! >").append(quote(work.resolve("server.pid").toString())).append('\n');
            }
        }
        return script.toString();
    }

    /** Links every entry of the project directory into the session's, except what the walk-through writes. */
    private static void linkProject(Path session) throws IOException {
        Path project = Path.of("").toAbsolutePath();
        try (Stream<Path> entries = Files.list(project)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.equals("data") && !name.endsWith(".log")) {
                    Files.createSymbolicLink(session.resolve(name), entry);
                }
            }
        }
    }

    /** Runs the script; gives up when it outlasts {@link #SESSION} or the server it started has exited. */
    private static void runSession(Path script, Path session, Path work, int httpPort, int managementPort)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                .directory(session.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("session.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("TURNOUT_") || name.startsWith("QUARKUS_"));
        env.put("TURNOUT_DATA_DIR", work.resolve("data").toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        String java = ProcessHandle.current().info().command().orElseThrow();
        env.put("PATH", Path.of(java).getParent() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        Process bash = builder.start();
        long deadline = System.nanoTime() + SESSION.toNanos();
        long serverGoneSince = 0;
        while (!bash.waitFor(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
            long server = serverPid(work);
            boolean serverGone = server > 0 && ProcessHandle.of(server).map(p -> !p.isAlive()).orElse(true);
            serverGoneSince = serverGone ? (serverGoneSince == 0 ? System.nanoTime() : serverGoneSince) : 0;
            if (serverGone && System.nanoTime() - serverGoneSince > TimeUnit.SECONDS.toNanos(5)) {
                break; // e.g. a command waiting for it to become ready, forever
            }
        }
        if (bash.isAlive()) { // stop what the session runs, except the server and its PostgreSQL: stopServer's job
            Set<Long> server = ProcessHandle.of(serverPid(work))
                    .map(p -> Stream.concat(Stream.of(p), p.descendants()).map(ProcessHandle::pid)
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
            bash.descendants().filter(p -> !server.contains(p.pid())).forEach(ProcessHandle::destroyForcibly);
            bash.destroyForcibly().waitFor();
        }
    }

    /** SIGTERM, as an operator would stop it: the server stops its embedded PostgreSQL on the way out. */
    private static void stopServer(Path work) throws Exception {
        long pid = serverPid(work);
        if (pid < 0) {
            return;
        }
        ProcessHandle server = ProcessHandle.of(pid).orElse(null);
        if (server == null) {
            return;
        }
        List<ProcessHandle> children = server.descendants().toList();
        server.destroy();
        try {
            server.onExit().get(SERVER_STOP.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            server.destroyForcibly(); // its watchdog then stops PostgreSQL
        }
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(SERVER_STOP.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                child.destroyForcibly();
            }
        }
    }

    private static long serverPid(Path work) {
        try {
            return Long.parseLong(Files.readString(work.resolve("server.pid")).trim());
        } catch (IOException | NumberFormatException notStarted) {
            return -1;
        }
    }

    static List<String> check(List<Step> steps, Path work) throws IOException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String where = "README.md:" + step.line() + " (" + step.section() + ") `" + firstLine(step.command()) + "`";
            Path at = work.resolve(String.valueOf(i));
            Path rc = work.resolve(i + ".rc");
            if (!Files.exists(rc)) {
                problems.add(where + ": did not finish (the session ran out of its " + SESSION.toMinutes()
                        + " min, or the server exited); the server's log (turnout.log, if the README keeps it there) "
                        + "is in " + work.resolve("session") + logs(work.resolve("session")));
                break;
            }
            String output = Files.readString(Path.of(at + ".out")).trim();
            String errors = Files.readString(Path.of(at + ".err"));
            String exit = Files.readString(rc).trim();
            if (!exit.equals("0")) {
                problems.add(where + ": exited with " + exit + "; stderr: " + errors.trim());
            }
            Matcher status = STATUS.matcher(errors);
            while (status.find()) {
                int code = Integer.parseInt(status.group(1));
                boolean expectedError = code >= 400 && code < 500 && step.expectedOutput() != null
                        && ExpectedJson.isError(step.expectedOutput());
                if ((code < 200 || code >= 300) && !expectedError) {
                    problems.add(where + ": answered " + code + ": " + output);
                }
            }
            if (step.expectedOutput() != null) {
                for (String difference : ExpectedJson.differences(step.expectedOutput(), output)) {
                    problems.add(where + ": " + difference + "\n    README: " + step.expectedOutput()
                            + "\n    answer: " + output);
                }
            }
        }
        return problems;
    }

    private static String firstLine(String command) {
        String first = command.lines().findFirst().orElse("").trim();
        return first.length() > 100 ? first.substring(0, 100) + "..." : first;
    }

    /** The last lines of each log the walk-through wrote (the server's, when the README sends it to a file). */
    private static String logs(Path session) throws IOException {
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> files = Files.list(session)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log") && !Files.isSymbolicLink(f)).toList()) {
                List<String> lines = Files.readAllLines(log);
                logs.append("\n--- ").append(log.getFileName()).append(" ends:\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
        }
        return logs.toString();
    }

    static String quote(String path) {
        return "'" + path.replace("'", "'\\''") + "'";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
