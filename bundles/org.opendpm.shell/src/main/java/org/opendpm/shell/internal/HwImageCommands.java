package org.opendpm.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;

/** dpm:hw-image-*: the registered HW setting images, floppy images and EFI applications (HWS-1). */
public final class HwImageCommands {

    private HwImageCommands() {
    }

    static String list(List<HwImage> images) {
        if (images.isEmpty()) {
            return "No HW setting image is registered\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s %-7s %-5s %10s %s%n", "Name", "Kind",
                "Arch", "Bytes", "SHA-256"));
        for (HwImage i : images) {
            sb.append(String.format(Locale.ROOT, "%-8s %-7s %-5s %10d %s%n", i.name(), i.kind().key(), i.efiMachine()
                    .orElse("-"), i.size(), i.sha256()));
        }
        return sb.toString();
    }

    @Service
    @Command(scope = "dpm", name = "hw-image-list", description = "Lists the registered HW setting images")
    public static class HwImageList implements Action {
        @Reference
        HwImageService images;

        @Override
        public Object execute() {
            try {
                System.out.print(list(images.list()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "hw-image-add", description = "Registers a HW setting image from a file on the"
            + " server: a floppy image (at most 1.44 MB) or an EFI application")
    public static class HwImageAdd implements Action {
        @Reference
        HwImageService images;

        @Argument(index = 0, name = "name", description = "At most 8 letters, digits and . _ -", required = true)
        String name;

        @Argument(index = 1, name = "kind", description = "floppy or efi", required = true)
        String kind;

        @Argument(index = 2, name = "file", description = "The image file on the server", required = true)
        String file;

        @Override
        public Object execute() throws IOException {
            HwImageKind k = HwImageKind.ofKey(kind).orElseThrow(() -> new IllegalArgumentException("kind must be"
                    + " floppy or efi"));
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                HwImage i = images.create(name, k, in);
                System.out.println("Registered " + i.name() + " (" + i.kind().key() + ", " + i.size()
                        + " bytes, SHA-256 " + i.sha256() + ")");
            } catch (ValidationException e) {
                throw new IllegalArgumentException(e.field() + ": " + e.getMessage(), e);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "hw-image-remove", description = "Removes a HW setting image and its file")
    public static class HwImageRemove implements Action {
        @Reference
        HwImageService images;

        @Argument(index = 0, name = "name", required = true)
        String name;

        @Override
        public Object execute() {
            try {
                images.delete(name);
                System.out.println("Removed " + name);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }
}
