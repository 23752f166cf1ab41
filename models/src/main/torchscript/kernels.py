# Generates models/src/main/resources/dev/sdcond/models/kernels.pt: the TorchScript module through which sdcond calls
# what DJL 0.36 does not bind. Run from the repository root with any PyTorch 2.x that still has torch.jit (the archive
# it writes, file format version 3, loads in libtorch 2.1+):
#     python models/src/main/torchscript/kernels.py
import torch
import torch.nn.functional as F
from typing import List, Optional, Union

from torch import Tensor


class Kernels(torch.nn.Module):
    def forward(self, qkv: Tensor, tokens: int, heads: int, causal: bool) -> Tensor:
        """Multi-head attention over the fused projection, with libtorch's fused scaled_dot_product_attention.

        qkv: [B*T, 3W], the query rows already scaled by head_dim^-0.5 (so scale=1 here), then key, then value.
        Returns [B*T, W].
        """
        n, w3 = qkv.shape
        w = w3 // 3
        q, k, v = qkv.view(n // tokens, tokens, 3, heads, w // heads).permute(2, 0, 3, 1, 4).unbind(0)  # [B,H,T,D]
        o = F.scaled_dot_product_attention(q, k, v, None, 0.0, causal, scale=1.0)
        return o.transpose(1, 2).reshape(n, w)

    @torch.jit.export
    def layer_norm_bfloat16(self, x: Tensor, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
        """Layer norm over the last axis in x's dtype (float32), the result in bfloat16 for the next matrix product."""
        return F.layer_norm(x, [weight.shape[0]], weight, bias, eps).to(torch.bfloat16)

    @torch.jit.export
    def pack_linear(self, weight: Tensor) -> Tensor:
        """A float32 [out, in] weight reordered once into oneDNN's blocked layout (an opaque mkldnn tensor)."""
        return torch.ops.mkldnn._reorder_linear_weight(weight, None)

    @torch.jit.export
    def linear_packed(self, x: Tensor, weight: Tensor, bias: Tensor, post: str) -> Tensor:
        """oneDNN's x W^T + b on a packed weight, with an optional fused activation: "none", "gelu" (erf) or
        "swish" (z * sigmoid(z))."""
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, post, torch.jit.annotate(List[Optional[Union[int, float, complex]]], []),
                                                  "none")

    @torch.jit.export
    def linear_packed_add(self, x: Tensor, weight: Tensor, bias: Tensor, residual: Tensor) -> Tensor:
        """oneDNN's x W^T + b on a packed weight, then + residual in place of a second output (oneDNN's own fused
        "add" post-op was several times slower than the two steps)."""
        y = torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", torch.jit.annotate(List[Optional[Union[int, float, complex]]], []), "none")
        return y.add_(residual)

    @torch.jit.export
    def linear_upcast(self, x: Tensor, weight: Tensor) -> Tensor:
        """x W^T in x's dtype, with a weight kept in 16 bits widened for this product only."""
        return F.linear(x, weight.to(x.dtype))

    @torch.jit.export
    def linear_in(self, x: Tensor, weight: Tensor) -> Tensor:
        """x W^T computed in the weight's dtype (bfloat16 or float16 products), the result back in x's dtype. A float16
        result is clamped to float16's finite range first, as transformers clamps T5's float16 hidden states."""
        y = F.linear(x.to(weight.dtype), weight)
        if y.dtype == torch.float16:
            y = y.clamp(-65504.0, 65504.0)
        return y.to(x.dtype)

    @torch.jit.export
    def embedding_float(self, ids: Tensor, table: Tensor) -> Tensor:
        """The rows of a (possibly 16-bit) embedding table, in float32."""
        return F.embedding(ids, table).to(torch.float32)

    @torch.jit.export
    def bfloat16(self, x: Tensor) -> Tensor:
        """x in bfloat16: DJL 0.36's JNI cannot name that dtype, but computes with such tensors."""
        return x.to(torch.bfloat16)


torch.jit.script(Kernels()).save("models/src/main/resources/dev/sdcond/models/kernels.pt")
