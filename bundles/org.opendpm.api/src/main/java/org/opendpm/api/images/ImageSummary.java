package org.opendpm.api.images;

import java.time.Instant;
import java.util.UUID;

/**
 * The header of an image in short, as a list shows it.
 *
 * @param imageId the image's UUID
 * @param created when the backup started
 * @param deployOsId the Deploy-OS that took it (IMG-5; may be empty)
 * @param machineModel the source machine's model (IMG-5; may be empty)
 * @param sourceMachine the source machine's name (may be empty)
 * @param sourceBytes bytes of disk the image holds, holes included
 * @param chunks chunks in the image
 */
public record ImageSummary(UUID imageId, Instant created, String deployOsId, String machineModel,
        String sourceMachine, long sourceBytes, long chunks) {
}
