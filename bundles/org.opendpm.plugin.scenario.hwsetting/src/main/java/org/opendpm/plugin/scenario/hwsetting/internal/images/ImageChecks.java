package org.opendpm.plugin.scenario.hwsetting.internal.images;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;

/**
 * The checks of HW setting images (HWS-1): names, and the bytes of a stored file. Every read is of a few bytes at an
 * offset checked against the file's size first; nothing read from the file sizes an allocation.
 */
final class ImageChecks {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + HwImageService.MAX_NAME + "}");
    private static final int SECTOR = 512;
    /** Where the PE header's offset is in the MZ header, and the furthest we accept that header. */
    private static final int E_LFANEW = 0x3C;
    private static final long MAX_PE_OFFSET = 4096;
    private static final int MACHINE_X64 = 0x8664;
    private static final int MACHINE_AA64 = 0xAA64;
    private static final int SUBSYSTEM_EFI_APPLICATION = 10;
    /** The optional header's Subsystem field, at the same offset in PE32 and PE32+. */
    private static final int SUBSYSTEM_OFFSET = 68;

    private ImageChecks() {
    }

    /** The name as given, or a refusal naming the field {@code name}. */
    static String name(String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException("name", "A name is required: 1 to " + HwImageService.MAX_NAME
                    + " letters, digits and . _ -");
        }
        if (name.length() > HwImageService.MAX_NAME) {
            throw new ValidationException("name", "The name has " + name.length() + " characters; at most "
                    + HwImageService.MAX_NAME + " are allowed");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ValidationException("name", "'" + printable(name) + "' may hold only letters, digits and"
                    + " . _ -");
        }
        if (name.chars().allMatch(c -> c == '.')) {
            throw new ValidationException("name", "A name is not made of dots alone");
        }
        return name;
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The largest file the kind takes. */
    static long limit(HwImageKind kind) {
        return kind == HwImageKind.FLOPPY ? HwImageService.MAX_FLOPPY_BYTES : HwImageService.MAX_EFI_BYTES;
    }

    /** A bootable floppy image: whole sectors and the boot signature; else a refusal naming {@code content}. */
    static void floppy(Path file, long size) throws IOException {
        if (size == 0 || size % SECTOR != 0) {
            throw new ValidationException("content", "A floppy image is whole 512-byte sectors; this one has "
                    + size + " bytes");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer sig = read(ch, 510, 2);
            if ((sig.get(0) & 0xFF) != 0x55 || (sig.get(1) & 0xFF) != 0xAA) {
                throw new ValidationException("content", "Not a bootable floppy image: its first sector does not"
                        + " end with the boot signature 55 AA");
            }
        }
    }

    /**
     * An EFI application: MZ header, PE signature, machine x64 or aa64, the EFI application subsystem. Returns the
     * machine ({@code x64}, {@code aa64}); else a refusal naming {@code content}.
     */
    static String efiApplication(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size < 0x40) {
                throw notPe("it is " + size + " bytes, shorter than an MZ header");
            }
            ByteBuffer mz = read(ch, 0, 0x40);
            if (mz.get(0) != 'M' || mz.get(1) != 'Z') {
                throw notPe("it does not start with MZ");
            }
            long peOffset = Integer.toUnsignedLong(mz.getInt(E_LFANEW));
            if (peOffset < 0x40 || peOffset > MAX_PE_OFFSET || peOffset + 24 > size) {
                throw notPe("its PE header offset " + peOffset + " is outside the file's first " + MAX_PE_OFFSET
                        + " bytes");
            }
            ByteBuffer pe = read(ch, peOffset, 24);
            if (pe.getInt(0) != 0x00004550) { // "PE\0\0" read little-endian
                throw notPe("there is no PE signature at offset " + peOffset);
            }
            int machine = Short.toUnsignedInt(pe.getShort(4));
            String name = switch (machine) {
            case MACHINE_X64 -> "x64";
            case MACHINE_AA64 -> "aa64";
            default -> throw new ValidationException("content", String.format(Locale.ROOT, "The EFI application's"
                    + " machine type is 0x%04x; only x64 (0x8664) and aa64 (0xaa64) are booted", machine));
            };
            int optionalSize = Short.toUnsignedInt(pe.getShort(20));
            long subsystemAt = peOffset + 24 + SUBSYSTEM_OFFSET;
            if (optionalSize < SUBSYSTEM_OFFSET + 2 || subsystemAt + 2 > size) {
                throw notPe("its optional header is too short to hold a subsystem");
            }
            int subsystem = Short.toUnsignedInt(read(ch, subsystemAt, 2).getShort(0));
            if (subsystem != SUBSYSTEM_EFI_APPLICATION) {
                throw new ValidationException("content", "The PE file's subsystem is " + subsystem
                        + ", not an EFI application (10)");
            }
            return name;
        }
    }

    private static ValidationException notPe(String why) {
        return new ValidationException("content", "Not an EFI application (a PE file): " + why);
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new ValidationException("content", "The file ends at " + (at + b.position())
                        + " bytes, inside a header");
            }
        }
        return b.flip();
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
