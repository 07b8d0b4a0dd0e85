package org.opendpm.api.images;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A file of the image folder: its header's summary when it is a readable complete image, else the problem.
 *
 * @param name the image name (a plain file name)
 * @param size bytes of the file
 * @param modified when the file was last written
 * @param summary what the header says; empty when {@code problem} is set
 * @param problem why the file is not a readable complete image (truncated, not an image, damaged header or index)
 */
public record ImageEntry(String name, long size, Instant modified, Optional<ImageSummary> summary,
        Optional<String> problem) {

    public ImageEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modified, "modified");
        if (summary.isPresent() == problem.isPresent()) {
            throw new IllegalArgumentException("an image entry has either a summary or a problem");
        }
    }
}
