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

    private static final String RESOURCE = "/dev/sdcond/conditioning/tokenizer/tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "1000000");

    private final HuggingFaceTokenizer tokenizer;
    private final String source;
    private final boolean shared;

    private ClipTokenizer(HuggingFaceTokenizer tokenizer, String source) {
        this(tokenizer, source, false);
    }

    private ClipTokenizer(HuggingFaceTokenizer tokenizer, String source, boolean shared) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.shared = shared;
    }

    /** Built once per process: building the tokenizer from the bundled tokenizer.json takes ~0.3 s of CPU. */
    private static final class Bundled {
        static final ClipTokenizer INSTANCE = new ClipTokenizer(load().tokenizer, "bundled CLIP vocabulary", true);
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
            return new ClipTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), "bundled CLIP vocabulary");
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
        JsonNode root = parse(file, read(file));
        JsonNode model = root.path("model");
        if (!model.path("type").asText("").equals("BPE")) {
            throw new InvalidInputException(file + ": not a BPE tokenizer (model.type is '"
                    + model.path("type").asText("missing") + "')");
        }
        if (!model.path("vocab").isObject() || !model.path("merges").isArray()) {
            throw new InvalidInputException(file + ": model.vocab (an object) or model.merges (an array) is missing");
        }
        ArrayNode merges = JSON.createArrayNode();
        int i = 0;
        for (JsonNode m : model.get("merges")) {
            String pair = m.isTextual() ? m.asText() : m.isArray() && m.size() == 2 && m.get(0).isTextual()
                    && m.get(1).isTextual() ? m.get(0).asText() + " " + m.get(1).asText() : null;
            if (pair == null || pair.split(" ", -1).length != 2) {
                throw new InvalidInputException(file + ": model.merges[" + i + "] is not a pair of tokens");
            }
            merges.add(pair);
            i++;
        }
        return inClipPipeline(file, model.get("vocab"), merges, file.toString());
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
        JsonNode vocab = parse(vocabFile, read(vocabFile));
        String mergesText = new String(read(mergesFile), StandardCharsets.UTF_8);
        ArrayNode merges = JSON.createArrayNode();
        String[] lines = mergesText.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 2) {
                throw new InvalidInputException(mergesFile + ": line " + (i + 1) + " is not a pair of tokens: '" + line + "'");
            }
            merges.add(parts[0] + " " + parts[1]);
        }
        return inClipPipeline(vocabFile, vocab, merges, vocabFile + " + " + mergesFile.getFileName());
    }

    /** A vocabulary and merges in the bundled CLIP pipeline, its special tokens' ids taken from the vocabulary. */
    private static ClipTokenizer inClipPipeline(Path vocabFile, JsonNode vocab, ArrayNode merges, String source) {
        if (!vocab.isObject() || vocab.size() == 0) {
            throw new InvalidInputException(vocabFile + ": expected a JSON object of token -> id");
        }
        vocab.fields().forEachRemaining(e -> {
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new InvalidInputException(vocabFile + ": id of token '" + e.getKey() + "' is not a non-negative integer");
            }
        });
        ObjectNode template;
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(RESOURCE)) {
            template = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode model = (ObjectNode) template.get("model");
        model.set("vocab", vocab);
        model.set("merges", merges);
        for (String special : List.of("<|startoftext|>", "<|endoftext|>")) {
            if (!vocab.has(special)) {
                throw new InvalidInputException(vocabFile + ": the CLIP special token " + special + " is missing");
            }
        }
        ArrayNode added = (ArrayNode) template.get("added_tokens");
        ((ObjectNode) added.get(0)).put("id", vocab.get("<|startoftext|>").asInt());
        ((ObjectNode) added.get(1)).put("id", vocab.get("<|endoftext|>").asInt());
        return load(template.toString().getBytes(StandardCharsets.UTF_8), source);
    }

    private static ClipTokenizer load(byte[] json, String source) {
        try {
            return new ClipTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS), source);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(source + ": the tokenizers library rejected it: " + e.getMessage(), e);
        }
    }

    /** The largest tokenizer file read (CLIP's tokenizer.json is 2.2 MB, its vocab.json 1 MB, merges.txt 0.5 MB). */
    public static final long MAX_FILE_BYTES = 16L << 20;

    private static byte[] read(Path file) {
        dev.sdcond.models.io.InputFiles.requireAtMost(file, MAX_FILE_BYTES,
                "a CLIP tokenizer file (CLIP's own are 0.5 to 2.2 MB)");
        return dev.sdcond.models.io.InputFiles.readBytes(file);
    }

    private static JsonNode parse(Path file, byte[] bytes) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null) {
                throw new InvalidInputException(file + ": empty file");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
