package dev.sdcond.conditioning;

/**
 * How a text output's tensors are named, so that files drop into the tool that reads them. The ids and the attention
 * mask keep their names ({@code input_ids}, {@code attention_mask}, with {@code negative_} for the negative prompt).
 */
public enum OutputNames {
    /** sdcond's: {@code hidden_states}, {@code pooled}, {@code negative_hidden_states}, {@code negative_pooled}. */
    SDCOND("hidden_states", "pooled", "negative_hidden_states", "negative_pooled"),
    /**
     * diffusers' pipeline arguments: {@code prompt_embeds}, {@code pooled_prompt_embeds}, {@code negative_prompt_embeds},
     * {@code negative_pooled_prompt_embeds}.
     */
    DIFFUSERS("prompt_embeds", "pooled_prompt_embeds", "negative_prompt_embeds", "negative_pooled_prompt_embeds"),
    /**
     * ComfyUI's: a CONDITIONING entry is {@code [cond, {"pooled_output": pooled}]}, and samplers take a positive and a
     * negative one: {@code cond}, {@code pooled_output}, {@code negative_cond}, {@code negative_pooled_output}.
     */
    COMFY("cond", "pooled_output", "negative_cond", "negative_pooled_output");

    private final String hidden;
    private final String pooled;
    private final String negativeHidden;
    private final String negativePooled;

    OutputNames(String hidden, String pooled, String negativeHidden, String negativePooled) {
        this.hidden = hidden;
        this.pooled = pooled;
        this.negativeHidden = negativeHidden;
        this.negativePooled = negativePooled;
    }

    /**
     * The hidden states' name.
     *
     * @param negative whether for the negative prompt
     * @return e.g. {@code prompt_embeds}
     */
    public String hiddenStates(boolean negative) {
        return negative ? negativeHidden : hidden;
    }

    /**
     * The pooled vector's name.
     *
     * @param negative whether for the negative prompt
     * @return e.g. {@code pooled_prompt_embeds}
     */
    public String pooled(boolean negative) {
        return negative ? negativePooled : pooled;
    }
}
