package org.opendpm.api.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One package to install on a machine (PKG-2): its files, sent first into a folder the agent makes for it, and how
 * the agent installs them. Since 1.4.
 *
 * @param name the package's name, for logs on both sides
 * @param installer which installer the agent runs
 * @param files the package's files on the server, in the order the installer takes them (1 to {@value #MAX_FILES})
 * @param command for {@link Installer#SCRIPT} the command line the agent's shell runs in the folder; empty otherwise
 * @param timeout how long the installer may run before the agent kills it (1 s to a day)
 */
public record PackageInstallRequest(String name, Installer installer, List<Path> files, Optional<String> command,
        Duration timeout) {

    /** The most files of one package. */
    public static final int MAX_FILES = 64;

    /** How the agent installs the files. */
    public enum Installer {
        /** {@code dpkg -i} of the {@code .deb} files. */
        DEB,
        /** {@code rpm -U} of the {@code .rpm} files. */
        RPM,
        /** The package's command line, run by the shell in the folder with the files. */
        SCRIPT
    }

    public PackageInstallRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(installer, "installer");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        files = List.copyOf(files);
        if (files.isEmpty() || files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a package has 1 to " + MAX_FILES + " files, not " + files.size());
        }
        if ((installer == Installer.SCRIPT) != command.isPresent()) {
            throw new IllegalArgumentException("a command line is given exactly for the script installer");
        }
        if (timeout.toSeconds() < 1 || timeout.toSeconds() > 86_400) {
            throw new IllegalArgumentException("the time-out must be 1 s to a day, not " + timeout);
        }
    }
}
