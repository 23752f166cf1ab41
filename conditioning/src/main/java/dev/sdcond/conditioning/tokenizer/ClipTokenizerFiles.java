package dev.sdcond.conditioning.tokenizer;

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
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CLIP tokenizer files ({@code tokenizer.json}, or {@code vocab.json} + {@code merges.txt}): only their
 * vocabulary and merges, checked, set into the bundled CLIP pipeline.
 */
final class ClipTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClipTokenizerFiles() {
    }

    static ClipTokenizer fromTokenizerJson(Path file) {
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

    static ClipTokenizer fromVocabAndMerges(Path vocabFile, Path mergesFile) {
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
        int largest = -1;
        String largestToken = null;
        for (var it = vocab.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new InvalidInputException(vocabFile + ": id of token '" + e.getKey() + "' is not a non-negative integer");
            }
            if (e.getValue().asInt() > largest) {
                largest = e.getValue().asInt();
                largestToken = e.getKey();
            }
        }
        ObjectNode template;
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(ClipTokenizer.RESOURCE)) {
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
        return load(template.toString().getBytes(StandardCharsets.UTF_8), source,
                new ClipTokenizer.LargestId(largest, largestToken, vocabFile));
    }

    private static ClipTokenizer load(byte[] json, String source, ClipTokenizer.LargestId largest) {
        try {
            return new ClipTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                    ClipTokenizer.OPTIONS), source, false, largest);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(source + ": the tokenizers library rejected it: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) {
        dev.sdcond.models.io.InputFiles.requireAtMost(file, ClipTokenizer.MAX_FILE_BYTES,
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
}
