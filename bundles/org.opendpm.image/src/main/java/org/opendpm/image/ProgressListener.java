package org.opendpm.image;

/** Told after each chunk how many source bytes are done out of the total; called on the writing thread. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> {
    };

    void progress(long doneBytes, long totalBytes);
}
