package org.opendpm.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.Message.PackageInstall;

/**
 * Installs packages (PKG-2): each gets a fresh folder of its own under the state folder's {@code packages} folder,
 * the server sends its files there, and the installer the package names runs on them: {@code dpkg -i} for
 * {@code .deb} files, {@code rpm -U} for {@code .rpm} files, or the package's own command line, run by the shell in
 * the folder. With a root folder other than {@code /} (tests) dpkg and rpm install into that root instead of the
 * machine's. Output is kept to its last {@value Message#MAX_PACKAGE_OUTPUT} bytes; at the time-out the installer and
 * its children are killed. The folder is removed afterwards, whatever happened.
 */
final class PackageInstaller {

    private static final Logger LOG = Logger.getLogger(PackageInstaller.class.getName());
    static final int KILLED = -1;
    private static final long DRAIN_MILLIS = 2000;

    /** A request the agent refuses before running anything; answered with an error naming why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    record Result(int exitCode, String output, long millis) {
    }

    private final Path packages;
    private final Path root;
    private final Charset charset;

    PackageInstaller(Path stateDir, Path root) {
        this(stateDir, root, Platform.consoleCharset());
    }

    PackageInstaller(Path stateDir, Path root, Charset charset) {
        this.packages = stateDir.resolve("packages");
        this.root = root;
        this.charset = charset;
    }

    /** A new empty folder, readable by this user only, for one package's files. */
    Path stage(String name) throws IOException {
        Files.createDirectories(packages);
        Path folder;
        if (Platform.isWindows()) {
            folder = Files.createTempDirectory(packages, "p-");
        } else {
            folder = Files.createTempDirectory(packages, "p-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        LOG.info("Package " + name + ": files go to " + folder);
        return folder.toAbsolutePath();
    }

    /** Checks the request, runs its installer and removes its folder. */
    Result install(PackageInstall request, Consumer<ProcessHandle> started)
            throws Refused, IOException, InterruptedException {
        Path folder = stagedFolder(request.folder());
        try {
            List<Path> files = new ArrayList<>();
            for (String name : request.files()) {
                files.add(file(folder, name));
            }
            List<String> command = command(request, files);
            return run(command, folder, request.timeoutSeconds(), started);
        } finally {
            deleteTree(folder);
        }
    }

    private Path stagedFolder(String text) throws Refused {
        Path folder;
        try {
            folder = Path.of(text);
        } catch (RuntimeException e) {
            throw new Refused("folder '" + text + "' is not a valid path");
        }
        try {
            Path real = folder.toRealPath(LinkOption.NOFOLLOW_LINKS);
            if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)
                    || !packages.toRealPath().equals(real.getParent())) {
                throw new Refused("folder " + text + " is not a package folder this agent staged");
            }
            return real;
        } catch (IOException e) {
            throw new Refused("folder " + text + " is not a package folder this agent staged: " + e.getMessage());
        }
    }

    private static Path file(Path folder, String name) throws Refused {
        if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            throw new Refused("file name '" + name + "' is not a plain file name");
        }
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused("file " + name + " was not sent before the install");
        }
        return file;
    }

    private List<String> command(PackageInstall request, List<Path> files) throws Refused {
        boolean ownRoot = !root.equals(root.getRoot());
        List<String> command = new ArrayList<>();
        switch (request.installer()) {
        case PackageInstall.DEB:
            requireSuffix(files, ".deb");
            command.add(onPath("dpkg", ".deb"));
            if (ownRoot) {
                // A throw-away root (tests): its own database, and no superuser rights needed for it.
                command.add("--root=" + root);
                command.add("--force-not-root");
            }
            command.add("-i");
            break;
        case PackageInstall.RPM:
            requireSuffix(files, ".rpm");
            command.add(onPath("rpm", ".rpm"));
            if (ownRoot) {
                command.add("--root");
                command.add(root.toString());
            }
            command.add("-U");
            break;
        case PackageInstall.SCRIPT:
            return Platform.shell(request.command().orElseThrow());
        default:
            throw new Refused("unknown installer " + request.installer());
        }
        for (Path f : files) {
            command.add(f.toString());
        }
        return command;
    }

    private static void requireSuffix(List<Path> files, String suffix) throws Refused {
        for (Path f : files) {
            if (!f.getFileName().toString().endsWith(suffix)) {
                throw new Refused("file " + f.getFileName() + " is not a " + suffix + " file");
            }
        }
    }

    /** The program's path, or a refusal saying the machine lacks it. */
    private static String onPath(String program, String what) throws Refused {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                    return Path.of(dir, program).toString();
                }
            }
        }
        throw new Refused(program + " is not installed on this machine (not found on PATH): it cannot install "
                + what + " packages");
    }

    private Result run(List<String> command, Path folder, long timeoutSeconds, Consumer<ProcessHandle> started)
            throws IOException, InterruptedException {
        long begin = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectInput(Platform.nullDevice()).start();
        started.accept(process.toHandle());
        CommandRunner.TailBuffer tail = new CommandRunner.TailBuffer(Message.MAX_PACKAGE_OUTPUT);
        InputStream out = process.getInputStream();
        Thread reader = new Thread(null, () -> tail.drain(out), "package-output-" + process.pid(), 64 * 1024);
        reader.setDaemon(true);
        reader.start();
        int exitCode;
        if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            exitCode = process.exitValue();
        } else {
            LOG.info("Installer " + command.get(0) + " still running after " + timeoutSeconds
                    + " s; killing process " + process.pid() + " and its children");
            CommandRunner.killTree(process.toHandle());
            process.waitFor(5, TimeUnit.SECONDS);
            exitCode = KILLED;
        }
        reader.join(DRAIN_MILLIS);
        if (reader.isAlive()) {
            out.close(); // a child left behind holds the pipe; answer with what came
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        return new Result(exitCode, decode(tail.snapshot()), millis);
    }

    /** At most {@value Message#MAX_PACKAGE_OUTPUT} characters, as the bytes were at most that many. */
    private String decode(byte[] bytes) {
        int start = 0;
        if (charset.equals(StandardCharsets.UTF_8)) {
            while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) == 0x80) {
                start++; // the cut split a character
            }
        }
        return new String(bytes, start, bytes.length - start, charset);
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warning("Cannot remove package folder " + folder + ": " + e.getMessage());
        }
    }
}
