# Generates models/src/main/resources/dev/sdcond/models/kernels.pt: the TorchScript module through which sdcond calls
# what DJL 0.36 does not bind, and kernels-portable.pt, the same without oneDNN's and MKL's packed linear, for a
# libtorch built without them (an archive that names an op its libtorch lacks does not load at all). Run from the
# repository root with any PyTorch 2.x that still has torch.jit (the archives it writes, file format version 3, load
# in libtorch 2.1+):
#     python models/src/main/torchscript/kernels.py
import hashlib
import json

import torch
import torch.nn.functional as F
from typing import Final, List, Optional, Union

from torch import Tensor


class Kernels(torch.nn.Module):
    # How one projection's weight is kept and multiplied: the codes of clip_layer's `packing` list, one per weight
    # (qkv, out_proj, fc1, fc2), and of `linear`. sdcond's LinearKernel names them (ClipLayerKernel maps one to the
    # other).
    PLAIN: Final[int] = 0  # as stored, libtorch's F.linear in the weight's dtype
    ONEDNN: Final[int] = 1  # reordered for oneDNN's inner product (mkldnn._reorder_linear_weight), CPU float32
    MKL: Final[int] = 2  # packed for MKL's GEMM of `rows` x in (mkl._mkl_reorder_linear_weight), CPU float32

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
    def clip_layer(self, x: Tensor, p: List[Tensor], tokens: int, heads: int, causal: bool, eps: float, act: str,
                   packing: List[int], rows: int, fused: bool) -> Tensor:
        """One pre-LN CLIP encoder layer, the only implementation of its math (CPU and GPU, every dtype): one call per
        layer in place of a dozen, so that a batch-1 forward is not bound by the host's calls.

        x: [B*T, W], the residual stream (float32, or float16 on GPUs). p: layer_norm1 weight and bias, the fused qkv
        weight and bias (query rows scaled by head_dim^-0.5), out_proj weight and bias, layer_norm2 weight and bias,
        fc1 weight and bias, fc2 weight and bias. act: "swish" (quick_gelu with its 1.702 folded into fc1 and fc2) or
        "gelu" (erf). packing: one code per weight (qkv, out_proj, fc1, fc2): PLAIN as stored, ONEDNN packed for
        oneDNN, MKL packed for MKL's GEMM of rows x in (CPU, float32; rows must equal tokens, each sequence is one
        product). A weight of another dtype than x (bfloat16) makes its product run in that dtype, the norms and the
        residual stream staying in x's dtype. fused: libtorch's scaled_dot_product_attention; else the explicit
        product, softmax, product. Returns [B*T, W] in x's dtype.
        """
        if self.MKL in packing and tokens != rows:
            raise RuntimeError("weights packed for sequences of " + str(rows) + " tokens, not " + str(tokens))
        qkv = self._qkv(x, p, eps, packing, rows)
        a = self.attention(qkv, tokens, heads, causal, fused)
        return self._out_and_mlp(a, x, p, eps, act, packing, rows)

    @torch.jit.export
    def attention(self, qkv: Tensor, tokens: int, heads: int, causal: bool, fused: bool) -> Tensor:
        """The layer's attention over the fused projection [B*T, 3W]: libtorch's fused kernel (forward) or the explicit
        product, softmax, product. Returns [B*T, W] in qkv's dtype."""
        if fused:
            return self.forward(qkv, tokens, heads, causal)
        return self._explicit_attention(qkv, tokens, heads, causal)

    @torch.jit.export
    def clip_layer_rows(self, x: Tensor, p: List[Tensor], tokens: int, heads: int, causal: bool, eps: float, act: str,
                        packing: List[int], rows: int, at: Tensor) -> Tensor:
        """clip_layer's output at the flat rows `at` alone ([N] int64, row b*T + t is position t of sequence b): every
        row's keys and values, the queries, out projection and MLP of those rows only. For a tower's last layer when
        only its pooled rows are wanted. Each row gets what clip_layer computes for it, up to the rounding of products
        of another row count. Attention is the explicit product, softmax, product, whatever the layer's kernel: for a
        few query rows it costs little, and libtorch's fused kernel splits one query row's work by the thread count,
        so that a pooled vector's last bits would depend on how busy the machine is. Returns [N, W]. Not for
        MKL-packed weights (whole sequences only)."""
        if self.MKL in packing:
            raise RuntimeError("weights packed for MKL multiply whole sequences only")
        w = x.shape[1]
        d = w // heads
        qkv = self._qkv(x, p, eps, packing, rows)
        seq = torch.div(at, tokens, rounding_mode="floor")
        kv = qkv.view(-1, tokens, 3, heads, d).index_select(0, seq)  # [N, T, 3, H, D]
        k = kv[:, :, 1].transpose(1, 2)  # [N, H, T, D]
        v = kv[:, :, 2].transpose(1, 2)
        q = qkv.index_select(0, at)[:, :w].reshape(-1, heads, 1, d)
        mask: Optional[Tensor] = None
        if causal:  # position t of its sequence attends to positions 0..t
            t = (at - seq * tokens).view(-1, 1, 1, 1)
            mask = torch.arange(tokens, device=x.device).view(1, 1, 1, tokens) <= t
        o = self._explicit_product(q, k, v, mask)
        return self._out_and_mlp(o.reshape(-1, w), x.index_select(0, at), p, eps, act, packing, rows)

    def _qkv(self, x: Tensor, p: List[Tensor], eps: float, packing: List[int], rows: int) -> Tensor:
        """The fused q, k, v projection of layer_norm1(x): [n, 3W]."""
        return self.linear(F.layer_norm(x, [x.shape[1]], p[0], p[1], eps), p[2], p[3], packing[0], rows, "none")

    def _out_and_mlp(self, a: Tensor, x: Tensor, p: List[Tensor], eps: float, act: str, packing: List[int],
                     rows: int) -> Tensor:
        """The rest of the layer from the attention's output a and the residual stream x at the same rows:
        h = x + out_proj(a), then h + fc2(act(fc1(layer_norm2(h))))."""
        h = self._residual(self.linear(a, p[4], p[5], packing[1], rows, "none"), x)
        m = self.linear(F.layer_norm(h, [x.shape[1]], p[6], p[7], eps), p[8], p[9], packing[2], rows, act)
        return self._residual(self.linear(m, p[10], p[11], packing[3], rows, "none"), h)

    def _residual(self, y: Tensor, x: Tensor) -> Tensor:
        """y + x in x's dtype, in place when the dtypes agree. On the CPU a stream of up to 4 * 32768 elements is added
        in blocks of rows under libtorch's grain (32768 elements, below which an op runs on the calling thread): an
        add is a few microseconds of work, and a parallel region costs more than that when the OpenMP workers sleep
        between regions (OMP_WAIT_POLICY=PASSIVE). Each element is the same single addition either way."""
        if y.dtype != x.dtype:
            return y + x
        w = y.shape[1]
        if y.device.type != "cpu" or y.numel() > 4 * 32768 or w >= 32768:
            return y.add_(x)
        block = 32767 // w
        for a, b in zip(y.split(block), x.split(block)):
            a.add_(b)
        return y

    @torch.jit.export
    def linear(self, x: Tensor, weight: Tensor, bias: Tensor, packing: int, rows: int, post: str) -> Tensor:
        """x W^T + b, then the activation post ("none", "gelu", "swish"), in the weight's dtype: the layer's own
        product for one weight kept as `packing` says (PLAIN, ONEDNN, MKL), so that a kernel can be checked against
        PLAIN on the machine it runs on."""
        if packing == self.ONEDNN:
            return self._onednn_linear(x, weight, bias, post)
        if packing == self.MKL:
            y = self._mkl_linear(x, weight, bias, rows)
        else:
            y = F.linear(x.to(weight.dtype), weight, bias)
        if post == "swish":
            y = y.mul_(torch.sigmoid(y))
        elif post == "gelu":
            y = F.gelu(y)
        return y

    def _onednn_linear(self, x: Tensor, weight: Tensor, bias: Tensor, post: str) -> Tensor:
        raise RuntimeError("packed weights need sdcond's full kernels (kernels.pt)")

    def _mkl_linear(self, x: Tensor, weight: Tensor, bias: Tensor, rows: int) -> Tensor:
        raise RuntimeError("packed weights need sdcond's full kernels (kernels.pt)")

    def _explicit_attention(self, qkv: Tensor, tokens: int, heads: int, causal: bool) -> Tensor:
        """softmax(q k^T [+ causal mask]) v with the [B, H, T, T] scores written out. bfloat16 is computed in float32
        (the result back in bfloat16): the explicit form is the reference the fused kernel is checked against."""
        n, w3 = qkv.shape
        w = w3 // 3
        q, k, v = qkv.view(n // tokens, tokens, 3, heads, w // heads).permute(2, 0, 3, 1, 4).unbind(0)  # [B,H,T,D]
        mask: Optional[Tensor] = None
        if causal:
            mask = torch.ones([tokens, tokens], dtype=torch.bool, device=qkv.device).tril()
        o = self._explicit_product(q, k, v, mask)
        return o.transpose(1, 2).reshape(n, w)

    def _explicit_product(self, q: Tensor, k: Tensor, v: Tensor, mask: Optional[Tensor]) -> Tensor:
        """softmax(q k^T, positions where the boolean mask is False left out) v, [.., Tq, D]; bfloat16 in float32."""
        dtype = q.dtype
        if dtype == torch.bfloat16:
            q, k, v = q.float(), k.float(), v.float()
        scores = torch.matmul(q, k.transpose(-2, -1))
        if mask is not None:
            scores = scores.masked_fill(mask.logical_not(), float("-inf"))
        return torch.matmul(torch.softmax(scores, -1), v).to(dtype)

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


class NativeKernels(Kernels):
    """The kernels with oneDNN's linear on packed weights and MKL's packed GEMM (CPU, float32)."""

    def _onednn_linear(self, x: Tensor, weight: Tensor, bias: Tensor, post: str) -> Tensor:
        return torch.ops.mkldnn._linear_pointwise(x, weight, bias, post,
                                                  torch.jit.annotate(List[Optional[Union[int, float, complex]]], []),
                                                  "none")

    def _mkl_linear(self, x: Tensor, weight: Tensor, bias: Tensor, rows: int) -> Tensor:
        """MKL's GEMM on a weight packed for rows x in, one product per block of rows. The op falls back to its third
        argument for any other row count: that is a zero-size stand-in here (only its shape is read), so the row
        count is checked first."""
        n = bias.shape[0]
        if x.shape[0] % rows != 0:
            raise RuntimeError("weights packed for blocks of " + str(rows) + " rows, got " + str(x.shape[0]))
        stand_in = torch.zeros([1], dtype=x.dtype).expand(n, x.shape[1])
        if x.shape[0] == rows:
            return torch.ops.mkl._mkl_linear(x, weight, stand_in, bias, rows)
        return torch.cat([torch.ops.mkl._mkl_linear(b, weight, stand_in, bias, rows) for b in x.split(rows)])

    @torch.jit.export
    def pack_mkl(self, weight: Tensor, rows: int) -> Tensor:
        """A float32 [out, in] weight packed once for MKL's GEMM of rows x in (an opaque tensor)."""
        return torch.ops.mkl._mkl_reorder_linear_weight(weight, rows)

    @torch.jit.export
    def pack_linear(self, weight: Tensor) -> Tensor:
        """A float32 [out, in] weight reordered once into oneDNN's blocked layout (an opaque mkldnn tensor)."""
        return torch.ops.mkldnn._reorder_linear_weight(weight, None)

    @torch.jit.export
    def linear_packed(self, x: Tensor, weight: Tensor, bias: Tensor, post: str) -> Tensor:
        """oneDNN's x W^T + b on a packed weight, with an optional fused activation: "none", "gelu" (erf) or
        "swish" (z * sigmoid(z))."""
        return self._onednn_linear(x, weight, bias, post)


# Each archive says what it was built from (its extra file sdcond-kernels.json): this file's SHA-256 and the torch
# version. A test (KernelArchivesTest) fails when this file changes and the archives are not built again.
with open(__file__, "rb") as source:
    built_from = {"sdcond-kernels.json": json.dumps({"source_sha256": hashlib.sha256(source.read()).hexdigest(),
                                                     "torch": torch.__version__})}
torch.jit.script(NativeKernels()).save("models/src/main/resources/dev/sdcond/models/kernels.pt", _extra_files=built_from)
torch.jit.script(Kernels()).save("models/src/main/resources/dev/sdcond/models/kernels-portable.pt",
                                 _extra_files=built_from)

