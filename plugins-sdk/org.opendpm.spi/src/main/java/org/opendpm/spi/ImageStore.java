package org.opendpm.spi;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's image store ("Folder for Image"). Image names are plain file names; a new image is written aside and
 * replaces one of the same name only when {@link NewImage#commit()} succeeds, so a failed backup never spoils a good
 * image (IMG-1).
 */
@ProviderType
public interface ImageStore {

    /** Whether an image of that name exists. */
    boolean exists(String name) throws IOException;

    /**
     * Opens an image file for reading: its bytes as they are. A backup is a manifest whose chunks are in the folder's
     * chunk store (docs/image-format.md), which the image module's reader finds only when it opens the image by its
     * path.
     */
    SeekableByteChannel open(String name) throws IOException;

    /**
     * Starts writing a new image; refused up front when fewer than {@code expectedBytes} are free, with the needed
     * and free figures.
     */
    NewImage create(String name, long expectedBytes) throws IOException;

    /** An image being written. */
    interface NewImage extends AutoCloseable {
        /** Where the bytes go. */
        WritableByteChannel channel();

        /**
         * Opens what was written so far for reading, before {@link #commit()}: a backup verifies its image there
         * ("Create Verification Data") before it replaces one of the same name.
         */
        SeekableByteChannel readBack() throws IOException;

        /** Flushes to disk and puts the image in place under its name. */
        void commit() throws IOException;

        /** Drops what was written unless committed. */
        @Override
        void close() throws IOException;
    }
}
