package dev.sdcond.conditioning.prompt;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * AUTOMATIC1111's extra-network tags in a prompt, {@code <NAME:ARG:ARG...>}: every tag is removed from the prompt's
 * text (A1111 does so for any network name), and the {@code lora} ones ({@code lyco} is A1111's alias) name LoRAs:
 * {@code <lora:FILE_STEM>} at 1.0, {@code <lora:FILE_STEM:TE>}, or {@code te=TE} among the arguments, TE being the
 * text-encoder multiplier (a UNet multiplier after it is ignored here). A1111 parses the positive prompt only; a tag
 * in a negative prompt stays text.
 */
public final class ExtraNetworks {
    /** A1111's {@code <(\w+):([^>]+)>}, with Python 3's Unicode {@code \w}. */
    private static final Pattern TAG = Pattern.compile("<(" + PythonText.WORD + "+):([^>]+)>");

    private ExtraNetworks() {}

    /** A prompt without its tags, and the LoRAs its tags name (file stems and text-encoder multipliers). */
    public record Parsed(String text, List<Map.Entry<String, Double>> loras) {}

    /**
     * Removes the tags and reads the LoRA ones.
     *
     * @param prompt the prompt
     * @return the text without tags, and the tags
     */
    public static Parsed parse(String prompt) {
        List<Map.Entry<String, Double>> loras = new ArrayList<>();
        Matcher m = TAG.matcher(prompt);
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(text, "");
            String network = m.group(1);
            if (network.equals("lora") || network.equals("lyco")) {
                loras.add(lora(m.group(0), m.group(2).split(":", -1)));
            }
        }
        m.appendTail(text);
        return new Parsed(text.toString(), List.copyOf(loras));
    }

    private static Map.Entry<String, Double> lora(String tag, String[] items) {
        List<String> positional = new ArrayList<>();
        String te = null;
        for (String item : items) {
            String[] parts = item.split("=", 3);
            if (parts.length == 2) {
                if (parts[0].equals("te")) {
                    te = parts[1];
                }
            } else {
                positional.add(item);
            }
        }
        if (te == null && positional.size() > 1) {
            te = positional.get(1);
        }
        double multiplier = 1.0;
        if (te != null) {
            try {
                multiplier = Double.parseDouble(te.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("prompt tag " + tag + ": '" + te + "' is not a number");
            }
        }
        return Map.entry(positional.isEmpty() ? "" : positional.get(0), multiplier);
    }

    /**
     * The LoRA file a tag names: {@code NAME.safetensors} anywhere under one of the folders (searched in order, each
     * recursively, as A1111 lists its Lora folder).
     *
     * @throws InvalidInputException when no folder holds it, naming the tag's name and the folders
     * @param folders the LoRA folders
     * @param name the tag's name
     * @param multiplier the tag's strength
     * @return the LoRA
     */
    public static LoraSpec find(List<Path> folders, String name, double multiplier) {
        for (Path dir : folders) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException(dir + ": not a folder (a LoRA folder is needed)");
            }
            try (Stream<Path> s = Files.walk(dir)) {
                Path found = s.filter(p -> p.getFileName().toString().equals(name + ".safetensors"))
                        .filter(Files::isRegularFile).sorted().findFirst().orElse(null);
                if (found != null) {
                    return new LoraSpec(found, multiplier);
                }
            } catch (IOException e) {
                throw dev.sdcond.models.io.InputFiles.unreadable(dir, e);
            }
        }
        throw new InvalidInputException("<lora:" + name + ">: no " + name + ".safetensors in " + (folders.isEmpty()
                ? "any LoRA folder (none was given)" : folders));
    }
}
