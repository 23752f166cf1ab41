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
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Show the token ids of a prompt as the encoders see them: CLIP's chunk by chunk, or T5's (Flux,"
                + " SD3) when --tokenizer is a T5 tokenizer folder."},
        footer = {"", "Examples:", "  sdcond tokenize --prompt \"a photo of a cat\"",
            "  sdcond tokenize --prompt \"a (red:1.2) fox\" --pad zero --json",
            "  sdcond tokenize --prompt \"a cat\" --tokenizer ./FLUX.1-dev/tokenizer_2 --max-sequence-length 512"})
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

    @Option(names = "--tokenizer", description = "a folder with tokenizer.json or vocab.json + merges.txt (default: the"
            + " bundled CLIP vocabulary); a T5 tokenizer folder (Flux's tokenizer_2, SD3's tokenizer_3) shows T5's ids")
    Path tokenizer;

    @Option(names = "--max-sequence-length", paramLabel = "L", description = "with a T5 tokenizer: pad or cut the ids"
            + " to L as diffusers' Flux and SD3 pipelines do (default: the prompt's own ids and </s>)")
    Integer maxSequenceLength;

    @Option(names = "--embeddings", paramLabel = "DIR",
            description = "textual-inversion embeddings (safetensors) the prompt may use: by file name with --style"
                    + " a1111, as embedding:NAME with --style comfy; repeatable. Every embedding is shown as usable"
                    + " (without a model its width is not checked)")
    List<Path> embeddings = new java.util.ArrayList<>();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (tokenizer != null && T5Tokenizer.isT5(tokenizer)) {
            try (T5Tokenizer t5 = T5Tokenizer.fromFolder(tokenizer)) {
                return t5(t5);
            }
        }
        if (maxSequenceLength != null) {
            throw new dev.sdcond.models.InvalidInputException("--max-sequence-length is T5's; --tokenizer is not a T5"
                    + " tokenizer folder");
        }
        long padId = pad == Pad.EOS ? ClipTokenizer.EOS : 0;
        try (ClipTokenizer tok = tokenizer == null ? ClipTokenizer.bundled() : ClipTokenizer.fromFolder(tokenizer)) {
            EmbeddingStore store = EmbeddingStore.of(embeddings);
            PromptTokenizer pt = new PromptTokenizer(tok, style, false, 20, new PromptTokenizer.Triggers(store,
                    store.all().isEmpty() && store.unusableNames().isEmpty() ? null : A1111Triggers.of(store, tok, null)));
            TokenizedPrompt t = pt.tokenize(prompt);
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(clipJson(t, tok, padId));
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

    /** T5's ids as diffusers makes them, their pieces and their mask. */
    private int t5(T5Tokenizer t5) throws java.io.IOException {
        if (maxSequenceLength != null && (maxSequenceLength < 1 || maxSequenceLength > 512)) {
            throw new dev.sdcond.models.InvalidInputException("--max-sequence-length is 1 to 512, got "
                    + maxSequenceLength);
        }
        long[] own = t5.ids(prompt);
        long[] ids = maxSequenceLength == null ? own : t5.ids(prompt, maxSequenceLength);
        String[] pieces = t5.tokens(prompt);
        int kept = Math.min(own.length, ids.length);
        var out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("prompt", prompt);
            root.put("tokenizer", "t5");
            root.put("token_count", own.length);
            ArrayNode idArray = root.putArray("ids");
            Arrays.stream(ids).forEach(idArray::add);
            ArrayNode mask = root.putArray("attention_mask");
            for (int i = 0; i < ids.length; i++) {
                mask.add(i < kept ? 1 : 0);
            }
            ArrayNode tokens = root.putArray("tokens");
            for (int i = 0; i < kept; i++) {
                tokens.add(i == kept - 1 && kept < own.length ? "</s>" : pieces[i]);
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return ExitCodes.OK;
        }
        out.println("T5: " + own.length + " tokens with </s>" + (maxSequenceLength == null ? ""
                : own.length > ids.length ? ", cut to " + ids.length : ", padded to " + ids.length));
        out.println("ids: " + Arrays.toString(ids));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kept; i++) {
            sb.append(i == 0 ? "" : " ").append(i == kept - 1 && kept < own.length ? "</s>" : pieces[i]);
        }
        out.println("tokens: " + sb);
        return ExitCodes.OK;
    }

    private static String tokenString(ClipTokenizer tok, long id) {
        return tok.idToToken(id);
    }

    /** The CLIP view as JSON: per chunk its 77 ids, weights, tokens and embedding positions; the warnings. */
    private String clipJson(TokenizedPrompt t, ClipTokenizer tok, long padId) throws java.io.IOException {
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
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
