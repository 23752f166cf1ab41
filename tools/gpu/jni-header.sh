#!/usr/bin/env bash
# Writes DJL 0.36's JNI header (ai_djl_pytorch_jni_PyTorchLibrary.h) into OUT_DIR, as DJL's own build makes it:
#
#   tools/gpu/jni-header.sh DJL_CHECKOUT OUT_DIR
#
# Needs javac; the DJL api jar is taken from ~/.m2 or $DJL_API_JAR.
set -euo pipefail
DJL=$(cd "$1" && pwd); OUT=$2
ENGINE=$DJL/engines/pytorch/pytorch-engine/src/main/java
W=$(mktemp -d)
javac -cp "${DJL_API_JAR:-$HOME/.m2/repository/ai/djl/api/0.36.0/api-0.36.0.jar}" -sourcepath "$ENGINE" \
  "$ENGINE/ai/djl/pytorch/jni/PyTorchLibrary.java" -h "$OUT" -d "$W"
rm -rf "$W"
