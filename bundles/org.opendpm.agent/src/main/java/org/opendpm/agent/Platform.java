package org.opendpm.agent;

import java.io.File;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What differs between Windows and the POSIX systems the agent runs on. */
final class Platform {

    private Platform() {
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    static Path defaultStateDir() {
        if (isWindows()) {
            String programData = System.getenv("PROGRAMDATA");
            return Path.of(programData != null ? programData : "C:\\ProgramData", "OpenDPM", "agent");
        }
        return Path.of(System.getProperty("user.home"), ".opendpm-agent");
    }

    static List<String> shell(String commandLine) {
        return isWindows() ? List.of("cmd.exe", "/c", commandLine) : List.of("/bin/sh", "-c", commandLine);
    }

    static File nullDevice() {
        return new File(isWindows() ? "NUL" : "/dev/null");
    }

    /** The encoding console programs write in; Java 17 reports it as {@code native.encoding}. */
    static Charset consoleCharset() {
        String name = System.getProperty("native.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /** systemd first; {@code shutdown} where there is none (Deploy-OS images, older systems). */
    static Map<String, List<List<String>>> powerCommands() {
        if (isWindows()) {
            return Map.of(
                    "shutdown", List.of(List.of("shutdown", "/s", "/t", "0")),
                    "reboot", List.of(List.of("shutdown", "/r", "/t", "0")));
        }
        return Map.of(
                "shutdown", List.of(List.of("systemctl", "poweroff"), List.of("shutdown", "-h", "now")),
                "reboot", List.of(List.of("systemctl", "reboot"), List.of("shutdown", "-r", "now")));
    }

    static String osDescription() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
    }
}
