package dev.sdcond.conditioning.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Weight numbers and character classes as Python 3 reads them, since both tools are Python: expected values worked
 * out from Python's documented grammar of float() and its Unicode {@code \s}/{@code \d}.
 */
class PythonRulesTest {
    @Test
    void floatAcceptsWhatPythonAccepts() {
        assertEquals(1.5, PythonText.parseFloat(" 1.5 "));
        assertEquals(10.0, PythonText.parseFloat("1_0"));
        assertEquals(0.5, PythonText.parseFloat("+.5"));
        assertEquals(5.0, PythonText.parseFloat("5."));
        assertEquals(1000.0, PythonText.parseFloat("1e3"));
        assertEquals(1.5, PythonText.parseFloat("\uFF11.\uFF15"), "fullwidth digits are decimal digits");
        assertEquals(3.0, PythonText.parseFloat("\u0663"), "Arabic-Indic three");
        assertEquals(1.2, PythonText.parseFloat("\u00A01.2\u2003"), "Unicode spaces are stripped");
        assertEquals(1.0, PythonText.parseFloat("\u001C1\u001F"), "so are the separator controls");
        assertEquals(Double.POSITIVE_INFINITY, PythonText.parseFloat("inf"));
        assertEquals(Double.NEGATIVE_INFINITY, PythonText.parseFloat("-Infinity"));
        assertTrue(PythonText.parseFloat("NaN").isNaN());
        for (String bad : List.of("", ".", "_1", "1_", "1__0", "0x10", "1.2.3", "1e", "1d", "1f", "one", "1 2",
            "\u00001", "inf1")) {
            assertNull(PythonText.parseFloat(bad), bad);
        }
    }

    @Test
    void a1111ReadsWeightsWithUnicodeDigitsAndSpaces() {
        assertEquals(1.5, A1111Syntax.parse("(cat:\uFF11.\uFF15)").segments().get(0).weight(), 1e-12);
        assertEquals(1.2, A1111Syntax.parse("(cat:\u00A01.2\u00A0)").segments().get(0).weight(), 1e-12);
        // A1111 raises where float() does
        assertThrows(PromptSyntaxException.class, () -> A1111Syntax.parse("(cat:1.2.3)"));
    }

    @Test
    void a1111BreakInsideBracketsIsTheWordAtANegativeWeight() {
        // ("BREAK", -1) multiplied by the bracket's 1.1 is no longer A1111's break marker
        List<PromptSegment> s = A1111Syntax.parse("(a BREAK b)").segments();
        assertEquals(3, s.size(), s.toString());
        assertEquals("BREAK", s.get(1).text());
        assertEquals(-1.1, s.get(1).weight(), 1e-12);
        assertTrue(s.stream().noneMatch(PromptSegment::isBreak));
        // outside brackets it breaks
        assertTrue(A1111Syntax.parse("a BREAK b").segments().stream().anyMatch(PromptSegment::isBreak));
    }

    @Test
    void comfyWeightsAreWhatFloatAccepts() {
        assertEquals(10.0, ComfySyntax.parse("(cat:1_0)").segments().get(0).weight(), 1e-12);
        assertEquals(1.5, ComfySyntax.parse("(cat:\uFF11.\uFF15)").segments().get(0).weight(), 1e-12);
        PromptSegment hex = ComfySyntax.parse("(cat:0x10)").segments().get(0);
        assertEquals(1.1, hex.weight(), 1e-12);
        assertEquals("cat:0x10", hex.text());
        PromptSegment escaped = ComfySyntax.parse("(cat:1\\))").segments().get(0);
        assertEquals(1.1, escaped.weight(), 1e-12, "an escaped bracket inside the number makes it text");
    }

    /** How many chunks A1111's re_break makes of a prompt: 1 + the BREAKs it finds. */
    private static long pieces(String prompt) {
        return 1 + A1111Syntax.parse(prompt).segments().stream().filter(PromptSegment::isBreak).count();
    }

    @Test
    void breakFallsWherePythonsWordBoundariesFall() {
        // re_break = r"\s*\bBREAK\b\s*": \w is str.isalnum() or "_" (letters L*, numbers N*), never a mark or other Pc
        assertEquals(2, pieces("a cat BREAK a dog"));
        assertEquals(1, pieces("x\u00b2BREAK y"), "superscript two is No: a word character, no boundary");
        assertEquals(1, pieces("BREAK\u00bd y"), "one half is No");
        assertEquals(1, pieces("\u0661BREAK y"), "Arabic-Indic one is Nd");
        assertEquals(1, pieces("x_BREAK y"), "the underscore");
        assertEquals(1, pieces("\ud835\udc00BREAK y"), "a letter outside the BMP (U+1D400, Lu)");
        assertEquals(2, pieces("e\u0301BREAK y"), "a combining acute (Mn) is no word character: a boundary");
        assertEquals(2, pieces("a\u0903BREAK y"), "a spacing mark (Mc)");
        assertEquals(2, pieces("a\u20ddBREAK y"), "an enclosing mark (Me)");
        assertEquals(2, pieces("a\u203fBREAK y"), "connector punctuation other than _ (Pc)");
    }

    @Test
    void extraNetworkTagsAreNamedByPythonsWordCharacters() {
        // re_extra_net = r"<(\w+):([^>]+)>": a combining mark ends \w+, so this is no tag and stays in the prompt
        assertEquals("a <lo\u0301ra:x:1> cat", ExtraNetworks.parse("a <lo\u0301ra:x:1> cat").text());
        assertEquals("a  cat", ExtraNetworks.parse("a <hypernet\u00b2:x:1> cat").text(), "No is a word character");
    }
}
