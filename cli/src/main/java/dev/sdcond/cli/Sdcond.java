package dev.sdcond.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sdcond} command line. */
@Command(name = "sdcond", mixinStandardHelpOptions = true, version = "sdcond " + dev.sdcond.models.safetensors.Provenance.VERSION,
        description = "CLIP conditioning tensors for Stable Diffusion pipelines: prompt and image embeddings, exact.",
        subcommands = {EncodeTextCommand.class, EncodeImageCommand.class, TokenizeCommand.class, InspectCommand.class,
            CompareCommand.class, BenchCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 compare mismatch, 2 bad option, input file or output name,",
            "3 an output cannot be written, 4 model/encoder mismatch, 70 a bug in sdcond."})
public final class Sdcond implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with sdcond's exit codes and error messages. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Sdcond());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false); // a prompt (or any value) starting with '@' is literal text, never a file to read
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("sdcond: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable e = ex;
            if (e instanceof CommandLine.ExecutionException && e.getCause() != null) {
                e = e.getCause();
            }
            int code = ExitCodes.of(e);
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof dev.sdcond.models.io.OutputTargets.ExistsException) {
                msg += " (use --force to overwrite)";
            } else if (e instanceof java.nio.file.NoSuchFileException f) {
                msg = f.getFile() + ": no such file";
            }
            commandLine.getErr().println("sdcond: " + msg);
            if (code == ExitCodes.INTERNAL) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return code;
        });
        return cl;
    }

    /** Runs in-process and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }
}
