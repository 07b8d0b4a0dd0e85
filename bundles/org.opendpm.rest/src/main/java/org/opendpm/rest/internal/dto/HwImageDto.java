package org.opendpm.rest.internal.dto;

import org.opendpm.api.hwsetting.HwImage;

/**
 * A registered HW setting image (HWS-1): {@code kind} {@code floppy} or {@code efi}, {@code efiMachine} {@code x64} or
 * {@code aa64} for an EFI application (else null), {@code registeredAt} ISO-8601.
 */
public record HwImageDto(String name, String kind, long size, String sha256, String efiMachine, String registeredAt) {

    public static HwImageDto of(HwImage i) {
        return new HwImageDto(i.name(), i.kind().key(), i.size(), i.sha256(), i.efiMachine().orElse(null),
                i.registeredAt().toString());
    }
}
