package dev.sdcond.conditioning.prompt;

import java.util.regex.Pattern;

/**
 * Python 3's rules for text where the tools rely on them: what {@code str.isspace()} (and so {@code \s} and
 * {@code str.strip()}) calls white space, what {@code \d} calls a digit (any Unicode decimal digit), what {@code \w}
 * calls a word character (and so where {@code \b} falls), and which strings {@code float()} accepts. Every A1111 and
 * ComfyUI pattern that Python evaluates with these classes uses the definitions here, never Java's own.
 */
final class PythonText {
    /** Python's {@code \s} on str patterns (str.isspace): Unicode space separators and the ASCII/bidi controls. */
    static final String SPACE = "[\\p{Zs}\\t\\n\\x0B\\f\\r\\x1C-\\x1F\\x85\\u2028\\u2029]";
    /** Python's {@code \d} on str patterns: any Unicode decimal digit. */
    static final String DIGIT = "\\p{Nd}";

    /**
     * Python's {@code \w} on str patterns: {@code str.isalnum()} (letters Lu Ll Lt Lm Lo, and every character with a
     * numeric value: Nd, Nl, No, so {@code ²} and {@code ½}) or {@code _}. Unlike Java's Unicode {@code \w}, combining
     * marks (Mn, Mc, Me) and connector punctuation other than {@code _} (Pc) are not word characters.
     */
    static final String WORD = "[\\p{L}\\p{N}_]";

    private static final String DIGIT_PART = "[0-9](?:_?[0-9])*";
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:(?:(?:" + DIGIT_PART + ")?\\." + DIGIT_PART + "|"
            + DIGIT_PART + "\\.?)(?:[eE][+-]?" + DIGIT_PART + ")?|(?i:inf|infinity|nan))");

    private PythonText() {}

    /**
     * Whether Python's {@code \w} matches a code point (see {@link #WORD}).
     *
     * @param c a code point
     * @return whether it is a word character
     */
    static boolean isWord(int c) {
        return Character.isLetter(c) || c == '_' || switch (Character.getType(c)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /**
     * The candidates of {@link #splitOnWord}: a literal word with Python's white space around it, boundaries not yet
     * checked. Compile it once per word.
     *
     * @param word the literal, e.g. {@code BREAK}
     * @return the pattern
     */
    static Pattern spaced(String word) {
        return Pattern.compile(SPACE + "*" + Pattern.quote(word) + SPACE + "*");
    }

    /**
     * Python's {@code re.split(r"\s*\bWORD\b\s*", text)} for a literal word that starts and ends with word
     * characters: the boundaries are Python's, on code points (Java's {@code \b} and lookbehind differ on marks,
     * numbers such as {@code ²}, and letters outside the BMP).
     *
     * @param text the text
     * @param spaced {@link #spaced(String)} of the word
     * @param word the literal, e.g. {@code BREAK}
     * @return the pieces between the matches, as re.split gives them
     */
    static java.util.List<String> splitOnWord(String text, Pattern spaced, String word) {
        java.util.regex.Matcher m = spaced.matcher(text);
        java.util.List<String> out = new java.util.ArrayList<>();
        int from = 0;
        int search = 0;
        while (search <= text.length() && m.find(search)) {
            int w = text.indexOf(word, m.start());
            int end = w + word.length();
            boolean before = w == 0 || !isWord(text.codePointBefore(w));
            boolean after = end == text.length() || !isWord(text.codePointAt(end));
            if (before && after) {
                out.add(text.substring(from, m.start()));
                from = m.end();
                search = m.end();
            } else {
                search = m.start() + 1;
            }
        }
        out.add(text.substring(from));
        return out;
    }

    static boolean isSpace(int c) {
        return Character.getType(c) == Character.SPACE_SEPARATOR || c == '\t' || c == '\n' || c == 0x0B || c == '\f'
                || c == '\r' || (c >= 0x1C && c <= 0x1F) || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    /** {@code str.strip()}. */
    static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /**
     * {@code float(s)}: surrounding white space, a sign, Unicode decimal digits, underscores between digits, an
     * exponent, {@code inf}/{@code infinity}/{@code nan} in any case; not hexadecimal. Null where Python raises.
     */
    static Double parseFloat(String s) {
        String t = strip(s);
        StringBuilder ascii = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            ascii.append(Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER
                    ? (char) ('0' + Character.digit(cp, 10)) : new String(Character.toChars(cp)));
            i += Character.charCount(cp);
        }
        String a = ascii.toString();
        if (!FLOAT.matcher(a).matches()) {
            return null;
        }
        String u = a.toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
        boolean negative = a.startsWith("-");
        if (u.equals("inf") || u.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (u.equals("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(a.replace("_", ""));
    }
}
