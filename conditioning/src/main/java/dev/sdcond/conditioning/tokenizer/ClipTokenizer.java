package dev.sdcond.conditioning.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.models.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The CLIP BPE tokenizer, run by the Hugging Face {@code tokenizers} library through DJL.
 *
 * <p>{@link #tokenize} gives the ids of a text without BOS/EOS; {@link #ids77} gives the classic 77-token
 * sequence: BOS, at most 75 tokens, EOS, then padding (with EOS for CLIP-L / SD1.x, with 0 for OpenCLIP: SD2.x and
 * SDXL's second encoder). Safe to share between threads.
 */
public final class ClipTokenizer implements AutoCloseable {
    /** The id of {@code <|startoftext|>} (BOS). */
    public static final int BOS = 49406;
    /** The id of {@code <|endoftext|>} (EOS), also CLIP-L's padding. */
    public static final int EOS = 49407;
    /** Positions of the text encoders. */
    public static final int CONTEXT_LENGTH = 77;
    /** Tokens of text in one 77-token window (BOS and EOS take the other two). */
    public static final int CHUNK_TOKENS = CONTEXT_LENGTH - 2;

    static final String RESOURCE = "/dev/sdcond/conditioning/tokenizer/tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "1000000");

    private final HuggingFaceTokenizer tokenizer;
    private final String source;
    private final boolean shared;
    private final LargestId largest;

    /** The vocabulary's largest id, its token and the file that maps it, for the check against a model. */
    record LargestId(int id, String token, Path file) {}

    ClipTokenizer(HuggingFaceTokenizer tokenizer, String source, boolean shared, LargestId largest) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.shared = shared;
        this.largest = largest;
    }

    /** Built once per process: building the tokenizer from the bundled tokenizer.json takes ~0.3 s of CPU. */
    private static final class Bundled {
        static final ClipTokenizer INSTANCE = load();
    }

    /**
     * The CLIP vocabulary bundled with the toolkit (the one every SD text encoder uses): one instance per process,
     * shared by every caller (the tokenizer is immutable and thread-safe); closing it does nothing.
     *
     * @return the tokenizer of the bundled CLIP vocabulary (built once per process)
     */
    public static ClipTokenizer bundled() {
        return Bundled.INSTANCE;
    }

    private static ClipTokenizer load() {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled tokenizer missing: " + RESOURCE);
            }
            return new ClipTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), "bundled CLIP vocabulary", true,
                    new LargestId(EOS, "<|endoftext|>", Path.of(RESOURCE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A folder's tokenizer: {@code tokenizer.json}, or {@code vocab.json} + {@code merges.txt} (what diffusers
     * pipelines ship), which are set into the CLIP pipeline (normalizer, pre-tokenizer, BPE with {@code </w>}).
     *
     * @param folder a tokenizer folder ({@code tokenizer.json}, or {@code vocab.json} + {@code merges.txt})
     * @return its tokenizer
     */
    public static ClipTokenizer fromFolder(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return fromTokenizerJson(json);
        }
        Path vocab = folder.resolve("vocab.json");
        Path merges = folder.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return fromVocabAndMerges(vocab, merges);
        }
        throw new InvalidInputException(folder + ": no tokenizer.json, nor vocab.json + merges.txt");
    }

    /**
     * Whether a folder holds a tokenizer of its own.
     *
     * @param folder any folder
     * @return whether it holds {@code tokenizer.json} or {@code vocab.json} + {@code merges.txt}
     */
    public static boolean folderHasTokenizer(Path folder) {
        return Files.isRegularFile(folder.resolve("tokenizer.json"))
                || (Files.isRegularFile(folder.resolve("vocab.json")) && Files.isRegularFile(folder.resolve("merges.txt")));
    }

    /**
     * A tokenizer from a Hugging Face {@code tokenizer.json}: its BPE vocabulary and merges, set into the CLIP pipeline
     * (normalizer, pre-tokenizer, {@code </w>}) as for {@code vocab.json} + {@code merges.txt}. The file's own
     * normalizer and pre-tokenizer are not used: A1111, ComfyUI and diffusers tokenize with transformers' slow
     * {@code CLIPTokenizer}, whose pipeline is fixed, and a hostile pattern there (one the regex engine gives up on, a
     * replacement that multiplies the text) would reach the native tokenizer, where a panic ends the process.
     *
     * @param file the file
     * @return its tokenizer
     * @throws dev.sdcond.models.InvalidInputException when it cannot be read or parsed, or is over
     *     {@link #MAX_FILE_BYTES}
     */
    public static ClipTokenizer fromTokenizerJson(Path file) {
        return ClipTokenizerFiles.fromTokenizerJson(file);
    }

    /**
     * A tokenizer from a CLIP {@code vocab.json} and {@code merges.txt}.
     *
     * @param vocabFile the vocabulary
     * @param mergesFile the BPE merges
     * @return their tokenizer
     * @throws dev.sdcond.models.InvalidInputException when they cannot be read or parsed
     */
    public static ClipTokenizer fromVocabAndMerges(Path vocabFile, Path mergesFile) {
        return ClipTokenizerFiles.fromVocabAndMerges(vocabFile, mergesFile);
    }

    /** The largest tokenizer file read (CLIP's tokenizer.json is 2.2 MB, its vocab.json 1 MB, merges.txt 0.5 MB). */
    public static final long MAX_FILE_BYTES = 16L << 20;
    /**
     * Refuses a vocabulary with ids a text encoder has no embedding for (a {@code vocab.json} mapping a word to id
     * 10,000,000 would otherwise fail in the forward pass of every prompt with that word).
     *
     * @param vocabSize the token embeddings of the encoder that reads this tokenizer's ids
     * @throws InvalidInputException naming the file, the token and both sizes
     */
    public void requireIdsBelow(long vocabSize) {
        if (largest.id() >= vocabSize) {
            throw new InvalidInputException(largest.file() + ": maps '" + largest.token() + "' to id " + largest.id()
                    + ", but the text encoder has " + vocabSize + " token embeddings (ids 0 to " + (vocabSize - 1)
                    + "): the tokenizer is not this model's");
        }
    }

    /**
     * Where this tokenizer came from, for messages and metadata.
     *
     * @return where the vocabulary came from, for people
     */
    public String source() {
        return source;
    }

    /**
     * The token ids of a text, without BOS/EOS and without truncation.
     *
     * @param text the text
     * @return its ids
     */
    public long[] tokenize(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return e.getIds();
    }

    /**
     * The vocabulary entry of an id (e.g. {@code cat</w>}).
     *
     * @param id a token id
     * @return its vocabulary entry
     */
    public String idToToken(long id) {
        String t = tokenizer.decode(new long[] {id}, false);
        return t;
    }

    /**
     * BOS + text ids + EOS, not truncated.
     *
     * @param text the text
     * @return BOS, its ids, EOS
     */
    public long[] ids(String text) {
        long[] t = tokenize(text);
        long[] out = new long[t.length + 2];
        out[0] = BOS;
        System.arraycopy(t, 0, out, 1, t.length);
        out[out.length - 1] = EOS;
        return out;
    }

    /**
     * The 77-token sequence: BOS, the first 75 tokens, EOS, padding with {@code padId}.
     *
     * @param text the text
     * @param padId the padding id
     * @return the 77 ids
     */
    public long[] ids77(String text, long padId) {
        return window(tokenize(text), 0, padId);
    }

    /**
     * BOS + tokens[from, from+75) + EOS + padding, 77 ids.
     *
     * @param tokens the ids of a whole text
     * @param from the first token of the window
     * @param padId the padding id
     * @return the 77 ids
     */
    public static long[] window(long[] tokens, int from, long padId) {
        int n = Math.max(0, Math.min(CHUNK_TOKENS, tokens.length - from));
        long[] out = new long[CONTEXT_LENGTH];
        Arrays.fill(out, padId);
        out[0] = BOS;
        System.arraycopy(tokens, from, out, 1, n);
        out[n + 1] = EOS;
        return out;
    }

    @Override
    public void close() {
        if (!shared) {
            tokenizer.close();
        }
    }
}
