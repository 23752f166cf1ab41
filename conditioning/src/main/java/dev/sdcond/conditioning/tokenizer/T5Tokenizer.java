package dev.sdcond.conditioning.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sdcond.models.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The T5 tokenizer of Flux ({@code tokenizer_2/}) and SD3 ({@code tokenizer_3/}), from a model folder's
 * {@code tokenizer.json} through the Hugging Face tokenizers library: its normalizer, Metaspace pre-tokenizer, Unigram
 * model and post-processor ({@code $A </s>}) run as in transformers' {@code T5TokenizerFast}. Immutable and
 * thread-safe; close it to free the native tokenizer.
 */
public final class T5Tokenizer implements AutoCloseable {
    /** The padding id. */
    public static final long PAD = 0;
    /** The id of {@code </s>}, appended to every prompt. */
    public static final long EOS = 1;

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "true", "truncation", "false", "padding", "false", "modelMaxLength", "1000000");

    private final HuggingFaceTokenizer tokenizer;
    private final String source;
    private final long idCount;

    private T5Tokenizer(HuggingFaceTokenizer tokenizer, String source, long idCount) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.idCount = idCount;
    }

    /**
     * Refuses a vocabulary with ids the encoder has no embedding for.
     *
     * @param vocabSize the encoder's token embeddings (T5 XXL: 32128; its tokenizer has 32100 ids)
     * @throws InvalidInputException naming the file and both sizes
     */
    public void requireIdsBelow(long vocabSize) {
        if (idCount > vocabSize) {
            throw new InvalidInputException(source + ": has ids up to " + (idCount - 1) + ", but the T5 encoder has "
                    + vocabSize + " token embeddings: the tokenizer is not this model's");
        }
    }

    /** The ids a tokenizer.json can give: its model's vocabulary and its added tokens. */
    private static long idCount(com.fasterxml.jackson.databind.JsonNode root) {
        long n = root.path("model").path("vocab").size();
        for (com.fasterxml.jackson.databind.JsonNode t : root.path("added_tokens")) {
            n = Math.max(n, t.path("id").asLong(0) + 1);
        }
        return n;
    }

    /**
     * Whether a folder's {@code tokenizer.json} is a SentencePiece-Unigram tokenizer, as T5's is (CLIP's is BPE).
     *
     * @param folder a tokenizer folder
     * @return whether it holds a T5-style tokenizer
     * @throws InvalidInputException when its tokenizer.json is over the size limit or not JSON
     */
    public static boolean isT5(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            return Files.isRegularFile(folder.resolve("spiece.model"));
        }
        dev.sdcond.models.io.InputFiles.requireAtMost(json, NativeTokenizerGuard.MAX_FILE_BYTES, "a tokenizer.json");
        try {
            return "Unigram".equals(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dev.sdcond.models.io.InputFiles.readBytes(json)).path("model").path("type").asText());
        } catch (IOException e) {
            throw new InvalidInputException(json + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The tokenizer of a folder.
     *
     * @param folder a tokenizer folder with {@code tokenizer.json}
     * @return its tokenizer
     * @throws InvalidInputException when the folder has no {@code tokenizer.json} (saying how to get one when it holds
     *     only the SentencePiece model {@code spiece.model}), or the file cannot be read or parsed
     */
    public static T5Tokenizer fromFolder(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            if (Files.isRegularFile(folder.resolve("spiece.model"))) {
                throw new InvalidInputException(folder + ": this T5 tokenizer folder has only spiece.model (the"
                        + " SentencePiece model), and sdcond reads tokenizer.json; write one with transformers"
                        + " (T5TokenizerFast.from_pretrained(folder).save_pretrained(folder)), or copy the"
                        + " tokenizer.json of the model's repository (google/t5-v1_1-xxl, or a Flux / SD3 pipeline's"
                        + " tokenizer_2/ / tokenizer_3/)");
            }
            throw new InvalidInputException(folder + ": no tokenizer.json");
        }
        dev.sdcond.models.io.InputFiles.requireAtMost(json, NativeTokenizerGuard.MAX_FILE_BYTES,
                "a T5 tokenizer.json (T5's is 2.4 MB)");
        com.fasterxml.jackson.databind.JsonNode root = alwaysPrepend(json, dev.sdcond.models.io.InputFiles.readBytes(json));
        try {
            byte[] bytes = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(root);
            return new T5Tokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), OPTIONS),
                    json.toString(), idCount(root));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(json + ": the tokenizers library rejected it: " + e.getMessage(), e);
        }
    }

    /**
     * The stand-in tokenizer of the builtin Flux and SD3 models: a small SentencePiece-Unigram vocabulary laid out as
     * T5's ({@code <pad>} 0, {@code </s>} 1, {@code <unk>} 2, 4100 ids in all; T5's has 32100), so that builtin models
     * need no download. Its ids are not T5's. Close it when done.
     *
     * @return the tokenizer
     */
    public static T5Tokenizer standIn() {
        try (java.io.InputStream in = T5Tokenizer.class.getResourceAsStream("t5-standin.json")) {
            if (in == null) {
                throw new IllegalStateException("the stand-in T5 tokenizer t5-standin.json is missing");
            }
            return new T5Tokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), "stand-in T5 vocabulary (builtin)",
                    4100);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * transformers (5.x) tokenizes T5 with the Metaspace pre-tokenizer's {@code prepend_scheme} "always", whatever
     * the file says; files serialized by older tokenizers libraries (ComfyUI's T5 {@code tokenizer.json}, for one) say
     * "first", under which a word typed right after a special token ({@code </s>}, {@code <pad>}) gets no "▁". The
     * file is read with "always".
     */
    private static com.fasterxml.jackson.databind.JsonNode alwaysPrepend(Path file, byte[] bytes) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode root = mapper.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new InvalidInputException(file + ": not a tokenizer (a JSON object is needed)");
            }
            NativeTokenizerGuard.check(file, root);
            for (com.fasterxml.jackson.databind.JsonNode n : root.findParents("prepend_scheme")) {
                if ("Metaspace".equals(n.path("type").asText()) && "first".equals(n.get("prepend_scheme").asText())) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("prepend_scheme", "always");
                }
            }
            return root;
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Where the tokenizer came from.
     *
     * @return its {@code tokenizer.json}
     */
    public String source() {
        return source;
    }

    /**
     * The ids of a prompt, {@code </s>} last, neither cut nor padded (transformers' {@code tokenizer(prompt)}).
     *
     * @param prompt the prompt (a literal {@code </s>}, {@code <pad>} or {@code <extra_id_N>} in it is that token)
     * @return its ids
     */
    public long[] ids(String prompt) {
        Encoding e = tokenizer.encode(prompt);
        return e.getIds();
    }

    /**
     * The ids as diffusers' Flux and SD3 pipelines make them: {@code padding="max_length", max_length=length,
     * truncation=True}: a longer prompt keeps its first {@code length - 1} ids and {@code </s>}, a shorter one is padded
     * with 0.
     *
     * @param prompt the prompt
     * @param length the sequence length (Flux dev 512, schnell and SD3 256)
     * @return exactly {@code length} ids
     */
    public long[] ids(String prompt, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("a sequence length is 1 or more, got " + length);
        }
        long[] all = ids(prompt);
        long[] out = new long[length];
        Arrays.fill(out, PAD);
        if (all.length <= length) {
            System.arraycopy(all, 0, out, 0, all.length);
        } else {
            System.arraycopy(all, 0, out, 0, length - 1); // the content before the appended </s>, cut
            out[length - 1] = EOS;
        }
        return out;
    }

    /**
     * The tokens of a prompt, for display.
     *
     * @param prompt the prompt
     * @return one piece per id (e.g. {@code ▁cat}, {@code </s>})
     */
    public String[] tokens(String prompt) {
        return tokenizer.encode(prompt).getTokens();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
