package dev.sdcond.spark;

import dev.sdcond.conditioning.PreparedPrompt;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.models.SdcondException;

/** The checks of a row's prompts that need no model (as the command line makes them before loading one). */
final class PromptCheck {
    private PromptCheck() {
    }

    /**
     * What is wrong with a row's prompts, or null.
     *
     * @param request the request
     * @param prompt the prompt, or null
     * @param negative the negative prompt, or null for none
     * @return the message, or null when the prompts pass
     */
    static String error(TextRequest request, String prompt, String negative) {
        try {
            prepared(request, prompt, negative);
            return null;
        } catch (SdcondException e) {
            return e.getMessage();
        }
    }

    /**
     * A row's prompts, prepared: tags taken out, syntax checked.
     *
     * @param request the request
     * @param prompt the prompt, or null
     * @param negative the negative prompt, or null for none
     * @return the prepared prompts
     * @throws dev.sdcond.models.InvalidInputException for a missing prompt, or what {@link PreparedPrompt#of} refuses
     */
    static PreparedPrompt prepared(TextRequest request, String prompt, String negative) {
        if (prompt == null) {
            throw new dev.sdcond.models.InvalidInputException("no prompt (null)");
        }
        return PreparedPrompt.of(request, prompt, negative);
    }
}
