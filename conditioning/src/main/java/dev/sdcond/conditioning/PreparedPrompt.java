package dev.sdcond.conditioning;

import dev.sdcond.conditioning.prompt.ExtraNetworks;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.models.lora.LoraSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prompt ready to encode under a {@link TextRequest}: with style a1111, its extra-network tags ({@code <lora:NAME:W>})
 * taken out of the text and turned into LoRAs, as A1111 does; its syntax checked (strict mode refuses here, before any
 * model work). Every front end prepares prompts this way.
 *
 * @param prompt the prompt as given (recorded in output metadata)
 * @param negative the negative prompt, or null for none (A1111 reads no tags there)
 * @param text the text encoded: the prompt without its tags
 * @param loras the request's LoRAs, then those the tags name (a file named by several tags merged once, at the sum of
 *     their strengths, as A1111's repeated application adds up)
 */
public record PreparedPrompt(String prompt, String negative, String text, List<LoraSpec> loras) {

    /**
     * Copies the LoRA list.
     *
     * @param prompt the prompt as given
     * @param negative the negative prompt, or null
     * @param text the text encoded
     * @param loras the LoRAs
     */
    public PreparedPrompt {
        java.util.Objects.requireNonNull(prompt, "prompt");
        java.util.Objects.requireNonNull(text, "text");
        loras = List.copyOf(loras);
    }

    /**
     * Prepares a prompt.
     *
     * @param request the request (style, syntax, LoRAs, LoRA folders)
     * @param prompt the prompt
     * @param negative the negative prompt, or null
     * @return the prepared prompt
     * @throws dev.sdcond.models.InvalidInputException for a syntax error in strict mode, a tag whose strength is no
     *     number, or a tag naming a LoRA no folder holds
     */
    public static PreparedPrompt of(TextRequest request, String prompt, String negative) {
        String text = prompt;
        List<LoraSpec> loras = new ArrayList<>(request.loras());
        if (request.style() == PromptStyle.A1111) {
            ExtraNetworks.Parsed parsed = ExtraNetworks.parse(prompt);
            text = parsed.text();
            Map<String, Double> byName = new LinkedHashMap<>();
            for (Map.Entry<String, Double> tag : parsed.loras()) {
                byName.merge(tag.getKey(), tag.getValue(), Double::sum);
            }
            Map<java.nio.file.Path, Double> byFile = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : byName.entrySet()) {
                byFile.merge(ExtraNetworks.find(request.loraDirs(), e.getKey(), 1.0).file(), e.getValue(), Double::sum);
            }
            byFile.forEach((f, s) -> loras.add(new LoraSpec(f, s)));
        }
        boolean strict = request.syntax() == SyntaxMode.STRICT;
        PromptTokenizer.parse(request.style(), strict, text);
        if (negative != null) {
            PromptTokenizer.parse(request.style(), strict, negative);
        }
        return new PreparedPrompt(prompt, negative, text, loras);
    }
}
