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
        if (prompt == null) {
            return "no prompt (null)";
        }
        try {
            PreparedPrompt.of(request, prompt, negative);
            return null;
        } catch (SdcondException e) {
            return e.getMessage();
        }
    }
}
