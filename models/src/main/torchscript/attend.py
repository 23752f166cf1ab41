# Generates models/src/main/resources/dev/sdcond/models/clip/attend.pt, the TorchScript module through which sdcond
# calls libtorch's fused scaled_dot_product_attention (DJL 0.36 has no binding for it). Run from the repository root
# with any PyTorch 2.x that still has torch.jit (the archive it writes, file format version 3, loads in libtorch 2.1+):
#     python models/src/main/torchscript/attend.py
# The scale is 1: sdcond folds head_dim^-0.5 into the query projection at load time.
import torch
import torch.nn.functional as F
from torch import Tensor


class Attend(torch.nn.Module):
    def forward(self, qkv: Tensor, tokens: int, heads: int, causal: bool) -> Tensor:
        # qkv: [B*T, 3W] (the fused projection: scaled q, then k, then v) -> [B*T, W]
        n, w3 = qkv.shape
        w = w3 // 3
        q, k, v = qkv.view(n // tokens, tokens, 3, heads, w // heads).permute(2, 0, 3, 1, 4).unbind(0)  # [B,H,T,D]
        o = F.scaled_dot_product_attention(q, k, v, None, 0.0, causal, scale=1.0)
        return o.transpose(1, 2).reshape(n, w)


torch.jit.script(Attend()).save("models/src/main/resources/dev/sdcond/models/clip/attend.pt")
