package dev.sdcond.models.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary outputs left behind by a writer that was killed. A temporary is named {@code .NAME.<pid>.<n>.partial}
 * (a file, or an npy folder) after its output and the process writing it; one whose process is gone is stale. The
 * first write into a folder removes the stale temporaries there, once per folder and process; a live writer's are
 * never touched, and a folder is removed only if it holds nothing but {@code .npy} files and {@code metadata.json}.
 * Names of earlier versions ({@code .NAME.<n>.partial} with a random n, npy folders {@code .NAME.<n>}) are recognised
 * too: n is taken for the pid, which a random number is not.
 */
final class StaleTemps {
    static final String TEMP_SUFFIX = ".partial";

    /** {@code .NAME.<pid>.<n>.partial}. */
    private static final Pattern CURRENT = Pattern.compile("\\..+\\.(\\d+)\\.\\d+\\.partial");
    /** Files of earlier versions: {@code .NAME.<n>.partial}. */
    private static final Pattern OLD_FILE = Pattern.compile("\\..+\\.(\\d+)\\.partial");
    /** npy folders of earlier versions: {@code .NAME.<n>}. */
    private static final Pattern OLD_DIR = Pattern.compile("\\..+\\.\\d+");

    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();

    private StaleTemps() {}

    /** The prefix of this process's temporaries for {@code target}. */
    static String tempPrefix(Path target) {
        return "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".";
    }

    /** Removes the stale temporaries in the folder of {@code target}, once per folder and process. */
    static void clean(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !CLEANED.add(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*")) {
            for (Path p : s) {
                if (isStale(p.getFileName().toString(), Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    remove(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // cleaning is best effort: it never stops a write
        }
    }

    static boolean isStale(String name, boolean folder) {
        Matcher m = CURRENT.matcher(name);
        if (m.matches()) {
            return !alive(m.group(1));
        }
        if (folder) {
            return OLD_DIR.matcher(name).matches();
        }
        Matcher old = OLD_FILE.matcher(name);
        return old.matches() && !alive(old.group(1));
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void remove(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p);
        } else if (OutputTargets.holdsNpyFilesOnly(p)) {
            deleteTree(p);
        }
    }

    /** Deletes a folder of plain files (an npy output or temporary). */
    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
