package dev.sdcond.models.t5;

/**
 * T5's bidirectional relative position buckets ({@code _relative_position_bucket} with {@code bidirectional=True}):
 * half the buckets per direction (keys after the query add half the bucket count), the first half of those exact
 * distances, the rest logarithmic up to {@code maxDistance}, then clamped.
 */
final class RelativePositions {
    private RelativePositions() {}

    /**
     * The bucket of {@code key - query}.
     *
     * @param relative {@code key_position - query_position}
     * @param numBuckets all buckets (both directions)
     * @param maxDistance where the logarithmic buckets end
     * @return the bucket, 0 .. numBuckets - 1
     */
    static int bucket(int relative, int numBuckets, int maxDistance) {
        int half = numBuckets / 2;
        int base = relative > 0 ? half : 0;
        int n = Math.abs(relative);
        int maxExact = half / 2;
        if (n < maxExact) {
            return base + n;
        }
        // float32 arithmetic, as torch computes it on float tensors, then truncation toward zero (.to(long))
        float lg = (float) Math.log((float) n / (float) maxExact);
        float den = (float) Math.log((double) maxDistance / maxExact);
        float scaled = lg / den * (float) (half - maxExact);
        int v = maxExact + (int) scaled;
        return base + Math.min(v, half - 1);
    }

    /**
     * The bucket of every (query, key) pair of a sequence length.
     *
     * @param t the sequence length
     * @param numBuckets all buckets
     * @param maxDistance where the logarithmic buckets end
     * @return [T * T] row-major: {@code buckets[q * T + k] = bucket(k - q)}
     */
    static long[] buckets(int t, int numBuckets, int maxDistance) {
        long[] out = new long[t * t];
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                out[q * t + k] = bucket(k - q, numBuckets, maxDistance);
            }
        }
        return out;
    }
}
