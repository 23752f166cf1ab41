#!/usr/bin/env bash
# Checks the README's library promise: a new Maven project whose pom holds only the README's dependency block (and
# the Java version) compiles and runs ReadmeExample and BatchExample unchanged, on the tiny golden models.
# Needs `mvn -B -DskipTests install` first and Maven Central for the default plugins. Usage: tools/check-new-project.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/main/java/dev/sdcond/examples"
cp "$root"/examples/src/main/java/dev/sdcond/examples/{ReadmeExample,BatchExample}.java "$work/src/main/java/dev/sdcond/examples/"
deps="$(python3 -c 'import re,sys; print(re.search(r"```xml\n(.*?)```", open(sys.argv[1]).read(), re.S).group(1))' "$root/README.md")"
cat > "$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>pipeline</artifactId><version>1</version>
  <properties><maven.compiler.source>17</maven.compiler.source><maven.compiler.target>17</maven.compiler.target></properties>
  <dependencies>
$deps
  </dependencies>
</project>
POM
cd "$work"
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=cp.txt
g="$root/testdata/goldens"
mkdir -p sdxl/text_encoder sdxl/text_encoder_2
cp "$g"/clip-tiny-a/{config.json,model.safetensors} sdxl/text_encoder/
cp "$g"/clip-text-tiny-b/{config.json,model.safetensors} sdxl/text_encoder_2/
export DJL_OFFLINE=true
java -cp "target/classes:$(cat cp.txt)" dev.sdcond.examples.ReadmeExample sdxl "$g/clip-vision-tiny-h" "$g/images/chelsea.png"
java -cp "target/classes:$(cat cp.txt)" dev.sdcond.examples.BatchExample sdxl "$g/ti-lora/loras/sdxl_kohya_alpha.safetensors" \
  "$g/clip-vision-tiny-h" "$g/images/chelsea.png" "$g/images/coffee.png"
echo "new project: both examples ran"
