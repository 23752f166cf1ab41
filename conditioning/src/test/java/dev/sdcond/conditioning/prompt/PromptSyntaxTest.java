package dev.sdcond.conditioning.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptSyntaxTest {

    private static String show(ParsedPrompt p) {
        List<String> out = new ArrayList<>();
        for (PromptSegment s : p.segments()) {
            out.add(s.isBreak() ? "BREAK" : "'" + s.text() + "':" + Math.round(s.weight() * 1e6) / 1e6);
        }
        return String.join(" ", out);
    }

    @Test
    void a1111Examples() {
        assertEquals("'normal text':1.0", show(A1111Syntax.parse("normal text")));
        assertEquals("'an ':1.0 'important':1.1 ' word':1.0", show(A1111Syntax.parse("an (important) word")));
        assertEquals("'unbalanced':1.1", show(A1111Syntax.parse("(unbalanced")));
        assertEquals("'(literal]':1.0", show(A1111Syntax.parse("\\(literal\\]")));
        assertEquals("'unnecessaryparens':1.1", show(A1111Syntax.parse("(unnecessary)(parens)")));
        assertEquals("'a ':1.0 'house':1.573 ' ':1.1 'on':1.0 ' a ':1.1 'hill':0.55 ', sun, ':1.1 'sky':1.4641 '.':1.1",
                show(A1111Syntax.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")));
        assertEquals("'a':0.909091", show(A1111Syntax.parse("[a]")));
        assertEquals("'a':0.826446 ' b':1.0", show(A1111Syntax.parse("[[a]] b")));
        assertEquals("'':1.0", show(A1111Syntax.parse("")));
    }

    @Test
    void a1111Break() {
        assertEquals("'a':1.0 BREAK 'b':1.0", show(A1111Syntax.parse("a BREAK b")));
        assertEquals("'aBREAKb':1.0", show(A1111Syntax.parse("aBREAKb")), "BREAK must be a word");
        assertEquals("'a break b':1.0", show(A1111Syntax.parse("a break b")), "upper case only");
    }

    @Test
    void a1111ToleratesButReportsUnbalancedBrackets() {
        ParsedPrompt p = A1111Syntax.parse("a (b [c");
        assertEquals(2, p.warnings().size());
        assertEquals(2, p.warnings().get(0).position());
        assertEquals(5, p.warnings().get(1).position());
        ParsedPrompt stray = A1111Syntax.parse("smile :) ok");
        assertEquals("'smile :) ok':1.0", show(stray));
        assertEquals(7, stray.warnings().get(0).position());
        PromptSyntaxException e = assertThrows(PromptSyntaxException.class, () -> p.strict("a (b [c"));
        assertEquals(2, e.position());
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
    }

    @Test
    void a1111BadNumberNamesThePosition() {
        PromptSyntaxException e = assertThrows(PromptSyntaxException.class, () -> A1111Syntax.parse("(a:1.2.3)"));
        assertEquals(3, e.position());
    }

    @Test
    void comfyExamples() {
        assertEquals("'a ':1.0 'b':1.5 ' c':1.0", show(ComfySyntax.parse("a (b:1.5) c")));
        assertEquals("'b':1.5", show(ComfySyntax.parse("((b:1.5))")), "an explicit weight replaces, not multiplies");
        assertEquals("'a ':1.1 'b':1.21", show(ComfySyntax.parse("(a (b))")));
        assertEquals("'[a]':1.0", show(ComfySyntax.parse("[a]")), "square brackets are text");
        assertEquals("'(a)':1.0", show(ComfySyntax.parse("\\(a\\)")));
        assertEquals("'x:y':1.1", show(ComfySyntax.parse("(x:y)")), "a non-number after ':' is text");
        assertEquals("'a':2.0", show(ComfySyntax.parse("(a: 2 )")));
        ParsedPrompt open = ComfySyntax.parse("a (b");
        assertEquals(1, open.warnings().size());
        assertEquals(2, open.warnings().get(0).position());
    }
}
