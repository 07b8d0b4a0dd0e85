package org.opendpm.shell.internal;

import static org.opendpm.shell.internal.MachineDisksCommand.size;

import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.images.ImageDescription;
import org.opendpm.api.images.ImageEntry;
import org.opendpm.api.images.ImageService;
import org.opendpm.api.images.VerificationReport;

/** dpm:image-*: the images of the image folder, described, deleted and verified (IMG-1, IMG-2). */
public final class ImageCommands {

    private ImageCommands() {
    }

    /** One line per image: its size, time and source, or why it is not a readable complete image. */
    static String list(List<ImageEntry> images) {
        if (images.isEmpty()) {
            return "The image folder has no images\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-24s %10s  %-20s  %-20s %s%n", "Name",
                "Size", "Modified", "Created", "Source / problem"));
        for (ImageEntry e : images) {
            String created = e.summary().map(s -> ExecutionCommands.time(s.created())).orElse("");
            String what = e.summary()
                    .map(s -> (s.sourceMachine().isEmpty() ? "-" : s.sourceMachine()) + ", " + size(s.sourceBytes())
                            + " of disk, Deploy-OS " + (s.deployOsId().isEmpty() ? "-" : s.deployOsId()))
                    .orElseGet(() -> "NOT AN IMAGE: " + e.problem().orElse(""));
            sb.append(String.format(Locale.ROOT, "%-24s %10s  %-20s  %-20s %s%n", e.name(), size(e.size()),
                    ExecutionCommands.time(e.modified()), created, what));
        }
        return sb.toString();
    }

    /** Every header field, then the disks with their partitions and the extents. */
    static String describe(ImageDescription d) {
        StringBuilder sb = new StringBuilder();
        line(sb, "Image", d.name());
        line(sb, "File", d.size() + " bytes (" + size(d.size()) + "), modified " + ExecutionCommands.time(
                d.modified()));
        line(sb, "Format", d.formatVersion());
        line(sb, "UUID", d.imageId().toString());
        line(sb, "Created", d.created().toString());
        line(sb, "Chunk size", d.chunkSize() + " bytes");
        line(sb, "Deploy-OS", d.deployOsId());
        line(sb, "Model", d.machineModel());
        line(sb, "Source", d.source().name() + "  MAC " + d.source().mac() + "  UUID " + d.source().uuid());
        line(sb, "Chunks", d.chunks() + " (" + d.holes() + " holes), " + d.storedBytes() + " bytes stored");
        for (ImageDescription.Disk disk : d.disks()) {
            sb.append(String.format(Locale.ROOT, "Disk %d: %d bytes (%s), sector %d, partition table %d bytes%n",
                    disk.number(), disk.sizeBytes(), size(disk.sizeBytes()), disk.sectorSize(),
                    disk.partitionTableBytes()));
            for (ImageDescription.Partition p : disk.partitions()) {
                sb.append(String.format(Locale.ROOT, "  Partition %d: offset %d, %d bytes (%s), type %s%n",
                        p.number(), p.offset(), p.length(), size(p.length()), p.type()));
            }
        }
        for (ImageDescription.Extent e : d.extents()) {
            sb.append(String.format(Locale.ROOT, "Extent: disk %d, offset %d, %d bytes (%s)%n", e.disk(), e.offset(),
                    e.length(), size(e.length())));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-11s %s%n", label + ":", value));
    }

    /** Each bad chunk on a line of its own, then the verdict. */
    static String verification(VerificationReport r) {
        if (r.unreadable().isPresent()) {
            return r.name() + ": UNREADABLE: " + r.unreadable().get() + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (VerificationReport.BadChunk b : r.badChunks()) {
            sb.append("BAD chunk ").append(b.number()).append(" (disk ").append(b.disk()).append(", disk offset ")
                    .append(b.diskOffset()).append("): ").append(b.reason()).append('\n');
        }
        return sb.append(r.name()).append(": ").append(r.chunks()).append(" chunks (").append(r.holes())
                .append(" holes), ").append(r.storedBytes()).append(" stored bytes checked: ")
                .append(r.ok() ? "OK" : r.badChunks().size() + " bad chunks").append('\n').toString();
    }

    @Service
    @Command(scope = "dpm", name = "image-list", description = "Lists the images of the image folder with their"
            + " source, or why a file is not a readable complete image")
    public static class ImageList implements Action {
        @Reference
        ImageService images;

        @Override
        public Object execute() {
            try {
                System.out.print(list(images.list()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "image-describe", description = "Shows every header field of an image: source"
            + " machine, Deploy-OS, model, disks, partitions, extents, chunk counts")
    public static class ImageDescribe implements Action {
        @Reference
        ImageService images;

        @Argument(index = 0, name = "name", required = true, description = "image name")
        @Completion(ImageNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                System.out.print(describe(images.describe(name)));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "image-delete", description = "Deletes an image; refused while a restore or a"
            + " verification reads it")
    public static class ImageDelete implements Action {
        @Reference
        ImageService images;

        @Argument(index = 0, name = "name", required = true, description = "image name")
        @Completion(ImageNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                images.delete(name);
                System.out.println("Image " + name + " deleted");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "image-verify", description = "Checks every chunk of an image without restoring"
            + " it, naming each bad chunk with its disk and disk offset")
    public static class ImageVerify implements Action {
        @Reference
        ImageService images;

        @Argument(index = 0, name = "name", required = true, description = "image name")
        @Completion(ImageNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                System.out.print(verification(images.verify(name)));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes the names of the images in the image folder. */
    @Service
    public static class ImageNameCompleter implements Completer {
        @Reference
        ImageService images;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> images.list().stream().map(ImageEntry::name).toList(), session, commandLine,
                    candidates);
        }
    }
}
