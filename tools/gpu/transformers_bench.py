# Reference timings for issue 16: transformers' CLIP towers with random weights on the GPU, outputs copied to the
# host, the same protocol as `sdcond bench` (warm-up runs, then median and min of timed runs).
#
#   python3 transformers_bench.py [float16|bfloat16|float32] [text|image|both] [RUNS] [WARMUP] [BATCHES, e.g. 1,8]
#
# Peak memory is torch's own count (max_memory_allocated / max_memory_reserved) per workload.
import json, os, sys, time, statistics, torch
from transformers import CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, CLIPVisionModelWithProjection

dev = os.environ.get("DEVICE", "cuda").replace("gpu", "cuda")  # cpu: a dry run without a GPU
dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[
    sys.argv[1] if len(sys.argv) > 1 else "float16"]
what = sys.argv[2] if len(sys.argv) > 2 else "both"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
warm = int(sys.argv[4]) if len(sys.argv) > 4 else 3
batches = [int(b) for b in sys.argv[5].split(",")] if len(sys.argv) > 5 else None
gpu = dev.startswith("cuda")
out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if gpu else None, "dtype": str(dtype), "results": []}


def timeit(fn):
    for _ in range(warm):
        fn()
    if gpu:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t = []
    for _ in range(runs):
        s = time.perf_counter(); fn(); t.append((time.perf_counter() - s) * 1e3)
    r = {"median_ms": statistics.median(t), "min_ms": min(t)}
    if gpu:
        r["peak_allocated_mb"] = torch.cuda.max_memory_allocated() / 2**20
        r["peak_reserved_mb"] = torch.cuda.max_memory_reserved() / 2**20
    return r


torch.manual_seed(0)
if what in ("text", "both"):
    tc = CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu")
    with torch.device(dev):  # initialized where it runs: seconds, not a minute on the host
        text = CLIPTextModel(tc).to(dtype).eval()
    for b in batches or (1, 8, 128):
        ids = torch.full((b, 77), 49407, dtype=torch.long, device=dev)
        ids[:, 0] = 49406
        ids[:, 1:20] = torch.arange(321, 340, device=dev)
        def f():
            with torch.inference_mode():
                o = text(input_ids=ids)
                o.last_hidden_state.cpu(); o.pooler_output.cpu()
        out["results"].append({"what": "text CLIP-L", "batch": b, **timeit(f)})
    del text
if what in ("image", "both"):
    vc = CLIPVisionConfig(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16,
                          image_size=224, patch_size=14, projection_dim=1024, hidden_act="gelu", layer_norm_eps=1e-5)
    with torch.device(dev):
        vis = CLIPVisionModelWithProjection(vc).to(dtype).eval()
    for b in batches or (1, 32):
        px = torch.randn(b, 3, 224, 224, device=dev).to(dtype)
        def f():
            with torch.inference_mode():
                o = vis(pixel_values=px, output_hidden_states=True)
                o.image_embeds.cpu(); o.hidden_states[-2].cpu()
        out["results"].append({"what": "image ViT-H/14 + hidden states", "batch": b, **timeit(f)})
print(json.dumps(out, indent=1))
