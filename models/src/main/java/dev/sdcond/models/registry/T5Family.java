package dev.sdcond.models.registry;

import dev.sdcond.models.t5.T5Config;

/** The T5 encoders the builtin models are made of. */
public enum T5Family {
    /**
     * google/t5-v1_1-xxl's encoder, as Flux ({@code text_encoder_2}) and SD3 ({@code text_encoder_3}) ship it: width
     * 4096, 64 heads of 64, feed-forward 10240, 24 blocks, 32128 embedding rows; 4.76 billion parameters.
     */
    XXL(new T5Config(4096, 64, 10240, 64, 24, 32128, 1e-6, 32, 128, "gated-gelu")),
    /**
     * A small stand-in for plumbing tests: T5-XXL's width 4096 (so the outputs have the real shapes), one block of 8
     * heads of 64 with a feed-forward of 1024, and 4128 embedding rows (those of the stand-in tokenizer); 38 million
     * parameters.
     */
    SMALL(new T5Config(4096, 64, 1024, 8, 1, 4128, 1e-6, 32, 128, "gated-gelu"));

    private final T5Config config;

    T5Family(T5Config config) {
        this.config = config;
    }

    /**
     * The encoder's config.
     *
     * @return its config
     */
    public T5Config config() {
        return config;
    }
}
