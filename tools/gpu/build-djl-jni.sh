#!/usr/bin/env bash
# Builds DJL 0.36's PyTorch JNI (libdjl_torch.so) against a libtorch that DJL does not ship a JNI for (e.g. the CUDA
# build inside a machine's PyTorch wheel), so that sdcond can run on that machine's GPU. A measurement aid: sdcond
# itself ships DJL's own CPU JNI through Maven.
#
#   tools/gpu/build-djl-jni.sh DJL_CHECKOUT TORCH_DIR OUT_SO
#
# DJL_CHECKOUT: a checkout of github.com/deepjavalibrary/djl at tag v0.36.0 (the JNI must match pytorch-engine 0.36.0)
# TORCH_DIR:    a folder with include/ and lib/ (for a wheel: python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
# Needs a JDK (javac, jni.h) and g++; the DJL api jar is taken from ~/.m2 or $DJL_API_JAR. On a machine with a JRE
# only: JNI_HEADER_DIR, a folder with ai_djl_pytorch_jni_PyTorchLibrary.h made elsewhere by jni-header.sh,
# and JAVA_INCLUDE, a JDK's include folder (jni.h), replace javac.
set -euo pipefail
DJL=$(cd "$1" && pwd); T=$2; OUT=$3
JOBS=${JOBS:-$(nproc)}
if [ -z "${JAVA_INCLUDE:-}" ]; then
  JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
  JAVA_INCLUDE=$JAVA_HOME/include
fi
ABI=$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)
W=$(mktemp -d)
NATIVE=$DJL/engines/pytorch/pytorch-native/src/main/native
if [ -n "${JNI_HEADER_DIR:-}" ]; then
  mkdir -p "$W/include" && cp "$JNI_HEADER_DIR"/*.h "$W/include/"
else
  bash "$(dirname "$0")/jni-header.sh" "$DJL" "$W/include"
fi
FLAGS="-O2 -fPIC -std=c++17 -D_GLIBCXX_USE_CXX11_ABI=$ABI -w -I$T/include -I$T/include/torch/csrc/api/include
  -I$W/include -I$JAVA_INCLUDE -I$JAVA_INCLUDE/linux -I$DJL/api/src/main/native"
export FLAGS W
ls "$NATIVE"/*.cc | xargs -P "$JOBS" -I{} sh -c 'g++ $FLAGS -c "{}" -o "$W/$(basename "{}" .cc).o"'
g++ -shared -o "$OUT" "$W"/*.o -L"$T/lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -Wl,-rpath,"$T/lib"
rm -rf "$W"
echo "built $OUT"
