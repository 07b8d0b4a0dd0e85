package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import org.opendpm.api.ConflictException;

/**
 * Run by {@link FreeSpaceTest} in a child JVM inside a private mount namespace: says what file system the folder is on,
 * then runs the image folder's free-space check for each byte count given, one line each.
 */
public final class FreeSpaceProbe {

    private FreeSpaceProbe() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]);
        FileStore store = Files.getFileStore(folder);
        System.out.println("store " + store.type() + " " + store.getTotalSpace());
        for (int i = 1; i < args.length; i++) {
            try {
                ImageFolder.checkFreeSpace(folder, "probe.img", Long.parseLong(args[i]));
                System.out.println("accepted " + args[i]);
            } catch (ConflictException e) {
                System.out.println("refused " + e.getMessage());
            }
        }
    }
}
