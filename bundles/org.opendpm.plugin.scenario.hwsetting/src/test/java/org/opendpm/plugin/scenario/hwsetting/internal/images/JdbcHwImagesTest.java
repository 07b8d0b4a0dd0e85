package org.opendpm.plugin.scenario.hwsetting.internal.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;
import org.opendpm.plugin.scenario.hwsetting.internal.Fixtures;

/** HWS-1: the registry of floppy images and EFI applications, its refusals, and what a refusal leaves (nothing). */
public class JdbcHwImagesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path imageFolder;
    private JdbcHwImages images;

    @Before
    public void setUp() throws IOException {
        imageFolder = tmp.newFolder("images").toPath();
        images = new JdbcHwImages(Fixtures.database(), Fixtures.settings(imageFolder, 120));
    }

    @Test
    public void aFullFloppyIsStoredWithItsSha256AndServedFromTheImageFolder() throws Exception {
        byte[] bytes = Fixtures.floppy(1_474_560);
        bytes[1000] = 42;
        HwImage image = images.create("BIOS-2.1", HwImageKind.FLOPPY, new ByteArrayInputStream(bytes));
        assertThat(image.size()).isEqualTo(1_474_560);
        assertThat(image.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes)));
        assertThat(image.efiMachine()).isEmpty();
        assertThat(images.find("bios-2.1")).hasValue(image);
        Path file = images.file(image).orElseThrow();
        assertThat(file).isEqualTo(imageFolder.resolve("hw-setting/bios-2.1.img"));
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(filesIn()).containsExactly("bios-2.1.img");
    }

    @Test
    public void oneByteOverTheFloppyLimitIsRefusedAfterReadingNoMoreThanThatAndLeavesNothing() {
        CountingStream in = new CountingStream(Long.MAX_VALUE);
        assertField(() -> images.create("big", HwImageKind.FLOPPY, in), "content", "at most 1474560 bytes");
        assertThat(in.read).isEqualTo(HwImageService.MAX_FLOPPY_BYTES + 1);
        assertThat(images.list()).isEmpty();
        assertThat(filesIn()).isEmpty();
        assertField(() -> images.create("big", HwImageKind.FLOPPY, new ByteArrayInputStream(Fixtures.floppy(
                1_474_561))), "content", "at most");
        assertThat(filesIn()).isEmpty();
    }

    @Test
    public void namesFollowTheGuide() {
        byte[] ok = Fixtures.floppy(512);
        assertField(() -> images.create("ABCDEFGHI", HwImageKind.FLOPPY, new ByteArrayInputStream(ok)), "name",
                "9 characters; at most 8");
        for (String bad : List.of("a b", "a/b", "..\\x", "bios+1", "é", "a:b", "")) {
            assertField(() -> images.create(bad, HwImageKind.FLOPPY, new ByteArrayInputStream(ok)), "name", "");
        }
        assertField(() -> images.create("..", HwImageKind.FLOPPY, new ByteArrayInputStream(ok)), "name", "dots");
        assertThat(images.create("A.b_C-9", HwImageKind.FLOPPY, new ByteArrayInputStream(ok)).name())
                .isEqualTo("A.b_C-9");
        assertThatThrownBy(() -> images.create("a.B_c-9", HwImageKind.FLOPPY, new ByteArrayInputStream(ok)))
                .isInstanceOf(ConflictException.class);
        assertThat(filesIn()).containsExactly("a.b_c-9.img");
    }

    @Test
    public void aFloppyMustBeBootableWholeSectors() {
        assertField(() -> images.create("f", HwImageKind.FLOPPY, new ByteArrayInputStream(new byte[1024])),
                "content", "55 AA");
        assertField(() -> images.create("f", HwImageKind.FLOPPY, new ByteArrayInputStream(new byte[1000])),
                "content", "512-byte sectors");
        assertField(() -> images.create("f", HwImageKind.FLOPPY, InputStream.nullInputStream()), "content",
                "512-byte sectors");
        assertThat(filesIn()).isEmpty();
    }

    @Test
    public void anEfiApplicationNeedsMzPeAMachineWeBootAndTheApplicationSubsystem() {
        HwImage app = images.create("fwupd", HwImageKind.EFI_APPLICATION, new ByteArrayInputStream(Fixtures.pe(
                0x8664, 10)));
        assertThat(app.efiMachine()).hasValue("x64");
        assertThat(images.create("arm", HwImageKind.EFI_APPLICATION, new ByteArrayInputStream(Fixtures.pe(0xAA64,
                10))).efiMachine()).hasValue("aa64");

        assertField(() -> efi("text", ("#!/bin/sh\n" + "echo not an EFI application\n".repeat(4)).getBytes()),
                "content",
                "does not start with MZ");
        assertField(() -> efi("short", new byte[]{ 'M', 'Z' }), "content", "shorter than an MZ header");
        assertField(() -> efi("i386", Fixtures.pe(0x14C, 10)), "content", "machine type is 0x014c");
        assertField(() -> efi("driver", Fixtures.pe(0x8664, 11)), "content", "subsystem is 11");
        byte[] far = Fixtures.pe(0x8664, 10);
        far[0x3C] = (byte) 0xFF;
        far[0x3F] = (byte) 0x7F; // a PE offset of about 2 GB: refused by the bound, never read or allocated
        assertField(() -> efi("far", far), "content", "PE header offset");
        byte[] noSignature = Fixtures.pe(0x8664, 10);
        noSignature[0x80] = 'X';
        assertField(() -> efi("nosig", noSignature), "content", "no PE signature");
        byte[] cut = java.util.Arrays.copyOf(Fixtures.pe(0x8664, 10), 0x80 + 40);
        assertField(() -> efi("cut", cut), "content", "optional header");
        assertThat(images.list()).extracting(HwImage::name).containsExactly("arm", "fwupd");
        assertThat(filesIn()).containsExactlyInAnyOrder("arm.efi", "fwupd.efi");
    }

    @Test
    public void deleteRemovesRowAndFile() {
        images.create("gone", HwImageKind.FLOPPY, new ByteArrayInputStream(Fixtures.floppy(512)));
        images.delete("GONE");
        assertThat(images.find("gone")).isEmpty();
        assertThat(filesIn()).isEmpty();
        assertThatThrownBy(() -> images.delete("gone")).isInstanceOf(NotFoundException.class);
    }

    private HwImage efi(String name, byte[] bytes) {
        return images.create(name, HwImageKind.EFI_APPLICATION, new ByteArrayInputStream(bytes));
    }

    private List<String> filesIn() {
        Path folder = imageFolder.resolve(JdbcHwImages.FOLDER);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertField(Runnable r, String field, String text) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(text);
        });
    }

    /** Zeros without end (as a client that never stops sending), counting what was read. */
    private static final class CountingStream extends InputStream {
        long read;
        private final long length;

        CountingStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            return read++ < length ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = (int) Math.min(len, length - read);
            read += n;
            return n == 0 ? -1 : n;
        }
    }
}
