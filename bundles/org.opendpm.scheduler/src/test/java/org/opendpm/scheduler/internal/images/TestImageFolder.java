package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageHeader.Disk;
import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.ImageHeader.Partition;
import org.opendpm.image.ImageHeader.SourceMachine;
import org.opendpm.image.ImageWriter;
import org.opendpm.image.StoredChunkWriter;

/** An image folder in a temporary folder, and real images written into it with the image module's writer. */
final class TestImageFolder {
    static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;
    static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    static final UUID ID = UUID.fromString("2f1c6a52-8d1e-4c35-9a57-0b9f5c1e7d11");

    private TestImageFolder() {
    }

    static ImageFolder at(Path root) {
        return new ImageFolder(new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return new ServerSettings(false, root.toString(), false, 5, 10, 120, "opendpm-amd64");
            }

            @Override
            public ServerSettings update(ServerSettings settings) {
                throw new UnsupportedOperationException();
            }
        });
    }

    /**
     * A partition image of disk 1 (8 chunks, partition 1 at chunk 2, 4 chunks long): its chunks 0 and 1 are random
     * bytes, chunk 2 is zeros (a hole), chunk 3 random. So chunk 1 belongs at disk offset 3 chunks.
     */
    static ImageHeader header() {
        Disk disk = new Disk(1, 8L * CHUNK, 512, new byte[1024],
                List.of(new Partition(1, 2L * CHUNK, 4L * CHUNK, "0fc63daf-8483-4772-8e79-3d69d8477de4")));
        return new ImageHeader(ID, CHUNK, CREATED, "opendpm-amd64", "QEMU Standard PC",
                new SourceMachine("pc1", "52:54:00:12:34:56", "6e7f0a1b-0000-4000-8000-000000000001"), List.of(disk),
                List.of(new Extent(1, 2L * CHUNK, 4L * CHUNK)));
    }

    static void write(Path image) throws IOException {
        byte[] source = new byte[4 * CHUNK];
        Random r = new Random(11);
        byte[] chunk = new byte[CHUNK];
        for (int n : new int[]{ 0, 1, 3 }) {
            r.nextBytes(chunk);
            System.arraycopy(chunk, 0, source, n * CHUNK, CHUNK);
        }
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header(), ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
    }

    /** The source of {@link #write}: chunks 0, 1 and 3 random, chunk 2 zeros. */
    static byte[] source() {
        byte[] source = new byte[4 * CHUNK];
        Random r = new Random(11);
        byte[] chunk = new byte[CHUNK];
        for (int n : new int[]{ 0, 1, 3 }) {
            r.nextBytes(chunk);
            System.arraycopy(chunk, 0, source, n * CHUNK, CHUNK);
        }
        return source;
    }

    /** Writes {@code source} as a manifest through the folder, as a backup does: chunks compressed elsewhere. */
    static void writeManifest(ImageFolder folder, String name, byte[] source) throws IOException {
        ImageHeader header = header();
        try (ImageFolder.PendingImage image = folder.createImage(name, 16L * CHUNK, true)) {
            StoredChunkWriter w = image.writer(header);
            ByteBuffer src = ByteBuffer.allocateDirect(CHUNK);
            ByteBuffer dst = ByteBuffer.allocateDirect(Chunks.maxStored(CHUNK));
            for (ImageHeader.ChunkLocation l : header.chunkLocations()) {
                int at = (int) (l.diskOffset() - header.extents().get(0).offset());
                src.clear().put(source, at, l.length());
                Chunks.Encoded e = Chunks.encode(src, l.length(), dst, 1);
                w.append(new ChunkEntry(l.number(), l.diskNumber(), l.diskOffset(), l.length(), 0, e.storedLength(),
                        e.crc32c(), e.sha256()), e.storedLength() == 0 ? null : dst.clear().limit(e.storedLength()));
            }
            w.finish();
            image.commit();
        }
    }
}
