# Summarizes tools/gpu/measure.sh's folder as a Markdown table: per workload, dtype and batch, the median over rounds
# of each round's median time, transformers' time over sdcond's (above 1: sdcond is faster), and each process's peak
# of the card's used memory above idle (the largest batch dominates it).
#   python3 tools/gpu/summarize.py OUT_DIR
import glob, json, os, re, statistics, sys

d = sys.argv[1]
times, mem = {}, {}
for line in open(os.path.join(d, "summary.txt")):
    m = re.match(r"(sdcond|hf)-(text|image)-(\w+)-r\d+ rc=(\d+) .*peak_gpu_mib_above_idle=(-?\d+)", line)
    if m and m.group(4) == "0":
        mem.setdefault(m.group(1, 2, 3), []).append(int(m.group(5)))
for f in sorted(glob.glob(os.path.join(d, "*-r*.json"))):
    m = re.match(r"(sdcond|hf)-(text|image)-(\w+)-r\d+\.json", os.path.basename(f))
    try:
        j = json.load(open(f))
    except ValueError:
        continue
    for r in j["results"]:
        times.setdefault(m.group(1, 2, 3) + (r["batch"],), []).append(r["median_ms"])
print("| workload | dtype | batch | transformers ms | sdcond ms | transformers / sdcond |")
print("|---|---|---|---|---|---|")
for (who, what, dt, b) in sorted(k for k in times if k[0] == "sdcond"):
    s = statistics.median(times[(who, what, dt, b)])
    h = times.get(("hf", what, dt, b))
    name = "CLIP-L text" if what == "text" else "ViT-H/14 + penultimate hidden states"
    hs = statistics.median(h) if h else float("nan")
    print(f"| {name} | {dt} | {b} | {hs:.2f} | {s:.2f} | {hs / s:.2f}x |")
print()
print("| workload | dtype | transformers peak GPU MiB | sdcond peak GPU MiB |")
print("|---|---|---|---|")
for (who, what, dt) in sorted(k for k in mem if k[0] == "sdcond"):
    print(f"| {what} | {dt} | {max(mem.get(('hf', what, dt), [0]))} | {max(mem[(who, what, dt)])} |")
