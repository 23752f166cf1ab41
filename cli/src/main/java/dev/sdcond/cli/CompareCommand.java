package dev.sdcond.cli;

import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.testing.TensorDiff;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare two safetensors files tensor by tensor; exit 1 on a mismatch or a missing key.",
        footer = {"", "Examples:", "  sdcond compare out.safetensors golden.safetensors --atol 1e-4",
            "  sdcond compare a.safetensors b.safetensors --key hidden_states --key pooled --rtol 1e-3"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "the file to check")
    Path actual;

    @Parameters(index = "1", description = "the reference (golden) file")
    Path expected;

    @Option(names = {"-k", "--key"}, description = "compare only these keys (default: every key of both files)")
    List<String> keys;

    @Option(names = "--atol", defaultValue = "1e-4", description = "absolute tolerance (default: ${DEFAULT-VALUE})")
    double atol;

    @Option(names = "--rtol", defaultValue = "0", description = "relative tolerance, as numpy.allclose (default: ${DEFAULT-VALUE})")
    double rtol;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        boolean ok = true;
        try (SafetensorsFile a = SafetensorsFile.open(actual); SafetensorsFile e = SafetensorsFile.open(expected)) {
            Set<String> names = new LinkedHashSet<>();
            if (keys != null) {
                names.addAll(keys);
            } else {
                names.addAll(e.names());
                names.addAll(a.names());
            }
            List<String> lines = new ArrayList<>();
            for (String k : names) {
                if (a.info(k).isEmpty() || e.info(k).isEmpty()) {
                    lines.add(String.format("%-32s MISSING in %s", k, a.info(k).isEmpty() ? actual : expected));
                    ok = false;
                    continue;
                }
                TensorInfo ia = a.info(k).get();
                TensorInfo ie = e.info(k).get();
                TensorDiff d = java.util.Arrays.equals(ia.shape(), ie.shape())
                        ? TensorDiff.of(k, ie.shape(), e.readFloats(k), ia.shape(), a.readFloats(k), atol, rtol)
                        : TensorDiff.of(k, ie.shape(), new float[0], ia.shape(), new float[0], atol, rtol);
                String dtypes = ia.dtype() == ie.dtype() ? ia.dtype().name() : ia.dtype() + " vs " + ie.dtype();
                lines.add(d.describe() + "  " + dtypes);
                ok &= d.ok();
            }
            lines.forEach(out::println);
            out.println(ok ? "match (atol " + atol + ", rtol " + rtol + ")" : "MISMATCH (atol " + atol + ", rtol " + rtol + ")");
        }
        return ok ? ExitCodes.OK : ExitCodes.MISMATCH;
    }
}
