#!/usr/bin/env bash
# Runs the sdcond jar on a machine's own libtorch (e.g. a CUDA build from its PyTorch wheel) with a DJL JNI built by
# build-djl-jni.sh:
#
#   tools/gpu/run-with-libtorch.sh TORCH_DIR LIBDJL_TORCH_SO sdcond-args...
#   e.g. tools/gpu/run-with-libtorch.sh $TORCH ./libdjl_torch.so bench -m builtin:sd15-random --device gpu --dtype float16
set -euo pipefail
T=$1; JNI=$2; shift 2
HERE=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=${PYTORCH_VERSION:-$(python3 -c 'import torch;print(torch.__version__.split("+")[0])')}
FLAVOR=${PYTORCH_FLAVOR:-$(python3 -c 'import torch;v=torch.version.cuda;print("cu"+v.replace(".","") if v else "cpu")')}
export DJL_CACHE_DIR=${DJL_CACHE_DIR:-$HOME/.djl.ai}
mkdir -p "$DJL_CACHE_DIR/pytorch/$VERSION-$FLAVOR-linux-x86_64"
cp "$JNI" "$DJL_CACHE_DIR/pytorch/$VERSION-$FLAVOR-linux-x86_64/0.36.0-libdjl_torch.so"
export PYTORCH_LIBRARY_PATH=$T/lib PYTORCH_VERSION=$VERSION PYTORCH_FLAVOR=$FLAVOR DJL_OFFLINE=true
# test libraries of the wheel that DJL would otherwise load with the rest
export PYTORCH_LIBRARY_EXCLUSION=libaoti_custom_ops.so,libbackend_with_compiler.so,libjitbackend_test.so,libtorchbind_test.so
# DJL counts GPUs through libcudart (JNA); a wheel keeps it beside torch
CUDART=
for d in "$T"/../nvidia/*/lib /usr/local/cuda/lib64; do
  if [ -d "$d" ]; then CUDART=$CUDART$d:; fi
done
# SDCOND_JAR: the CUDA flavour (cli/target/sdcond-cuda.jar, no CPU natives) or the CPU build; JAVA: another java
exec "${JAVA:-java}" ${JAVA_OPTS:-} -Djna.library.path="$CUDART" -jar "${SDCOND_JAR:-$HERE/cli/target/sdcond.jar}" "$@"
