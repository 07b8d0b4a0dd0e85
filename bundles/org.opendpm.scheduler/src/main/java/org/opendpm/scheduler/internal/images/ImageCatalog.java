package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.images.ImageDescription;
import org.opendpm.api.images.ImageEntry;
import org.opendpm.api.images.ImageService;
import org.opendpm.api.images.ImageSummary;
import org.opendpm.api.images.VerificationReport;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageFormatException;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ProgressListener;
import org.opendpm.image.Verifier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administration of the image folder (IMG-1, IMG-2): lists and describes images through the image module's strict
 * reader, deletes through {@link ImageFolder} (which refuses images in use) and verifies every chunk.
 */
@Component(service = ImageService.class)
public class ImageCatalog implements ImageService {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCatalog.class);
    /** Verification runs beside executions: two threads, as the image module's default. */
    private static final int VERIFY_THREADS = 2;

    private final ImageFolder folder;

    @Activate
    public ImageCatalog(@Reference ImageFolder folder) {
        this.folder = folder;
    }

    @Override
    public List<ImageEntry> list() {
        try {
            List<Path> files;
            try (Stream<Path> s = Files.list(folder.root())) {
                // A leading dot is never an image name: this leaves out the temporary files of images being written.
                files = s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            }
            List<ImageEntry> out = new ArrayList<>(files.size());
            for (Path p : files) {
                try {
                    out.add(entry(p));
                } catch (NoSuchFileException gone) {
                    // deleted or replaced between the listing and now: not an image any more
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the image folder: " + e.getMessage(), e);
        }
    }

    private static ImageEntry entry(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String name = p.getFileName().toString();
        try (ImageReader r = ImageReader.open(p)) {
            ImageHeader h = r.header();
            return new ImageEntry(name, a.size(), a.lastModifiedTime().toInstant(),
                    Optional.of(new ImageSummary(h.imageId(), h.created(), h.deployOsId(), h.machineModel(),
                            h.source().name(), h.totalBytes(), r.chunkCount())),
                    Optional.empty());
        } catch (ImageFormatException e) {
            return new ImageEntry(name, a.size(), a.lastModifiedTime().toInstant(), Optional.empty(),
                    Optional.of(e.getMessage()));
        }
    }

    private Path existing(String name) throws IOException {
        Path p = folder.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("No image " + name + " in the image folder");
        }
        return p;
    }

    @Override
    public ImageDescription describe(String name) {
        try {
            Path p = existing(name);
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            try (ImageReader r = ImageReader.open(p)) {
                ImageHeader h = r.header();
                long holes = 0;
                long stored = 0;
                for (long n = 0; n < r.chunkCount(); n++) {
                    ChunkEntry e = r.entry(n);
                    holes += e.hole() ? 1 : 0;
                    stored += e.storedLength();
                }
                List<ImageDescription.Disk> disks = h.disks().stream()
                        .map(d -> new ImageDescription.Disk(d.number(), d.size(), d.sectorSize(),
                                d.partitionTable().length, d.partitions().stream()
                                        .map(q -> new ImageDescription.Partition(q.number(), q.offset(), q.length(),
                                                q.type()))
                                        .toList()))
                        .toList();
                List<ImageDescription.Extent> extents = h.extents().stream()
                        .map(e -> new ImageDescription.Extent(e.diskNumber(), e.offset(), e.length())).toList();
                return new ImageDescription(name, a.size(), a.lastModifiedTime().toInstant(), r.formatVersion(),
                        h.imageId(), h.created(), h.chunkSize(), h.deployOsId(), h.machineModel(),
                        new ImageDescription.Source(h.source().name(), h.source().mac(), h.source().uuid()), disks,
                        extents, r.chunkCount(), holes, stored);
            } catch (ImageFormatException e) {
                throw new ConflictException("Image " + name + " is not a readable complete image: " + e.getMessage());
            }
        } catch (NoSuchFileException e) {
            throw new NotFoundException("No image " + name + " in the image folder");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read image " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String name) {
        try {
            folder.delete(name);
            LOG.info("Image {} deleted", name);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("No image " + name + " in the image folder");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete image " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public VerificationReport verify(String name) {
        try (ImageFolder.Use use = folder.use(name, "verification of image " + name)) {
            Path p = existing(name);
            try (ImageReader r = ImageReader.open(p)) {
                Verifier.Report report = Verifier.verify(r, VERIFY_THREADS, ProgressListener.NONE);
                List<VerificationReport.BadChunk> bad = report.bad().stream()
                        .map(b -> new VerificationReport.BadChunk(b.number(), b.diskNumber(), b.diskOffset(),
                                b.reason()))
                        .toList();
                LOG.info("Image {} verified: {} chunks, {} bad", name, report.chunks(), bad.size());
                return new VerificationReport(name, Optional.empty(), report.chunks(), report.holes(),
                        report.storedBytes(), bad);
            } catch (ImageFormatException e) {
                LOG.info("Image {} verified: unreadable: {}", name, e.getMessage());
                return new VerificationReport(name, Optional.of(e.getMessage()), 0, 0, 0, List.of());
            }
        } catch (NoSuchFileException e) {
            throw new NotFoundException("No image " + name + " in the image folder");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read image " + name + ": " + e.getMessage(), e);
        }
    }
}
