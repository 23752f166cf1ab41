#!/usr/bin/env bash
# On a GPU machine without a JDK or network, with a folder from pack-offline.sh: builds DJL's JNI against the
# machine's PyTorch, runs `sdcond doctor --device gpu`, checks the GPU's outputs against the CPU references (SD1.5:
# float32 within 1e-4, float16 within 2e-2 plus 1% of the value, as numpy.allclose; SDXL and ViT-H, 32 layers: 1e-4
# plus 1e-4, 1e-1 plus 1%), then measure.sh and summarize.py.
# Everything lands in OUT_DIR.
#
#   tools/gpu/offline-run.sh PACK_DIR OUT_DIR [ROUNDS]
#
# Environment: measure.sh's (RUNS, WARMUP, DTYPES, ...); JNI_SO, a libdjl_torch.so already built for this torch (no
# build); DEVICE=cpu for a dry run of the whole script on a machine without a GPU (with a stub nvidia-smi on PATH).
set -uo pipefail
G=$(cd "$1" && pwd); OUT=$2; ROUNDS=${3:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"; export PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; lscpu | grep -E "Model name|^CPU\(s\)"
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda,
"cudnn", torch.backends.cudnn.version(), "transformers", transformers.__version__)'; } 2>&1 | tee "$OUT/env.txt"
W=$(mktemp -d)
tar xJf "$G/jre.txz" -C "$W" || exit 1
export JAVA=$W/jre/bin/java SDCOND_JAR=$G/sdcond-cuda.jar
TORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
t0=$EPOCHREALTIME
since() { awk "BEGIN{printf \"%.0f\", $EPOCHREALTIME - $t0}"; }
export DEVICE=${DEVICE:-gpu}
if [ -n "${JNI_SO:-}" ]; then
  cp "$JNI_SO" "$W/libdjl_torch.so"
else
  JNI_HEADER_DIR=$G/include JAVA_INCLUDE=$G/jdk-include DJL_API_JAR=/none bash "$HERE/build-djl-jni.sh" "$G/djl" \
    "$TORCH" "$W/libdjl_torch.so" 2>&1 | tail -3
fi
[ -f "$W/libdjl_torch.so" ] || { echo "the JNI did not build"; exit 1; }
echo "JNI built after $(since) s"
R="bash $HERE/run-with-libtorch.sh $TORCH $W/libdjl_torch.so"
$R doctor --device $DEVICE > "$OUT/doctor.txt" 2>&1; echo "doctor rc=$?"; cat "$OUT/doctor.txt"
for dt in float32 float16; do
  tol="--atol 1e-4"; [ $dt = float16 ] && tol="--atol 2e-2 --rtol 1e-2"
  # 32-layer towers (bigG, ViT-H) carry values up to ~30: more room, relative too (float16 on a CPU against float32
  # in the dry run: SDXL 8.0e-2 at most, ViT-H's penultimate layer 6.0e-2)
  xtol="--atol 1e-4 --rtol 1e-4"; [ $dt = float16 ] && xtol="--atol 1e-1 --rtol 1e-2"
  $R encode-text -m builtin:sd15-random -p "$(cat "$HERE/prompt.txt")" -n ugly --device $DEVICE --dtype $dt \
    -o "$W/text-$dt.safetensors" --force 2>&1 | tail -1
  $R compare "$W/text-$dt.safetensors" "$G/cpu-sd15.safetensors" $tol -k hidden_states -k negative_hidden_states
  $R encode-text -m builtin:sdxl-random -p "$(cat "$HERE/prompt.txt")" -n ugly --device $DEVICE --dtype $dt \
    -o "$W/sdxl-$dt.safetensors" --force 2>&1 | tail -1
  $R compare "$W/sdxl-$dt.safetensors" "$G/cpu-sdxl.safetensors" $xtol -k hidden_states -k pooled -k negative_pooled
  $R encode-image -m builtin:vit-h-random -i "$G/chelsea.png" -i "$G/coffee.png" --device $DEVICE --dtype $dt \
    -o "$W/image-$dt.safetensors" --force 2>&1 | tail -1
  $R compare "$W/image-$dt.safetensors" "$G/cpu-vith.safetensors" $xtol
done 2>&1 | tee "$OUT/checks.txt"
echo "checked after $(since) s"
bash "$HERE/measure.sh" "$TORCH" "$W/libdjl_torch.so" "$W/m" "$ROUNDS"
python3 "$HERE/summarize.py" "$W/m" | tee "$OUT/table.md"
tar czf "$OUT/measure.tgz" -C "$W" m
echo "done after $(since) s"
