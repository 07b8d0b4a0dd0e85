package org.opendpm.image.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.opendpm.image.BadChunk;
import org.opendpm.image.ImageReader;
import org.opendpm.image.Verifier;

/**
 * {@code opendpm-verify IMAGE}: checks every chunk of an image without restoring it. Exit status 0 when all are
 * good, 1 when some are bad (each listed with its disk offset), 2 when the image cannot be read at all.
 */
public final class Verify {

    private Verify() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: opendpm-verify IMAGE");
            return 2;
        }
        long start = System.nanoTime();
        try (ImageReader image = ImageReader.open(Path.of(args[0]))) {
            Verifier.Report r = Verifier.verify(image, Math.max(1, Runtime.getRuntime().availableProcessors()),
                    (done, total) -> {
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            for (BadChunk b : r.bad()) {
                out.println("BAD " + b.describe());
            }
            out.printf("%s: image %s, %d chunks (%d holes), %d stored bytes checked in %.2f s: %s%n", args[0],
                    image.header().imageId(), r.chunks(), r.holes(), r.storedBytes(), seconds,
                    r.ok() ? "OK" : r.bad().size() + " bad chunks");
            return r.ok() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            err.println(args[0] + ": unreadable: " + e.getMessage());
            return 2;
        }
    }
}
