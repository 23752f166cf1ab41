#!/usr/bin/env bash
# Issue 16's GPU measurement, in one go: sdcond (through run-with-libtorch.sh) and transformers (transformers_bench.py)
# on the same GPU in the same session, CLIP-L text at batch 1/8/128 and ViT-H/14 with hidden states at batch 1/32, in
# float16 and bfloat16, alternating sdcond and transformers ROUNDS times; each process's peak of the card's used
# memory (nvidia-smi, every 50 ms, less the idle baseline) beside the programs' own counts.
#
#   tools/gpu/measure.sh TORCH_DIR LIBDJL_TORCH_SO OUT_DIR [ROUNDS]
#
# Environment: RUNS and WARMUP (per batch; 50 and 20), DTYPES ("float16 bfloat16"), TEXT_BATCHES (1,8,128),
# IMAGE_BATCHES (1,32); JAVA and SDCOND_JAR as run-with-libtorch.sh takes them.
#
# Writes OUT_DIR/<name>.json (each program's JSON), OUT_DIR/<name>.mem (the samples) and OUT_DIR/summary.txt.
set -uo pipefail
T=$1; JNI=$2; O=$3; ROUNDS=${4:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-50}; WARMUP=${WARMUP:-20}; DTYPES=${DTYPES:-float16 bfloat16}
TEXT_BATCHES=${TEXT_BATCHES:-1,8,128}; IMAGE_BATCHES=${IMAGE_BATCHES:-1,32}
export DEVICE=${DEVICE:-gpu} # cpu: a dry run of this script on a machine without a GPU (nvidia-smi then may be a stub)
mkdir -p "$O"
base=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
peak() { # NAME CMD...: runs CMD with its stdout in NAME.json, and reports the card's peak memory above idle
  local name=$1; shift
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 50 > "$O/$name.mem" 2>/dev/null &
  local poll=$!
  local s=$EPOCHREALTIME
  "$@" > "$O/$name.json" 2> "$O/$name.err"; local rc=$?
  kill $poll 2>/dev/null; wait $poll 2>/dev/null
  local top=$(sort -n "$O/$name.mem" | tail -1)
  printf '%s rc=%s wall=%.1fs peak_gpu_mib_above_idle=%s\n' "$name" $rc "$(awk "BEGIN{print $EPOCHREALTIME - $s}")" \
    "$(( ${top:-0} - base ))" | tee -a "$O/summary.txt"
  python3 -c 'import json,sys
try:
    j = json.load(open(sys.argv[1]))
    print("  " + "  ".join("b%d %.2f ms" % (r["batch"], r["median_ms"]) for r in j["results"]))
except Exception as e:
    print("  no results:", e)' "$O/$name.json"
}
SD="bash $HERE/run-with-libtorch.sh $T $JNI"
for r in $(seq 1 "$ROUNDS"); do
  for dt in $DTYPES; do
    peak "sdcond-text-$dt-r$r" $SD bench -m builtin:sd15-random --device $DEVICE --dtype $dt --batch $TEXT_BATCHES \
      --runs $RUNS --warmup $WARMUP --no-gemm-floor --json
    peak "hf-text-$dt-r$r" python3 "$HERE/transformers_bench.py" $dt text $RUNS $WARMUP $TEXT_BATCHES
    peak "sdcond-image-$dt-r$r" $SD bench -m builtin:vit-h-random --what image --device $DEVICE --dtype $dt --batch $IMAGE_BATCHES \
      --runs $RUNS --warmup $WARMUP --no-gemm-floor --json
    peak "hf-image-$dt-r$r" python3 "$HERE/transformers_bench.py" $dt image $RUNS $WARMUP $IMAGE_BATCHES
  done
done
