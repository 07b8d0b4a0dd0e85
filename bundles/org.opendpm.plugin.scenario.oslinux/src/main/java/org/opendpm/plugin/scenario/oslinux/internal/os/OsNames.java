package org.opendpm.plugin.scenario.oslinux.internal.os;

import java.util.Locale;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OperatingSystemSpec;

/** The guide's rules for what an operating system is registered with (OSI-1 [3.5.1.3]); each broken rule says so. */
public final class OsNames {

    private static final Pattern LINUX_NAME = Pattern.compile("[A-Za-z0-9().-]+");
    /**
     * Paths below the boot root or the image folder's exports: they go onto kernel command lines, iPXE scripts and
     * URLs as they are, so no spaces, quotes, '$', ';' or '&amp;'.
     */
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._~+()-]+(/[A-Za-z0-9._~+()-]+)*");

    private OsNames() {
    }

    /** Checks every field; throws for the first broken rule, naming its field. */
    public static void check(OperatingSystemSpec spec) {
        if (spec == null) {
            throw new ValidationException(null, "An operating system is required");
        }
        checkName(spec.name());
        if (spec.type() == null) {
            throw new ValidationException("type", "The operating system type is required");
        }
        checkPath("kernel", spec.kernel());
        checkPath("initrd", spec.initrd());
        checkPath("source", spec.source());
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException("name", "The operating system name is required");
        }
        if (name.length() > OperatingSystemService.MAX_NAME) {
            throw new ValidationException("name", "An operating system name has at most "
                    + OperatingSystemService.MAX_NAME + " characters, not " + name.length());
        }
        for (char c : new char[]{ '"', ';', '\\' }) {
            if (name.indexOf(c) >= 0) {
                throw new ValidationException("name", "An operating system name must not contain " + c);
            }
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("linux") || lower.equals("linux(gpxe)") || lower.equals("ks") || lower.equals("daemon")
                || lower.startsWith("pxelinux.")) {
            throw new ValidationException("name", "'" + name + "' is reserved (Linux, Linux(gPXE), ks, daemon and"
                    + " pxelinux.* are)");
        }
        if (lower.equals("built")) {
            // Sources are served at /opendpm/os/<name>/, beside the installers' /opendpm/os/built/<token>.
            throw new ValidationException("name", "'built' is reserved for the installers' built call");
        }
        if (!LINUX_NAME.matcher(name).matches()) {
            throw new ValidationException("name", "A Linux operating system name has only letters, digits and"
                    + " ( ) - . in it");
        }
    }

    static void checkPath(String field, String path) {
        if (path == null || path.isEmpty()) {
            throw new ValidationException(field, "The " + field + " path is required");
        }
        if (path.length() > OperatingSystemService.MAX_PATH) {
            throw new ValidationException(field, "The " + field + " path has at most "
                    + OperatingSystemService.MAX_PATH + " characters, not " + path.length());
        }
        if (!PATH.matcher(path).matches()) {
            throw new ValidationException(field, "The " + field + " path is relative, with '/' between names of"
                    + " letters, digits and . _ ~ + ( ) -");
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new ValidationException(field, "The " + field + " path must not have . or .. in it");
            }
        }
    }
}
