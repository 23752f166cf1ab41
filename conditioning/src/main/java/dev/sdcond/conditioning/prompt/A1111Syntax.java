package dev.sdcond.conditioning.prompt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's attention syntax: {@code (text)} multiplies by 1.1, {@code [text]} divides by 1.1,
 * {@code (text:1.3)} multiplies by 1.3, nesting multiplies, {@code \(} {@code \)} {@code \[} {@code \]}
 * {@code \\} are literal, and {@code BREAK} (upper case, a word of its own) starts a new chunk.
 *
 * <p>Like A1111, unclosed brackets are closed at the end of the prompt and a stray {@code )} or {@code ]} is plain
 * text; both are reported as warnings (errors in strict mode). Adjacent runs of equal weight are merged.
 */
final class A1111Syntax {
    /** The weight of one pair of round brackets. */
    public static final double ROUND = 1.1;
    /** The weight of one pair of square brackets. */
    public static final double SQUARE = 1 / 1.1;

    /** A1111's re_attention, with Python's Unicode {@code \s} and {@code \d}. */
    private static final Pattern ATTENTION = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:" + PythonText.SPACE + "*([+-]?[." + PythonText.DIGIT
                    + "]+)" + PythonText.SPACE + "*\\)|\\)|]|[^\\\\()\\[\\]:]+|:");

    /** A1111's re_break, {@code \s*\bBREAK\b\s*}: the candidates; {@link PythonText#splitOnWord} checks the boundaries. */
    private static final Pattern BREAK = PythonText.spaced("BREAK");

    private A1111Syntax() {}

    /** One entry of A1111's result list: text and weight; a BREAK is ("BREAK", -1) until the end. */
    private static final class Run {
        String text;
        double weight;

        Run(String text, double weight) {
            this.text = text;
            this.weight = weight;
        }
    }

    /**
     * Parses a prompt as A1111's prompt_parser does.
     *
     * @param prompt the prompt
     * @return its segments and the problems tolerated
     */
    public static ParsedPrompt parse(String prompt) {
        List<Run> res = new ArrayList<>();
        List<ParsedPrompt.Warning> warnings = new ArrayList<>();
        Deque<int[]> round = new ArrayDeque<>(); // {index into res, position in prompt}
        Deque<int[]> square = new ArrayDeque<>();
        Matcher m = ATTENTION.matcher(prompt);
        while (m.find()) {
            String text = m.group();
            String weight = m.group(1);
            int pos = m.start();
            if (text.startsWith("\\")) {
                res.add(new Run(text.substring(1), 1.0));
            } else if (text.equals("(")) {
                round.push(new int[] {res.size(), pos});
            } else if (text.equals("[")) {
                square.push(new int[] {res.size(), pos});
            } else if (weight != null && !round.isEmpty()) {
                Double w = PythonText.parseFloat(weight); // A1111 fails where Python's float() does
                if (w == null) {
                    throw new PromptSyntaxException(prompt, m.start(1), "'" + weight + "' is not a number");
                }
                multiply(res, round.pop()[0], w);
            } else if (text.equals(")") && !round.isEmpty()) {
                multiply(res, round.pop()[0], ROUND);
            } else if (text.equals("]") && !square.isEmpty()) {
                multiply(res, square.pop()[0], SQUARE);
            } else {
                if (text.equals(")") || text.equals("]") || weight != null) {
                    warnings.add(new ParsedPrompt.Warning(pos, "'" + text.strip() + "' closes no bracket; kept as text"));
                }
                String[] parts = PythonText.splitOnWord(text, BREAK, "BREAK").toArray(String[]::new);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        res.add(new Run("BREAK", -1));
                    }
                    res.add(new Run(parts[i], 1.0));
                }
            }
        }
        for (int[] open : round) {
            warnings.add(new ParsedPrompt.Warning(open[1], "'(' is never closed; closed at the end"));
            multiply(res, open[0], ROUND);
        }
        for (int[] open : square) {
            warnings.add(new ParsedPrompt.Warning(open[1], "'[' is never closed; closed at the end"));
            multiply(res, open[0], SQUARE);
        }
        if (res.isEmpty()) {
            res.add(new Run("", 1.0));
        }
        // merge runs of identical weight, breaks too (as in A1111)
        for (int i = 0; i + 1 < res.size(); ) {
            Run a = res.get(i);
            Run b = res.get(i + 1);
            if (a.weight == b.weight) {
                a.text += b.text;
                res.remove(i + 1);
            } else {
                i++;
            }
        }
        warnings.sort(java.util.Comparator.comparingInt(ParsedPrompt.Warning::position));
        List<PromptSegment> out = new ArrayList<>();
        for (Run r : res) {
            // A1111's tokenize_line breaks only at ("BREAK", -1): a BREAK inside brackets had its -1 multiplied and is
            // the word BREAK, at that (negative) weight
            boolean isBreak = r.text.equals("BREAK") && r.weight == -1;
            out.add(isBreak ? PromptSegment.breakMarker() : PromptSegment.text(r.text, r.weight));
        }
        return new ParsedPrompt(out, warnings);
    }

    private static void multiply(List<Run> res, int from, double factor) {
        for (int p = from; p < res.size(); p++) {
            res.get(p).weight *= factor;
        }
    }
}
