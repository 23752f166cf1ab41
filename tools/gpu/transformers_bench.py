# Reference timings for issue 7: transformers' CLIP towers with random weights, outputs copied to the host, the same
# protocol as `sdcond bench` (warm-up runs, then median and min of timed runs). Usage: python3 transformers_bench.py [float16|float32]
import json, sys, time, statistics, torch
from transformers import CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, CLIPVisionModelWithProjection

dev = "cuda"
dtype = {"float16": torch.float16, "float32": torch.float32}[sys.argv[1] if len(sys.argv) > 1 else "float16"]
runs, warm = 20, 3
out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0), "dtype": str(dtype), "results": []}

def timeit(fn):
    for _ in range(warm):
        fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter(); fn(); t.append((time.perf_counter() - s) * 1e3)
    return statistics.median(t), min(t)

torch.manual_seed(0)
tc = CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                    num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu")
text = CLIPTextModel(tc).to(dev, dtype).eval()
for b in (1, 8, 128):
    ids = torch.full((b, 77), 49407, dtype=torch.long, device=dev)
    ids[:, 0] = 49406
    ids[:, 1:20] = torch.arange(321, 340, device=dev)
    def f():
        with torch.inference_mode():
            o = text(input_ids=ids)
            o.last_hidden_state.cpu(); o.pooler_output.cpu()
    med, mn = timeit(f)
    out["results"].append({"what": "text CLIP-L", "batch": b, "median_ms": med, "min_ms": mn})
del text
vc = CLIPVisionConfig(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16,
                      image_size=224, patch_size=14, projection_dim=1024, hidden_act="gelu", layer_norm_eps=1e-5)
vis = CLIPVisionModelWithProjection(vc).to(dev, dtype).eval()
for b in (1, 32):
    px = torch.randn(b, 3, 224, 224, device=dev).to(dtype)
    def f():
        with torch.inference_mode():
            o = vis(pixel_values=px, output_hidden_states=True)
            o.image_embeds.cpu(); o.hidden_states[-2].cpu()
    med, mn = timeit(f)
    out["results"].append({"what": "image ViT-H/14 + hidden states", "batch": b, "median_ms": med, "min_ms": mn})
print(json.dumps(out, indent=1))
