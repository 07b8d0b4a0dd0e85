package org.opendpm.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code key=value} words of the kernel command line ({@code /proc/cmdline}), where a Deploy-OS gets its settings. */
final class KernelCommandLine {

    /** Linux limits the command line to a few KiB; more is not a command line. */
    static final int MAX_BYTES = 64 * 1024;

    private KernelCommandLine() {
    }

    static Map<String, String> read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException(file + " is longer than " + MAX_BYTES + " bytes");
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Words without {@code =} are flags and left out; the last of a repeated key wins, as the kernel's own do. */
    static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String word : line.trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return out;
    }
}
