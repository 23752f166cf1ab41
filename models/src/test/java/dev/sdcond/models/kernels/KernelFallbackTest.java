package dev.sdcond.models.kernels;

import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.runtime.CpuInfo;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A kernel that gives wrong numbers is caught while the tower loads, the shapes it would run fall back, the tower
 * says so once, and its outputs equal those of a tower that never used it. The wrong kernel is made on purpose
 * ({@link KernelFaults}): its weights are spoiled before it packs them, in the check and in the layers alike.
 */
class KernelFallbackTest {
    private static final String TEXT = "clip-tiny-a/golden_text_prompts.safetensors";
    private static final String VISION = "clip-vision-tiny-h/golden_vision.safetensors";
    private final List<String> warnings = new ArrayList<>();

    /** A faulty packing: every weight of {@code bad} comes out with its rows in reverse order. */
    private static KernelFaults reversedRows(ProductKernel bad) {
        return (kernel, w) -> kernel == bad ? w.flip(0) : w;
    }

    @BeforeEach
    void collectWarnings() {
        KernelWarnings.forget(); // a wrong kernel of this very machine may have been reported by an earlier test
        KernelWarnings.setSink(warnings::add);
    }

    @AfterEach
    void restoreWarnings() {
        KernelWarnings.toStandardError();
    }

    @Test
    void aWrongOneDnnKernelIsCaughtAndTheTextTowerRunsPlain() {
        for (LinearKernel asked : new LinearKernel[] {LinearKernel.PACKED, LinearKernel.AUTO}) {
            Compute compute = Compute.CPU.withLinear(asked);
            try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-tiny-a"));
                    ClipTextModel plain = ckpt.loadText(Compute.CPU.withLinear(LinearKernel.PLAIN));
                    KernelFaults.Installed fault = KernelFaults.install(reversedRows(ProductKernel.PACKED));
                    ClipTextModel tower = ckpt.loadText(compute);
                    NDManager m = NDManager.newBaseManager()) {
                assertFalse(tower.kernels().contains("packed"), asked + ": " + tower.kernels());
                assertEquals(4, tower.kernels().split("plain").length - 1, asked + ": " + tower.kernels());
                long[][] ids = Goldens.readIds(m, TEXT, "input_ids");
                ClipOutput got = tower.forward(m, ids, OutputRequest.everything());
                ClipOutput want = plain.forward(m, ids, OutputRequest.everything());
                assertArrayEquals(want.lastHiddenState().toFloatArray(), got.lastHiddenState().toFloatArray(), 0f);
                assertArrayEquals(want.projected().toFloatArray(), got.projected().toFloatArray(), 0f);
                assertClose(Goldens.read(m, TEXT, "last_hidden_state"), got.lastHiddenState(), ATOL, asked + "");
            }
        }
        // one line per kernel and shape, naming the kernel, the shape, the error and the CPU
        assertEquals(4, warnings.size(), warnings.toString()); // qkv, out_proj, fc1 (swish), fc2 of width 32
        String qkv = warnings.stream().filter(w -> w.contains("[96 x 32]")).findFirst().orElseThrow();
        assertTrue(qkv.startsWith("the packed kernel disagrees") && qkv.contains("error")
                && qkv.contains(CpuInfo.current().model()) && qkv.endsWith("that shape runs plain"), qkv);
    }

    @Test
    void aWrongMklKernelIsCaughtAndAutoTakesTheNextThatAgrees() {
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel packed = ckpt.loadVision(Compute.CPU.withLinear(LinearKernel.PACKED));
                KernelFaults.Installed fault = KernelFaults.install(reversedRows(ProductKernel.MKL));
                ClipVisionModel tower = ckpt.loadVision(Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            assertFalse(tower.kernels().contains("mkl"), tower.kernels());
            NDArray px = Goldens.read(m, VISION, "pixel_values");
            ClipOutput got = tower.forward(m, px, OutputRequest.everything());
            assertArrayEquals(packed.forward(m, px, OutputRequest.everything()).projected().toFloatArray(),
                    got.projected().toFloatArray(), 0f);
            assertClose(Goldens.read(m, VISION, "image_embeds"), got.projected(), ATOL, "image_embeds");
        }
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("the mkl kernel disagrees")), warnings.toString());
    }

    @Test
    void wrongBfloat16ProductsFallBackToFloat32() {
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"));
                ClipTextModel plain = ckpt.loadText(Compute.CPU.withLinear(LinearKernel.PLAIN));
                KernelFaults.Installed fault = KernelFaults.install(reversedRows(ProductKernel.BFLOAT16));
                ClipTextModel tower = ckpt.loadText(new Compute(ai.djl.Device.cpu(), Precision.BFLOAT16));
                NDManager m = NDManager.newBaseManager()) {
            assertFalse(tower.kernels().contains("bfloat16"), tower.kernels());
            long[][] ids = Goldens.readIds(m, "clip-text-tiny-b/golden_text_prompts.safetensors", "input_ids");
            assertArrayEquals(plain.forward(m, ids, OutputRequest.everything()).lastHiddenState().toFloatArray(),
                    tower.forward(m, ids, OutputRequest.everything()).lastHiddenState().toFloatArray(), 0f);
        }
    }

    @Test
    void withoutAFaultAShapeRunsTheKernelAskedForExactlyWhereItAgreesHere() {
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-tiny-a"));
                ClipTextModel tower = ckpt.loadText(Compute.CPU.withLinear(LinearKernel.PACKED));
                ClipTextModel bf16 = ckpt.loadText(new Compute(ai.djl.Device.cpu(), Precision.BFLOAT16))) {
            for (ClipTextModel t : new ClipTextModel[] {tower, bf16}) {
                List<KernelVerdict> verdicts = t.kernelReport().verdicts();
                assertEquals(5, verdicts.size(), verdicts.toString()); // four product shapes and the attention
                for (KernelVerdict v : verdicts) {
                    if (v instanceof ProductVerdict p) {
                        String shape = "[" + p.out() + " x " + p.in() + "] ";
                        assertTrue(t.kernels().contains(shape + (p.ok() ? p.kernel().label() : "plain")),
                                v + " vs " + t.kernels());
                    }
                }
            }
            boolean allAgree = tower.kernelReport().verdicts().stream().allMatch(KernelVerdict::ok)
                    && bf16.kernelReport().verdicts().stream().allMatch(KernelVerdict::ok);
            assertEquals(allAgree, warnings.isEmpty(), warnings.toString()); // a warning exactly where one disagrees
        }
    }
}
