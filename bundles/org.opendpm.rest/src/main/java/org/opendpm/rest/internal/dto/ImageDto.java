package org.opendpm.rest.internal.dto;

import org.opendpm.api.images.ImageEntry;
import org.opendpm.api.images.ImageSummary;

/**
 * A file of the image folder (IMG-1): {@code summary} when it is a readable complete image, else {@code problem}
 * saying why not (the other is {@code null}). Times are ISO-8601 UTC.
 */
public record ImageDto(String name, long size, String modified, Summary summary, String problem) {

    /**
     * The header in short.
     *
     * @param sourceBytes bytes of disk the image holds, holes included
     */
    public record Summary(String imageId, String created, String deployOsId, String machineModel,
            String sourceMachine, long sourceBytes, long chunks) {

        static Summary of(ImageSummary s) {
            return new Summary(s.imageId().toString(), s.created().toString(), s.deployOsId(), s.machineModel(),
                    s.sourceMachine(), s.sourceBytes(), s.chunks());
        }
    }

    public static ImageDto of(ImageEntry e) {
        return new ImageDto(e.name(), e.size(), e.modified().toString(), e.summary().map(Summary::of).orElse(null),
                e.problem().orElse(null));
    }
}
