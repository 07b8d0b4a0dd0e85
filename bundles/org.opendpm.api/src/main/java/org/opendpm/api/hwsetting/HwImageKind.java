package org.opendpm.api.hwsetting;

import java.util.Locale;
import java.util.Optional;

/** What a registered HW setting image is, and so which firmware boots it. */
public enum HwImageKind {
    /** A floppy disk image (at most 1.44 MB), booted through memdisk on BIOS firmware. */
    FLOPPY("floppy"),
    /** An EFI application (a PE file for x64 or aa64), chain-loaded on UEFI firmware. */
    EFI_APPLICATION("efi");

    private final String key;

    HwImageKind(String key) {
        this.key = key;
    }

    /** The name REST and the shell use. */
    public String key() {
        return key;
    }

    public static Optional<HwImageKind> ofKey(String key) {
        if (key == null) {
            return Optional.empty();
        }
        String k = key.toLowerCase(Locale.ROOT);
        for (HwImageKind kind : values()) {
            if (kind.key.equals(k)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
