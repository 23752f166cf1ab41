package dev.sdcond.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.A1111Triggers;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

    @Option(names = "--embeddings", paramLabel = "DIR",
            description = "textual-inversion embeddings (safetensors) the prompt may use: by file name with --style"
                    + " a1111, as embedding:NAME with --style comfy; repeatable. Every embedding is shown as usable"
                    + " (without a model its width is not checked)")
    List<Path> embeddings = new java.util.ArrayList<>();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long padId = pad == Pad.EOS ? ClipTokenizer.EOS : 0;
        try (ClipTokenizer tok = tokenizer == null ? ClipTokenizer.bundled() : ClipTokenizer.fromFolder(tokenizer)) {
            EmbeddingStore store = EmbeddingStore.of(embeddings);
            PromptTokenizer pt = new PromptTokenizer(tok, style, false, 20, new PromptTokenizer.Triggers(store,
                    store.all().isEmpty() && store.unusableNames().isEmpty() ? null : A1111Triggers.of(store, tok, null)));
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
                    ArrayNode vectors = cn.putArray("embeddings");
                    Chunk.VectorRef[] refs = c.vectors();
                    long[] cids = c.tokens();
                    for (int j = 0; j < cids.length; j++) {
                        toks.add(refs[j] != null ? refs[j].toString() : tokenString(tok, cids[j]));
                        if (refs[j] != null) {
                            vectors.addObject().put("position", j + 1).put("embedding", refs[j].embedding().name())
                                    .put("row", refs[j].row());
                        }
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
                Chunk.VectorRef[] refs = c.vectors();
                for (int j = 0; j < ids.length; j++) {
                    sb.append(j == 0 ? "" : " ").append(refs[j] != null ? refs[j].toString() : tokenString(tok, ids[j]));
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
