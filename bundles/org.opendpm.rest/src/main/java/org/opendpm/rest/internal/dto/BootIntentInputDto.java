package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.NextBootKind;

/**
 * A next-boot intent to set. {@code intent} is {@code LOCAL_DISK}, {@code DEPLOY_OS}, {@code OS_INSTALLER},
 * {@code MEMDISK_FLOPPY} or {@code EFI_APPLICATION} (case and {@code -}/{@code _} ignored); {@code deployOs} overrides
 * the machine's Deploy-OS for {@code DEPLOY_OS}; {@code kernel}, {@code initrd} and {@code bootArguments} are for
 * {@code OS_INSTALLER}; memdisk and the floppy image are {@code kernel} and {@code initrd} of {@code MEMDISK_FLOPPY};
 * the application and its arguments are {@code kernel} and {@code bootArguments} of {@code EFI_APPLICATION};
 * {@code oneShot} left out means sticky (kept until cleared).
 */
public record BootIntentInputDto(String intent, String deployOs, String kernel, String initrd, String bootArguments,
        Boolean oneShot) {

    public NextBoot toNextBoot() {
        return new NextBoot(kind(intent), Optional.ofNullable(deployOs), kernel, initrd, bootArguments,
                Boolean.TRUE.equals(oneShot));
    }

    /** The kind by its name as REST and the shell write it. */
    public static NextBootKind kind(String intent) {
        if (intent == null || intent.isBlank()) {
            throw new ValidationException("intent", "intent is required: one of " + List.of(NextBootKind.values()));
        }
        try {
            return NextBootKind.valueOf(intent.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("intent", "Unknown intent '" + intent + "'; intents are "
                    + List.of(NextBootKind.values()));
        }
    }
}
