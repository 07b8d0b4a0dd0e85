package org.opendpm.spi;

import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine's agent, for one step. A request made while the machine has no connected agent waits for it: a
 * machine that is off is powered on first and its agent must connect within the Remote Power ON Timeout (SCH-4).
 * When the step is stopped the core cancels every request it made, and the agent stops the command or transfer.
 */
@ProviderType
public interface AgentHandle {

    /** Which agent of the machine a wait accepts. */
    enum Kind {
        /** The agent of either OS. */
        ANY,
        /** The agent in the Deploy-OS. */
        DEPLOY_OS,
        /** The agent of the installed OS. */
        INSTALLED_OS
    }

    /** Whether an agent of that kind is connected now. */
    boolean isConnected(Kind kind);

    /**
     * Completes when an agent of that kind is connected. With {@code afterPowerOn} only a connection made after this
     * call counts, within the Remote Power ON Timeout, and missing it is a Remote Power ON Error (SCH-4); call it
     * before the power-on or reboot it waits for. Without, a connected agent counts and the wait lasts until the
     * execution's time-out.
     */
    CompletionStage<Void> awaitConnection(Kind kind, boolean afterPowerOn);

    /** Runs a command line; completes with its exit code and output (the last 64 KiB). */
    CompletionStage<CommandResult> run(String commandLine, Duration timeout);

    /** Sends a file of the server's file folder into a folder on the machine (FIL-1). */
    CompletionStage<Void> send(String serverFile, String targetFolder, String permissions);

    /**
     * Receives a stream from the agent (a disk read for a backup) into the sink, with back-pressure: the agent
     * sends no faster than the sink takes.
     *
     * @param source what the agent reads ({@code file} with the parameter {@code path})
     * @return the bytes received and their SHA-256 as the agent computed it, checked by the core
     */
    CompletionStage<StreamResult> receive(String source, Map<String, String> parameters, WritableByteChannel sink);

    /** Asks the agent to reboot the machine; completes once it acknowledged. */
    CompletionStage<Void> reboot();

    /**
     * What a command did.
     *
     * @param exitCode its exit code, -1 when it was killed at its time-out
     * @param output the end of what it wrote
     */
    record CommandResult(int exitCode, String output) {
    }

    /**
     * What a stream carried.
     *
     * @param bytes how many bytes
     * @param sha256 their SHA-256, hex
     */
    record StreamResult(long bytes, String sha256) {
    }

    /**
     * Backs up disk ranges of the machine, which must run its Deploy-OS, into a new image of the image store (IMG-1):
     * the agent reads and compresses on the machine, the core writes the image aside and puts it in place under its
     * name only once complete (an existing image of that name stays intact until then), reports progress in bytes
     * (IMG-6), resumes from the last chunk taken when the link is lost for a short while, and records the machine,
     * its model and Deploy-OS in the header (IMG-5).
     */
    CompletionStage<ImageResult> backup(Backup backup);

    /**
     * Restores an image of the image store onto the machine's disks, the machine running its Deploy-OS: every chunk
     * is checked before it is written and the restore stops at the first bad one (IMG-2); progress in bytes (IMG-6);
     * resumes after the last confirmed chunk when the link is lost for a short while. An image taken with another
     * Deploy-OS or machine model is restored with a warning (IMG-5) in the log and in {@link ImageResult#warnings}.
     * The image cannot be deleted while the restore runs.
     */
    CompletionStage<ImageResult> restore(Restore restore);

    /**
     * Restores an image as {@link #restore(Restore)} does, but by multicast with the other machines restoring the
     * same image for the same scenario (IMG-3): once the machine's disks are checked it waits, ready, in a forming
     * session, which starts when its ready machines reach {@link Multicast#maximumTargets}, when
     * {@link Multicast#maximumWaiting} has passed since the first became ready, or when an administrator starts it
     * (Execute Now); machines beyond Maximum Targets wait in standby for the next session. Progress in bytes as for
     * {@link #restore(Restore)}. Fails when the server runs without its DHCP server (NET-4), and when the machine is
     * dropped from the session for staying behind, with the reason. Since 2.2.
     */
    CompletionStage<ImageResult> restore(Restore restore, Multicast multicast);

    /**
     * Installs a package through the machine's agent (PKG-2): the agent makes a folder for it, the files are sent
     * there (size and SHA-256 checked, as {@link #send} does), and the agent runs the installer and removes the folder.
     * Completes with what the installer did, whatever its exit code (the executor decides what an exit code means);
     * exceptionally when the agent refuses the package (a file of the wrong kind, {@code rpm} missing) or is lost. A
     * machine without a connected agent is powered on first, as for {@link #run}. Since 2.3.
     */
    CompletionStage<PackageOutcome> install(PackageInstall install);

