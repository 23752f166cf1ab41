package dev.sdcond.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The prompts of {@code encode-text}: the --prompts file, and the A1111 tags that name LoRAs in them. */
final class PromptsFile {
    private PromptsFile() {}

    /** One line: the prompt, the negative prompt or null, the output name or null, the line number (0: --prompt). */
    record Item(String prompt, String negative, String name, int line) {}

    /**
     * Reads a --prompts file: UTF-8 JSON Lines, one {@code {"prompt": ..., "negative": ..., "name": ...}} per line,
     * blank lines skipped. Every problem names the file and the line.
     */
    static List<Item> read(Path file) {
        List<Item> items = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = jsonLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException e) {
                throw new InvalidInputException(file + ": line " + (i + 1) + " is not JSON");
            }
            if (n == null || !n.isObject() || !n.path("prompt").isTextual()) {
                throw new InvalidInputException(file + ": line " + (i + 1)
                        + " needs a \"prompt\" string, e.g. {\"prompt\": \"a cat\", \"negative\": \"blurry\"}");
            }
            String name = n.hasNonNull("name") ? n.get("name").asText() : null;
            if (name != null && (!name.matches("[A-Za-z0-9._-]+") || name.equals(".") || name.equals(".."))) {
                throw new InvalidInputException(file + ": line " + (i + 1) + ": name '" + name
                        + "' must be letters, digits, '.', '_' or '-', and not '.' or '..'");
            }
            items.add(new Item(n.get("prompt").asText(), n.hasNonNull("negative") ? n.get("negative").asText() : null,
                    name, i + 1));
        }
        if (items.isEmpty()) {
            throw new InvalidInputException(file + ": no prompts");
        }
        return items;
    }

    /** The lines of a JSON Lines file, which must be UTF-8: a line that is not names its number. */
    private static List<String> jsonLines(Path file) {
        byte[] bytes = dev.sdcond.models.io.InputFiles.readBytes(file);
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i == bytes.length && start == i) {
                    break;
                }
                try {
                    lines.add(dev.sdcond.models.io.InputFiles.utf8(java.nio.ByteBuffer.wrap(bytes, start, i - start)));
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new InvalidInputException(file + ": line " + (lines.size() + 1) + " is not UTF-8 text");
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /** Prepares every prompt (tags, syntax), so that a bad one fails before any model work; names its line. */
    static List<dev.sdcond.conditioning.PreparedPrompt> prepare(dev.sdcond.conditioning.TextRequest request,
            List<Item> items) {
        List<dev.sdcond.conditioning.PreparedPrompt> prepared = new ArrayList<>();
        for (Item it : items) {
            try {
                prepared.add(dev.sdcond.conditioning.PreparedPrompt.of(request, it.prompt(), it.negative()));
            } catch (InvalidInputException e) {
                throw it.line() == 0 ? e : new InvalidInputException("line " + it.line() + ": " + e.getMessage(), e);
            }
        }
        return prepared;
    }

    /** An item's output name: its "name", else its number among the prompts (000001, ...). */
    static String outputName(Item it, int index) {
        return it.name() != null ? it.name() : String.format("%06d", index + 1);
    }

    /** Prints what a prompt's encoding tolerated, one "warning:" line each, the prompt abbreviated. */
    static void warn(java.io.PrintWriter err, String prompt, List<String> messages) {
        String p = prompt.length() <= 40 ? prompt : prompt.substring(0, 37) + "...";
        messages.forEach(m -> err.println("warning: prompt \"" + p + "\": " + m));
    }

    /** Prints what each prompt's (and negative prompt's) encoding tolerated. */
    static void report(java.io.PrintWriter err, List<Item> items, dev.sdcond.conditioning.TextConditioner.Result r) {
        for (int i = 0; i < items.size(); i++) {
            warn(err, items.get(i).prompt(), r.positive().messages(i));
            if (r.negative() != null && items.get(i).negative() != null) {
                warn(err, items.get(i).negative(), r.negative().messages(i));
            }
        }
    }
}
