package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenCLIP layout, mapped onto Hugging Face names in this one table. Fused attention projections are offered
 * as {@code self_attn.in_proj_weight} / {@code in_proj_bias} (towers take them whole, as they fuse q/k/v anyway);
 * {@code text_projection} and {@code visual.proj} are stored [W, P] and transposed to [P, W].
 *
 * <pre>
 * text_model.embeddings.token_embedding.weight     token_embedding.weight
 * text_model.embeddings.position_embedding.weight  positional_embedding
 * text_model.encoder.layers.N.*                    transformer.resblocks.N.*
 * text_model.final_layer_norm.*                    ln_final.*
 * text_projection.weight                           text_projection (transposed)
 * vision_model.embeddings.class_embedding          visual.class_embedding
 * vision_model.embeddings.patch_embedding.weight   visual.conv1.weight
 * vision_model.embeddings.position_embedding.weight visual.positional_embedding
 * vision_model.pre_layrnorm.* / post_layernorm.*   visual.ln_pre.* / visual.ln_post.*
 * vision_model.encoder.layers.N.*                  visual.transformer.resblocks.N.*
 * visual_projection.weight                         visual.proj (transposed)
 * layers: self_attn.out_proj  attn.out_proj;  layer_norm1/2  ln_1/ln_2;  mlp.fc1/fc2  mlp.c_fc/c_proj
 * </pre>
 *
 * @param source the checkpoint
 * @param prefix what precedes the OpenCLIP names (e.g. {@code conditioner.embedders.1.model.})
 */
public record OpenClipSource(TensorSource source, String prefix) implements ParameterSource {
    private static final Pattern LAYER = Pattern.compile("(text|vision)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");

    /** A stored tensor, optionally transposed. */
    private record Stored(String key, boolean transpose) {}

    private Stored map(String hf) {
        Matcher m = LAYER.matcher(hf);
        if (m.matches()) {
            String base = (m.group(1).equals("vision") ? "visual." : "") + "transformer.resblocks." + m.group(2) + ".";
            String mapped = switch (m.group(3)) {
                case "self_attn.in_proj_weight" -> "attn.in_proj_weight";
                case "self_attn.in_proj_bias" -> "attn.in_proj_bias";
                case "self_attn.out_proj.weight" -> "attn.out_proj.weight";
                case "self_attn.out_proj.bias" -> "attn.out_proj.bias";
                case "layer_norm1.weight" -> "ln_1.weight";
                case "layer_norm1.bias" -> "ln_1.bias";
                case "layer_norm2.weight" -> "ln_2.weight";
                case "layer_norm2.bias" -> "ln_2.bias";
                case "mlp.fc1.weight" -> "mlp.c_fc.weight";
                case "mlp.fc1.bias" -> "mlp.c_fc.bias";
                case "mlp.fc2.weight" -> "mlp.c_proj.weight";
                case "mlp.fc2.bias" -> "mlp.c_proj.bias";
                default -> null;
            };
            return mapped == null ? null : new Stored(base + mapped, false);
        }
        return switch (hf) {
            case "text_model.embeddings.token_embedding.weight" -> new Stored("token_embedding.weight", false);
            case "text_model.embeddings.position_embedding.weight" -> new Stored("positional_embedding", false);
            case "text_model.final_layer_norm.weight" -> new Stored("ln_final.weight", false);
            case "text_model.final_layer_norm.bias" -> new Stored("ln_final.bias", false);
            case "text_projection.weight" -> new Stored("text_projection", true);
            case "vision_model.embeddings.class_embedding" -> new Stored("visual.class_embedding", false);
            case "vision_model.embeddings.patch_embedding.weight" -> new Stored("visual.conv1.weight", false);
            case "vision_model.embeddings.position_embedding.weight" -> new Stored("visual.positional_embedding", false);
            case "vision_model.pre_layrnorm.weight" -> new Stored("visual.ln_pre.weight", false);
            case "vision_model.pre_layrnorm.bias" -> new Stored("visual.ln_pre.bias", false);
            case "vision_model.post_layernorm.weight" -> new Stored("visual.ln_post.weight", false);
            case "vision_model.post_layernorm.bias" -> new Stored("visual.ln_post.bias", false);
            case "visual_projection.weight" -> new Stored("visual.proj", true);
            default -> null;
        };
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public String storedName(String hfName) {
        Stored s = map(hfName);
        if (s == null) {
            return prefix + hfName + " (no OpenCLIP equivalent)";
        }
        return prefix + s.key() + (s.transpose() ? " (transposed)" : "");
    }

    @Override
    public Optional<long[]> shape(String hfName) {
        Stored s = map(hfName);
        if (s == null) {
            return Optional.empty();
        }
        Optional<TensorInfo> t = source.info(prefix + s.key());
        if (t.isEmpty()) {
            return Optional.empty();
        }
        long[] shape = t.get().shape();
        if (s.transpose() && shape.length == 2) {
            return Optional.of(new long[] {shape[1], shape[0]});
        }
        return Optional.of(shape);
    }

    @Override
    public NDArray load(String hfName, NDManager manager, DataType dtype) {
        Stored s = map(hfName);
        if (s == null) {
            throw new IllegalArgumentException("no OpenCLIP equivalent of " + hfName);
        }
        NDArray a = source.load(prefix + s.key(), manager, dtype);
        if (s.transpose()) {
            try (a) {
                long[] shape = a.getShape().getShape();
                return a.transpose().flatten().reshape(shape[1], shape[0]); // flatten copies into [P, W] order
            }
        }
        return a;
    }
}
