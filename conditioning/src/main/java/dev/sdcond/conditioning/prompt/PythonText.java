package dev.sdcond.conditioning.prompt;

import java.util.regex.Pattern;

/**
 * Python 3's rules for text where the tools rely on them: what {@code str.isspace()} (and so {@code \s} and
 * {@code str.strip()}) calls white space, what {@code \d} calls a digit (any Unicode decimal digit), and which strings
 * {@code float()} accepts.
 */
final class PythonText {
    /** Python's {@code \s} on str patterns (str.isspace): Unicode space separators and the ASCII/bidi controls. */
    static final String SPACE = "[\\p{Zs}\\t\\n\\x0B\\f\\r\\x1C-\\x1F\\x85\\u2028\\u2029]";
    /** Python's {@code \d} on str patterns: any Unicode decimal digit. */
    static final String DIGIT = "\\p{Nd}";

    private static final String DIGIT_PART = "[0-9](?:_?[0-9])*";
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:(?:(?:" + DIGIT_PART + ")?\\." + DIGIT_PART + "|"
            + DIGIT_PART + "\\.?)(?:[eE][+-]?" + DIGIT_PART + ")?|(?i:inf|infinity|nan))");

    private PythonText() {}

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
