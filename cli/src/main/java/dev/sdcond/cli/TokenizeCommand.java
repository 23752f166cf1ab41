package dev.sdcond.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Show the CLIP token ids of a prompt, chunk by chunk, as the encoders see them.",
        footer = {"", "Examples:", "  sdcond tokenize --prompt \"a photo of a cat\"",
            "  sdcond tokenize --prompt \"a (red:1.2) fox\" --pad zero --json"})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--prompt"}, required = true, description = "the prompt")
    String prompt;

    /** What pads a chunk to 77 tokens. */
    enum Pad { EOS, ZERO }

    @Option(names = "--pad", defaultValue = "eos",
            description = "eos (CLIP-L, SD1.x) or zero (OpenCLIP: SD2.x, SDXL's second encoder) (default: eos)")
    Pad pad;

    @Option(names = "--style", defaultValue = "a1111", converter = Converters.StyleConverter.class,
            description = "a1111, comfy or plain (default: a1111)")
    PromptStyle style;

    @Option(names = "--tokenizer", description = "a folder with tokenizer.json or vocab.json + merges.txt (default: bundled)")
    Path tokenizer;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long padId = pad == Pad.EOS ? ClipTokenizer.EOS : 0;
        try (ClipTokenizer tok = tokenizer == null ? ClipTokenizer.bundled() : ClipTokenizer.fromFolder(tokenizer)) {
            PromptTokenizer pt = new PromptTokenizer(tok, style);
            TokenizedPrompt t = pt.tokenize(prompt);
            var out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode root = m.createObjectNode();
                root.put("prompt", prompt);
                root.put("token_count", t.tokenCount());
                ArrayNode chunks = root.putArray("chunks");
                for (Chunk c : t.chunks()) {
                    ObjectNode cn = chunks.addObject();
                    ArrayNode ids = cn.putArray("ids");
                    Arrays.stream(c.ids77(padId)).forEach(ids::add);
                    ArrayNode w = cn.putArray("weights");
                    for (float f : c.weights77()) {
                        w.add(f);
                    }
                    ArrayNode toks = cn.putArray("tokens");
                    for (long id : c.tokens()) {
                        toks.add(tokenString(tok, id));
                    }
                }
                ArrayNode warnings = root.putArray("warnings");
                t.warnings().forEach(x -> warnings.add(x.toString()));
                out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
                return ExitCodes.OK;
            }
            out.println(t.tokenCount() + " tokens in " + t.chunks().size() + " chunk(s)");
            for (int i = 0; i < t.chunks().size(); i++) {
                Chunk c = t.chunks().get(i);
                out.println("chunk " + i + " ids: " + Arrays.toString(c.ids77(padId)));
                StringBuilder sb = new StringBuilder();
                long[] ids = c.tokens();
                float[] w = c.weights();
                for (int j = 0; j < ids.length; j++) {
                    sb.append(j == 0 ? "" : " ").append(tokenString(tok, ids[j]));
                    if (w[j] != 1f) {
                        sb.append(String.format(Locale.ROOT, "(%.3g)", w[j]));
                    }
                }
                out.println("chunk " + i + " tokens: " + sb);
            }
            t.warnings().forEach(x -> spec.commandLine().getErr().println("warning: " + x));
            return ExitCodes.OK;
        }
    }

    private static String tokenString(ClipTokenizer tok, long id) {
        return tok.idToToken(id);
    }
}
