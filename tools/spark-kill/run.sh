#!/usr/bin/env bash
# The dataset job's crash-safety, for real: 2,000 prompts on the tiny golden SD1 model, a run killed (kill -9) at a
# random moment ten times and resumed each time; the final tables must equal an uninterrupted run's (ids, tensor
# bytes, no duplicates). Needs `mvn -B -DskipTests package`. Usage: tools/spark-kill/run.sh (a few minutes).
set -u
cd "$(dirname "$0")/../.."
W=/tmp/kill; rm -rf $W; mkdir -p $W
python3 - <<'PY'
import json, random
random.seed(7)
words = "cat dog fox red blue oil painting photo of a the in snow at dusk (detailed:1.2) [blurry]".split()
with open('/tmp/kill/p.jsonl', 'w') as f:
    for i in range(2000):
        p = ' '.join(random.choice(words) for _ in range(random.randint(3, 30)))
        if i % 97 == 5: p = 'a (broken'
        f.write(json.dumps({"id": "r%04d" % i, "prompt": p}) + "\n")
PY
M=testdata/goldens/clip-tiny-a
COMMON="-i $W/p.jsonl -m $M --strict-syntax --piece-rows 50 --master local[2]"
export DJL_OFFLINE=true
time bin/sdcond-dataset $COMMON -o $W/once > $W/once.log 2>&1; echo "once rc=$?"
bin/sdcond-dataset $COMMON -o $W/killed > $W/k0.log 2>&1 &
pid=$!
for k in $(seq 1 10); do
  delay=$(python3 -c "import random; print(round(random.uniform(13, 17), 1))")
  sleep $delay
  pkill -9 -P $pid 2>/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  pieces=$(ls -d $W/killed/sdcond_piece=* 2>/dev/null | wc -l)
  echo "kill $k after ${delay}s: $pieces piece folders"
  bin/sdcond-dataset $COMMON -o $W/killed --resume > $W/k$k.log 2>&1 &
  pid=$!
done
wait $pid; echo "last resume rc=$?"; tail -1 $W/k10.log
opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
java $opens -Dlog4j2.configurationFile=spark/conf/log4j2.properties -cp "spark/target/lib/*:spark/target/spark-lib/*" \
  tools/spark-kill/Compare.java $W/once $W/killed 2>&1 | grep "^table"