    /**
     * One package to install.
     *
     * @param name the package's name, for logs
     * @param installer which installer the agent runs
     * @param files the package's files on the server, in the order the installer takes them (1 to 64)
     * @param command for {@link Installer#SCRIPT} the command line the agent's shell runs in the package's folder;
     *            empty otherwise
     * @param timeout how long the installer may run before the agent kills it (1 s to a day)
     */
    record PackageInstall(String name, Installer installer, List<Path> files, Optional<String> command,
            Duration timeout) {
        public PackageInstall {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(installer, "installer");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(timeout, "timeout");
            files = List.copyOf(files);
            if (files.isEmpty() || files.size() > 64) {
                throw new IllegalArgumentException("a package has 1 to 64 files, not " + files.size());
            }
            if ((installer == Installer.SCRIPT) != command.isPresent()) {
                throw new IllegalArgumentException("a command line is given exactly for the script installer");
            }
            if (timeout.toSeconds() < 1 || timeout.toSeconds() > 86_400) {
                throw new IllegalArgumentException("the time-out must be 1 s to a day, not " + timeout);
            }
        }
    }

    /** How the agent installs a package's files. Since 2.3. */
    enum Installer {
        /** {@code dpkg -i} of the {@code .deb} files. */
        DEB,
        /** {@code rpm -U} of the {@code .rpm} files. */
        RPM,
        /** The package's command line, run by the shell in the folder with its files. */
        SCRIPT
    }

    /**
     * What a package's installer did.
     *
     * @param exitCode its exit code, -1 when the agent killed it at its time-out
     * @param output the end of what it wrote, at most 4096 characters
     * @param elapsed how long it ran
     */
    record PackageOutcome(int exitCode, String output, Duration elapsed) {
    }

    /**
     * A backup.
     *
     * @param imageName a plain file name in the image store
     * @param disk the disk's number as the disk check reports it (IMG-4)
     * @param partitions the partitions' numbers on that disk, in the order they are imaged; empty for the whole disk
     * @param verify whether the image is read back and every chunk checked before it is put in place
     *            ("Create Verification Data")
     */
    record Backup(String imageName, int disk, List<Integer> partitions, boolean verify) {
        public Backup {
            Objects.requireNonNull(imageName, "imageName");
            partitions = List.copyOf(partitions);
        }
    }

    /**
     * A restore.
     *
     * @param imageName a plain file name in the image store
     * @param disk the machine's disk to restore onto, as the disk check numbers it; 0 for the disk the image was
     *            taken from (by number)
     * @param compare whether the agent reads back what it wrote and compares it with the image
     */
    record Restore(String imageName, int disk, boolean compare) {
        public Restore {
            Objects.requireNonNull(imageName, "imageName");
        }
    }

    /**
     * The multicast condition of a restore ("Multicast Condition Setting" of the Backup/Restore tab). With neither
     * limit only Execute Now starts a session. Since 2.2.
     *
     * @param maximumTargets a session starts when this many machines are ready (1 to {@value #MAX_TARGETS})
     * @param maximumWaiting a session starts when this long has passed since its first machine became ready
     *            (1 minute to {@value #MAX_WAITING_MINUTES} minutes in the tab; any positive time here)
     */
    record Multicast(OptionalInt maximumTargets, Optional<Duration> maximumWaiting) {

        /** The most machines one session takes. */
        public static final int MAX_TARGETS = 1000;
        /** The longest Maximum Waiting Time, in minutes (a day). */
        public static final int MAX_WAITING_MINUTES = 1440;

        public Multicast {
            Objects.requireNonNull(maximumTargets, "maximumTargets");
            Objects.requireNonNull(maximumWaiting, "maximumWaiting");
            if (maximumTargets.isPresent()
                    && (maximumTargets.getAsInt() < 1 || maximumTargets.getAsInt() > MAX_TARGETS)) {
                throw new IllegalArgumentException("Maximum Targets must be 1 to " + MAX_TARGETS + ", not "
                        + maximumTargets.getAsInt());
            }
            if (maximumWaiting.isPresent() && (maximumWaiting.get().isNegative() || maximumWaiting.get().isZero())) {
                throw new IllegalArgumentException("Maximum Waiting Time must be positive, not "
                        + maximumWaiting.get());
            }
        }
    }

    /**
     * What a backup or restore did.
     *
     * @param diskBytes disk bytes the image covers
     * @param imageBytes the image file's size
     * @param chunks its chunks
     * @param elapsed how long it took
     * @param warnings what the administrator should know (IMG-5), each also in the execution's log
     */
    record ImageResult(long diskBytes, long imageBytes, long chunks, Duration elapsed, List<String> warnings) {
        public ImageResult {
            warnings = List.copyOf(warnings);
        }
    }
}
