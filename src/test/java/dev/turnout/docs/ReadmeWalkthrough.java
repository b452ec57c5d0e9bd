package dev.turnout.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The README's walk-through as the commands a newcomer pastes, in order. The convention (README authors: keep to it):
 * <ul>
 *   <li>every {@code ```bash} block in the sections {@link #SECTIONS} is part of the walk-through, in README order,
 *       unless the line before its fence is {@link #NOT_RUN};</li>
 *   <li>one command per line; a line ending in {@code \} continues on the next;</li>
 *   <li>a comment line right after a command whose text starts with {@code {} or {@code [} is that command's expected
 *       output (one line of JSON; see {@link ExpectedJson} for how it is compared); other comments are prose;</li>
 *   <li>the command that starts the server is the one that runs {@link #SERVER_JAR}; it runs it in the background
 *       (ends with {@code &}), and the walk-through itself waits until the server is ready.</li>
 * </ul>
 */
record ReadmeWalkthrough(List<Step> steps) {

    static final Set<String> SECTIONS = Set.of("The two commands", "Try it", "Rollout: flipping the active version",
            "Evaluations: evaluate, then deploy", "Progressive delivery: canary rollouts");
    static final String NOT_RUN = "<!-- not run by ReadmeWalkthroughIT -->";
    static final String SERVER_JAR = "java -jar target/quarkus-app/quarkus-run.jar";

    /** One command of the walk-through, at its README line, with the output the README shows for it (or null). */
    record Step(int line, String section, String command, String expectedOutput) {

        boolean startsServer() {
            return command.contains(SERVER_JAR);
        }

        Step expecting(String output) {
            return new Step(line, section, command, output);
        }
    }

    static ReadmeWalkthrough parse(Path readme) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        List<Step> steps = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
                seen.add(section);
            } else if (line.startsWith("```")) {
                int end = closingFence(lines, i);
                boolean walkthrough = line.trim().equals("```bash") && SECTIONS.contains(section)
                        && (i == 0 || !lines.get(i - 1).trim().equals(NOT_RUN));
                if (walkthrough) {
                    steps.addAll(steps(lines, i + 1, end, section));
                }
                i = end;
            }
        }
        if (!seen.containsAll(SECTIONS)) {
            throw new IllegalStateException("README.md lacks a walk-through section; expected " + SECTIONS
                    + ", found " + seen);
        }
        return new ReadmeWalkthrough(steps);
    }

    private static int closingFence(List<String> lines, int opening) {
        for (int i = opening + 1; i < lines.size(); i++) {
            if (lines.get(i).startsWith("```")) {
                return i;
            }
        }
        throw new IllegalStateException("README.md line " + (opening + 1) + ": a code block is never closed");
    }

    /** The commands of one block: lines {@code from} (inclusive) to {@code to} (exclusive), 0-based. */
    private static List<Step> steps(List<String> lines, int from, int to, String section) {
        List<Step> steps = new ArrayList<>();
        boolean previousWasCommand = false;
        for (int i = from; i < to; i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                previousWasCommand = false;
            } else if (line.startsWith("#")) {
                String comment = line.substring(1).trim();
                if (previousWasCommand && (comment.startsWith("{") || comment.startsWith("["))) {
                    steps.set(steps.size() - 1, steps.get(steps.size() - 1).expecting(comment));
                }
                previousWasCommand = false;
            } else {
                int start = i;
                StringBuilder command = new StringBuilder(lines.get(i));
                while (lines.get(i).endsWith("\\") && i + 1 < to) {
                    command.append('\n').append(lines.get(++i));
                }
                steps.add(new Step(start + 1, section, command.toString(), null));
                previousWasCommand = true;
            }
        }
        return steps;
    }
}
