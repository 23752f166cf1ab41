#!/usr/bin/env bash
# Packs what a GPU machine needs to run and measure sdcond when it has PyTorch (with its CUDA libtorch) and g++ but no
# JDK and no network (tools/gpu/offline-run.sh runs it there):
#
#   mvn -B -DskipTests package && tools/gpu/pack-offline.sh DJL_CHECKOUT PACK_DIR
#
# DJL_CHECKOUT: github.com/deepjavalibrary/djl at tag v0.36.0. PACK_DIR gets (about 45 MB): jre.txz, a jlink'd Java
# runtime of this JDK; sdcond-cuda.jar with the linux-x86_64 natives only; DJL's JNI sources, its JNI header made here
# by javac and this JDK's include folder (build-djl-jni.sh takes them in place of a JDK); two CPU reference outputs
# and their images, which the GPU's results are compared with.
set -euo pipefail
DJL=$(cd "$1" && pwd); O=$2
HERE=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
mkdir -p "$O/djl/engines/pytorch/pytorch-native/src/main" "$O/djl/api/src/main" "$O/include"
cp -r "$DJL/engines/pytorch/pytorch-native/src/main/native" "$O/djl/engines/pytorch/pytorch-native/src/main/"
cp -r "$DJL/api/src/main/native" "$O/djl/api/src/main/"
W=$(mktemp -d)
bash "$HERE/tools/gpu/jni-header.sh" "$DJL" "$O/include"
rm -rf "$O/jdk-include" && cp -r "$JAVA_HOME/include" "$O/jdk-include"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.unsupported,java.xml,java.desktop \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$W/jre"
tar cJf "$O/jre.txz" -C "$W" jre
cp "$HERE/cli/target/sdcond-cuda.jar" "$O/sdcond-cuda.jar"
zip -q -d "$O/sdcond-cuda.jar" 'native/lib/linux-aarch64/*' 'native/lib/win-*' 'native/lib/osx-*' 'com/sun/jna/aix-*' \
  'com/sun/jna/win32-*' 'com/sun/jna/darwin*' 'com/sun/jna/sunos*' 'com/sun/jna/*bsd*' 'com/sun/jna/linux-a*' \
  'com/sun/jna/linux-[c-w]*' 'com/sun/jna/linux-x86/*' >/dev/null || true
cp "$HERE/testdata/goldens/images/chelsea.png" "$HERE/testdata/goldens/images/coffee.png" "$O/"
# the CPU references: float32 on this machine's CPU build
"$HERE/bin/sdcond" encode-text -m builtin:sd15-random -p "$(cat "$HERE/tools/gpu/prompt.txt")" -n ugly --linear plain \
  -o "$O/cpu-sd15.safetensors" --force
"$HERE/bin/sdcond" encode-text -m builtin:sdxl-random -p "$(cat "$HERE/tools/gpu/prompt.txt")" -n ugly --linear plain \
  -o "$O/cpu-sdxl.safetensors" --force  # bigG's pooled vectors come from its last layer's pooled rows alone
"$HERE/bin/sdcond" encode-image -m builtin:vit-h-random -i "$O/chelsea.png" -i "$O/coffee.png" \
  -o "$O/cpu-vith.safetensors" --force
rm -rf "$W"
du -sh "$O"
