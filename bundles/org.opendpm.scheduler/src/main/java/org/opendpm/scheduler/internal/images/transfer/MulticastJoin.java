package org.opendpm.scheduler.internal.images.transfer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.multicast.MemberProgress;

/**
 * Where a multicast restore goes once its machine's disks are checked and its partition tables written (IMG-3): into
 * a forming session, which completes when the machine has every chunk written.
 */
@FunctionalInterface
public interface MulticastJoin {

    /**
     * @param image the image's file, kept in use by the restore until the stage completes
     * @param disks the machine's disks the image's disks go to, in the image's order
     * @param totalBytes the image's disk bytes
     * @param progress how far the machine came
     */
    CompletionStage<ImageWriteResult> join(Path image, List<ImageDisk> disks, long totalBytes,
            MemberProgress progress);
}
