package dev.sdcond.conditioning.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;
import java.util.Set;

/**
 * What a {@code tokenizer.json} may ask of the native tokenizers library, checked before the library sees it. The
 * library is Rust: a panic there (the regex engine's retry limit on a pattern such as {@code (a|aa)+$}, memory for a
 * replacement that multiplies the text) aborts the JVM, so the file's normalizer and pre-tokenizer may use only the
 * components T5 tokenizers ship, regular expressions only from a known list, and replacements that do not grow the
 * text by more than a few characters. Known limit: the vocabulary's own size is bounded by the file size only.
 */
final class NativeTokenizerGuard {
    /** The largest tokenizer file read (T5's tokenizer.json is 2.4 MB). */
    static final long MAX_FILE_BYTES = 16L << 20;

    /** Longest replacement content: T5's is one space. */
    static final int MAX_REPLACEMENT = 8;

    private static final Set<String> NORMALIZERS = Set.of("Sequence", "Precompiled", "Replace", "Strip", "NFC", "NFD",
            "NFKC", "NFKD", "Lowercase", "Prepend", "StripAccents");
    private static final Set<String> PRE_TOKENIZERS = Set.of("Sequence", "Metaspace", "WhitespaceSplit", "Whitespace",
            "Punctuation", "Digits");
    /** The regular expressions real T5 tokenizers use (runs of spaces). */
    private static final Set<String> KNOWN_REGEXES = Set.of(" {2,}", "\\s+", " +");

    private NativeTokenizerGuard() {}

    /**
     * Checks a tokenizer's normalizer and pre-tokenizer.
     *
     * @param file the file, for messages
     * @param root its parsed JSON
     * @throws InvalidInputException naming the component that is refused
     */
    static void check(Path file, JsonNode root) {
        checkComponent(file, "normalizer", root.path("normalizer"), NORMALIZERS, "normalizers");
        checkComponent(file, "pre_tokenizer", root.path("pre_tokenizer"), PRE_TOKENIZERS, "pretokenizers");
    }

    private static void checkComponent(Path file, String where, JsonNode n, Set<String> allowed, String children) {
        if (n.isMissingNode() || n.isNull()) {
            return;
        }
        String type = n.path("type").asText("");
        if (!allowed.contains(type)) {
            throw new InvalidInputException(file + ": " + where + " of type '" + type + "' is not one a T5 tokenizer"
                    + " uses (" + String.join(", ", allowed.stream().sorted().toList()) + "); refused, since the native"
                    + " tokenizer could end the process on it");
        }
        JsonNode pattern = n.path("pattern");
        if (pattern.has("Regex") && !KNOWN_REGEXES.contains(pattern.get("Regex").asText())) {
            throw new InvalidInputException(file + ": " + where + " " + type + " uses the regular expression '"
                    + pattern.get("Regex").asText() + "', which is not one T5 tokenizers use; refused, since the native"
                    + " regex engine can end the process on some patterns");
        }
        if (n.path("content").asText("").length() > MAX_REPLACEMENT) {
            throw new InvalidInputException(file + ": " + where + " " + type + " replaces with "
                    + n.get("content").asText().length() + " characters (at most " + MAX_REPLACEMENT + "): it could"
                    + " multiply a prompt's size");
        }
        for (JsonNode child : n.path(children)) {
            checkComponent(file, where, child, allowed, children);
        }
    }
}
