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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pastes the README's walk-through ({@link ReadmeWalkthrough} says which blocks, and how expected outputs are
 * written) into one bash session against the packaged server, in order, and holds every command to what the README
 * shows: it exits 0, every {@code curl} in it answers 2xx (a 4xx only where the README shows that error), and its
 * output matches the JSON the README shows for it ({@link ExpectedJson}). Docs that drift fail the build.
 * <p>
 * The session differs from a newcomer's terminal in four ways, all invisible in the commands: the server command runs
 * in the background, exactly as written, and the session waits for {@code /q/health/ready} before the next command;
 * the ports are free ones ({@code QUARKUS_HTTP_PORT}, {@code QUARKUS_MANAGEMENT_PORT}; {@code localhost:8080} and
 * {@code localhost:9000} in the commands are rewritten to them); the data directory is a temporary one
 * ({@code TURNOUT_DATA_DIR}) and no {@code TURNOUT_*} or {@code QUARKUS_*} variable of the build leaks in (so the
 * embedded PostgreSQL starts empty); {@code curl} is a function that adds {@code --max-time} and writes the status
 * to stderr. {@code java} is the JVM that runs this test.
 */
class ReadmeWalkthroughIT {

    static final Path README = Path.of("README.md");
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Duration SERVER_START = Duration.ofSeconds(120);
    static final Duration SESSION = Duration.ofMinutes(6);
    static final Duration SERVER_STOP = Duration.ofSeconds(30);
    static final Pattern STATUS = Pattern.compile("(?m)^HTTP (\\d{3})$");

    @Test
    void theWalkthroughRunsAsPasted() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run after 'package': " + JAR);
        List<Step> steps = ReadmeWalkthrough.parse(README).steps();
        assertEquals(1, steps.stream().filter(Step::startsServer).count(),
                "the walk-through must start the server exactly once (a command running " + ReadmeWalkthrough.SERVER_JAR
                        + "); steps: " + steps);

        Path work = Files.createTempDirectory("turnout-readme");
        int httpPort = freePort();
        int managementPort = freePort();
        Path script = work.resolve("walkthrough.sh");
        Files.writeString(script, script(steps, work, httpPort, managementPort));

        long started = System.nanoTime();
        List<String> problems;
        try {
            runSession(script, work, httpPort, managementPort);
        } finally {
            stopServer(work);
        }
        problems = check(steps, work);
        System.out.printf("ReadmeWalkthroughIT: %d commands in %.1f s; session in %s%n", steps.size(),
                (System.nanoTime() - started) / 1e9, work);
        assertTrue(problems.isEmpty(), "The README walk-through does not run as pasted (session, outputs and server "
                + "log in " + work + "):\n" + String.join("\n", problems));
        deleteRecursively(work);
    }

    /** One bash script: each command in a brace group (so {@code export}s stay), its output kept per step. */
    static String script(List<Step> steps, Path work, int httpPort, int managementPort) {
        StringBuilder script = new StringBuilder()
                .append("curl() { command curl --max-time 60 -w '%{stderr}HTTP %{http_code}\\n' \"$@\"; }\n");
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String command = step.command()
                    .replace("localhost:8080", "localhost:" + httpPort)
                    .replace("localhost:9000", "localhost:" + managementPort);
            String at = quote(work.resolve(String.valueOf(i)).toString());
            script.append("\n# README.md line ").append(step.line()).append('\n');
            if (step.startsServer()) {
                String lastLine = command.substring(command.lastIndexOf('\n') + 1);
                if (lastLine.contains("#")) {
                    throw new IllegalStateException("README.md line " + step.line()
                            + ": the server command's last line must not carry a comment");
                }
                script.append(command).append(" >").append(quote(work.resolve("server.log").toString()))
                        .append(" 2>&1 &\n")
                        .append("echo $! >").append(quote(work.resolve("server.pid").toString())).append('\n')
                        .append(waitUntilReady(managementPort, at));
            } else {
                script.append("{\n").append(command).append("\n} >").append(at).append(".out 2>").append(at)
                        .append(".err\n");
            }
            script.append("echo $? >").append(at).append(".rc\n");
        }
        return script.toString();
    }

    private static String waitUntilReady(int managementPort, String at) {
        long polls = SERVER_START.toMillis() / 500;
        return "for _ in $(seq " + polls + "); do\n"
                + "  command curl -sf -o /dev/null --max-time 2 http://localhost:" + managementPort
                + "/q/health/ready && { touch " + at + ".ready; break; }\n"
                + "  kill -0 $! 2>/dev/null || break\n"
                + "  sleep 0.5\n"
                + "done\n"
                + "test -e " + at + ".ready\n";
    }

    private static void runSession(Path script, Path work, int httpPort, int managementPort) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("session.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("TURNOUT_") || name.startsWith("QUARKUS_"));
        env.put("TURNOUT_DATA_DIR", work.resolve("data").toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        String java = ProcessHandle.current().info().command().orElseThrow();
        env.put("PATH", Path.of(java).getParent() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        Process session = builder.start();
        if (!session.waitFor(SESSION.toSeconds(), TimeUnit.SECONDS)) {
            long server = serverPid(work);
            session.descendants().filter(p -> p.pid() != server).forEach(ProcessHandle::destroyForcibly);
            session.destroyForcibly().waitFor();
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
        } catch (java.util.concurrent.TimeoutException e) {
            server.destroyForcibly(); // its watchdog then stops PostgreSQL
        }
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(SERVER_STOP.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
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
            if (step.startsServer()) {
                if (!Files.exists(work.resolve(i + ".ready"))) {
                    problems.add(where + ": the server was not ready within " + SERVER_START.toSeconds()
                            + " s; its log ends:\n" + tail(work.resolve("server.log")));
                    break;
                }
                continue;
            }
            Path rc = work.resolve(i + ".rc");
            if (!Files.exists(rc)) {
                problems.add(where + ": not run (the session ended or ran out of its " + SESSION.toMinutes() + " min)");
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

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
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
