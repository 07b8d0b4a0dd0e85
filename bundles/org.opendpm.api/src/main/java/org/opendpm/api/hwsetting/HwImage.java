package org.opendpm.api.hwsetting;

import java.time.Instant;
import java.util.Optional;

/**
 * A registered HW setting image (HWS-1).
 *
 * @param name its name (at most 8 characters of letters, digits and {@code . _ -}), unique ignoring case
 * @param kind floppy image or EFI application
 * @param size its size in bytes
 * @param sha256 the SHA-256 of its bytes, lower-case hex, computed when it was stored
 * @param efiMachine for an EFI application the PE machine type ({@code x64} or {@code aa64}), else empty
 * @param registeredAt when it was stored
 */
public record HwImage(String name, HwImageKind kind, long size, String sha256, Optional<String> efiMachine,
        Instant registeredAt) {
}
