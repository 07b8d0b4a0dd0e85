package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sysfs tree and a device folder in a temp folder, whose devices are image files. */
final class FakeSysfs {

    final Path sys;
    final Path dev;

    FakeSysfs(Path root) throws IOException {
        sys = Files.createDirectories(root.resolve("sys"));
        dev = Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(sys.resolve("block"));
    }

    /** A disk whose sysfs size is the image's size. */
    FakeSysfs disk(String name, Path image, String model) throws IOException {
        return disk(name, image, Files.size(image), model, false);
    }

    /** A disk with the size sysfs reports given separately (a truncated device reports its full size). */
    FakeSysfs disk(String name, Path image, long sizeBytes, String model, boolean removable) throws IOException {
        Path dir = Files.createDirectories(sys.resolve("block").resolve(name));
        Files.writeString(dir.resolve("size"), sizeBytes / 512 + "\n");
        Files.writeString(dir.resolve("removable"), (removable ? "1" : "0") + "\n");
        Files.createDirectories(dir.resolve("queue"));
        Files.writeString(dir.resolve("queue").resolve("logical_block_size"), "512\n");
        if (model != null) {
            Files.createDirectories(dir.resolve("device"));
            Files.writeString(dir.resolve("device").resolve("model"), model + "   \n");
        }
        Files.createSymbolicLink(dev.resolve(name), image.toAbsolutePath());
        return this;
    }

    LinuxDiskScanner scanner() {
        return new LinuxDiskScanner(sys.getParent().resolve("sys"), dev);
    }
}
