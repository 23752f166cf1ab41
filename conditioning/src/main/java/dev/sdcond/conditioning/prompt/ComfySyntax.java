package dev.sdcond.conditioning.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * ComfyUI's weighting syntax: {@code (text)} multiplies by 1.1, {@code (text:1.3)} sets the weight to 1.3 (it does not
 * multiply with enclosing brackets), {@code \(} and {@code \)} are literal. Square brackets are plain text and there
 * is no {@code BREAK}. An unclosed {@code (} runs to the end of the prompt as plain text, as in ComfyUI; a stray
 * {@code )} is text. Both are reported as warnings.
 */
public final class ComfySyntax {
    private static final char ESC_CLOSE = '\u0001';
    private static final char ESC_OPEN = '\u0002';

    /**
     * The deepest nesting of brackets parsed (ComfyUI's parser recurses once per level and itself fails with
     * Python's RecursionError at about 990; the recursion and its copies also cost depth x length).
     */
    public static final int MAX_DEPTH = 256;

    private ComfySyntax() {}

    /**
     * Parses a prompt as ComfyUI's token weighting does.
     *
     * @param prompt the prompt
     * @return its segments and the problems tolerated
     */
    public static ParsedPrompt parse(String prompt) {
        List<ParsedPrompt.Warning> warnings = new ArrayList<>();
        checkBalance(prompt, warnings);
        String escaped = prompt.replace("\\)", "\0" + ESC_CLOSE).replace("\\(", "\0" + ESC_OPEN);
        List<PromptSegment> out = new ArrayList<>();
        for (PromptSegment s : weights(escaped, 1.0)) {
            out.add(PromptSegment.text(s.text().replace("\0" + ESC_CLOSE, ")").replace("\0" + ESC_OPEN, "("),
                    s.weight()));
        }
        return new ParsedPrompt(out, warnings);
    }

    private static void checkBalance(String prompt, List<ParsedPrompt.Warning> warnings) {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            if (c == '\\' && i + 1 < prompt.length() && (prompt.charAt(i + 1) == '(' || prompt.charAt(i + 1) == ')')) {
                i++;
            } else if (c == '(') {
                open.add(i);
                if (open.size() > MAX_DEPTH) {
                    throw new PromptSyntaxException(prompt, i, "brackets nested more than " + MAX_DEPTH
                            + " deep (ComfyUI's parser fails near 990)");
                }
            } else if (c == ')') {
                if (open.isEmpty()) {
                    warnings.add(new ParsedPrompt.Warning(i, "')' closes no bracket"));
                } else {
                    open.remove(open.size() - 1);
                }
            }
        }
        for (int p : open) {
            warnings.add(new ParsedPrompt.Warning(p, "'(' is never closed; the rest is plain text"));
        }
    }

    /** ComfyUI's top-level split on balanced parentheses. */
    private static List<String> parentheses(String s) {
        List<String> result = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                if (depth == 0) {
                    if (cur.length() > 0) {
                        result.add(cur.toString());
                    }
                    cur.setLength(0);
                }
                cur.append(c);
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    result.add(cur.append(')').toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            result.add(cur.toString());
        }
        return result;
    }

    private static List<PromptSegment> weights(String s, double current) {
        List<PromptSegment> out = new ArrayList<>();
        for (String x : parentheses(s)) {
            double weight = current;
            if (x.length() >= 2 && x.charAt(0) == '(' && x.charAt(x.length() - 1) == ')') {
                String inner = x.substring(1, x.length() - 1);
                int colon = inner.lastIndexOf(':');
                weight *= 1.1;
                if (colon > 0) {
                    Double w = PythonText.parseFloat(inner.substring(colon + 1));
                    if (w != null) {
                        weight = w;
                        inner = inner.substring(0, colon);
                    }
                }
                out.addAll(weights(inner, weight));
            } else {
                out.add(PromptSegment.text(x, current));
            }
        }
        return out;
    }
}
