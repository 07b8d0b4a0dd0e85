package org.opendpm.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.opendpm.agent.protocol.Message;

/**
 * The disks image and disk-area requests name by number: the {@link DiskScanner}'s numbering (the one
 * {@code diskInventory} reports, IMG-4) with {@code /dev/<device>} in a Deploy-OS, or the files given with
 * {@code --test-disk} as disks 1, 2, …. Any other agent refuses these requests: writing a disk of a running system
 * would destroy it.
 */
final class ImageDisks {

    /** Test disks have 512-byte sectors. */
    static final int TEST_SECTOR_SIZE = 512;
    private static final int DEFAULT_SECTOR_SIZE = 512;

    /** A request the agent refuses before touching any disk. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** A disk resolved from its number. */
    record Disk(int number, Path path, long sizeBytes, int sectorSize) {
        Message.DiskGeometry geometry() {
            return new Message.DiskGeometry(number, sizeBytes, sectorSize);
        }
    }

    private final List<Path> testDisks;
    private final boolean deployOs;
    private final DiskScanner scanner;
    private final Path sysBlock;

    ImageDisks(AgentConfig config, DiskScanner scanner) {
        this(config.testDisks(), config.deployOsToken() != null, scanner, Path.of("/sys/block"));
    }

    ImageDisks(List<Path> testDisks, boolean deployOs, DiskScanner scanner, Path sysBlock) {
        this.testDisks = List.copyOf(testDisks);
        this.deployOs = deployOs;
        this.scanner = scanner;
        this.sysBlock = sysBlock;
    }

    /** Refuses unless this agent runs in a Deploy-OS or has test disks. */
    void checkServed(String requestType) throws Refused {
        if (!deployOs && testDisks.isEmpty()) {
            throw new Refused(requestType + " is served only by an agent in a Deploy-OS (--deploy-os) or with "
                    + "--test-disk");
        }
    }

    Disk resolve(int number) throws Refused, IOException {
        if (!testDisks.isEmpty()) {
            if (number < 1 || number > testDisks.size()) {
                throw new Refused("there is no disk " + number + " (this agent has " + testDisks.size()
                        + " test disks)");
            }
            Path file = testDisks.get(number - 1);
            return new Disk(number, file, Files.size(file), TEST_SECTOR_SIZE);
        }
        List<Message.Disks.Disk> disks = scanner.scan();
        for (Message.Disks.Disk d : disks) {
            if (d.number() == number) {
                if (d.sizeBytes() <= 0) {
                    throw new Refused("disk " + number + " (" + d.device() + ") has no size: " + d.problem());
                }
                return new Disk(number, Path.of("/dev", d.device()), d.sizeBytes(), sectorSize(d.device()));
            }
        }
        throw new Refused("there is no disk " + number + " (the machine has " + disks.size() + " disks)");
    }

    private int sectorSize(String device) {
        try {
            String text = Files.readString(sysBlock.resolve(device).resolve("queue/logical_block_size"),
                    StandardCharsets.US_ASCII).trim();
            int size = Integer.parseInt(text);
            return size >= 512 && Integer.bitCount(size) == 1 ? size : DEFAULT_SECTOR_SIZE;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_SECTOR_SIZE;
        }
    }

    /** Checks that {@code [offset, offset + length)} lies inside the disk. */
    static void checkRange(Disk disk, long offset, long length) throws Refused {
        if (offset < 0 || length < 0 || offset > disk.sizeBytes() || length > disk.sizeBytes() - offset) {
            throw new Refused("bytes " + offset + " to " + (offset + length) + " are outside disk " + disk.number()
                    + " (" + disk.sizeBytes() + " bytes)");
        }
    }

    /** {@code readDiskArea}: exactly {@code length} bytes of the disk. */
    byte[] readArea(int number, long offset, int length) throws Refused, IOException {
        Disk disk = resolve(number);
        checkRange(disk, offset, length);
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(disk.path(), StandardOpenOption.READ)) {
            readFully(ch, b, offset, disk);
        }
        return b.array();
    }

    /** {@code writeDiskArea}: writes the bytes and flushes them to the disk. */
    void writeArea(int number, long offset, byte[] data) throws Refused, IOException {
        Disk disk = resolve(number);
        checkRange(disk, offset, data.length);
        try (FileChannel ch = FileChannel.open(disk.path(), StandardOpenOption.WRITE)) {
            writeFully(ch, ByteBuffer.wrap(data), offset);
            ch.force(true);
        }
    }

    /** Reads {@code b}'s remaining bytes from {@code position}; a disk that ends early is an error. */
    static void readFully(FileChannel ch, ByteBuffer b, long position, Disk disk) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new IOException("disk " + disk.number() + " (" + disk.path() + ") ends at byte " + p
                        + ", before its size " + disk.sizeBytes());
            }
            p += n;
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }
}
