package dev.sdcond.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.prompt.ExtraNetworks;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /**
     * The LoRAs of each item: every --lora (given in {@code loras}), then, with --style a1111, those its positive
     * prompt names in {@code <lora:NAME:W>} tags (found in --lora-dir). As in A1111, one output holding a batch takes the first
     * prompt's tags for all of them.
     */
    static List<List<LoraSpec>> loraSets(List<Item> items, boolean perItem, PromptStyle style, List<LoraSpec> loras,
            List<Path> loraDirs) {
        List<List<LoraSpec>> sets = new ArrayList<>();
        for (Item it : items) {
            List<LoraSpec> set = new ArrayList<>(loras);
            Item from = perItem ? it : items.get(0);
            if (style == PromptStyle.A1111) {
                for (Map.Entry<String, Double> tag : ExtraNetworks.parse(from.prompt()).loras()) {
                    set.add(ExtraNetworks.find(loraDirs, tag.getKey(), tag.getValue()));
                }
            }
            sets.add(List.copyOf(set));
        }
        return sets;
    }

    /** The prompt as encoded: with --style a1111, without its extra-network tags. */
    static String encoded(PromptStyle style, String prompt) {
        return style == PromptStyle.A1111 && prompt != null ? ExtraNetworks.parse(prompt).text() : prompt;
    }

    /** Parses every prompt and negative prompt, so that a bad one fails before any model work. */
    static void checkSyntax(List<Item> items, PromptStyle style, boolean strict) {
        for (Item it : items) {
            dev.sdcond.conditioning.prompt.PromptTokenizer.parse(style, strict, encoded(style, it.prompt()));
            if (it.negative() != null) {
                dev.sdcond.conditioning.prompt.PromptTokenizer.parse(style, strict, it.negative());
            }
        }
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
