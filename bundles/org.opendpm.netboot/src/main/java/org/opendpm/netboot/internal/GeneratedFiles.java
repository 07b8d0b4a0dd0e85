package org.opendpm.netboot.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.netboot.internal.tftp.FileJail;
import org.opendpm.netboot.internal.tftp.FileJail.JailException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files boot protocols generated for clients (pxelinux.cfg/01-..., grub.cfg, iPXE scripts), kept in memory
 * between the DHCP answer and the client's TFTP/HTTP request for them. They are derived data, rebuilt on every boot
 * decision, so losing them on restart is harmless (the client's next DHCP round regenerates them); this is not
 * state that belongs in the database. Bounded: entries older than the time to live go first, then the oldest.
 */
final class GeneratedFiles {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratedFiles.class);

    private record Entry(byte[] content, Instant created) {
    }

    private final Map<String, Entry> files = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Duration timeToLive;
    private final Clock clock;

    GeneratedFiles(int maxEntries, Duration timeToLive, Clock clock) {
        this.maxEntries = maxEntries;
        this.timeToLive = timeToLive;
        this.clock = clock;
    }

    /** Stores the files under their normalised paths; a path that could leave the boot root is refused and logged. */
    void putAll(Map<String, String> generated) {
        Instant now = clock.instant();
        for (Map.Entry<String, String> e : generated.entrySet()) {
            String path;
            try {
                path = FileJail.normalize(e.getKey());
            } catch (JailException ex) {
                LOG.warn("Generated boot file '{}' refused: {}", e.getKey(), ex.getMessage());
                continue;
            }
            files.put(path, new Entry(e.getValue().getBytes(StandardCharsets.UTF_8), now));
        }
        if (files.size() > maxEntries) {
            evict(now);
        }
    }

    Optional<byte[]> get(String normalizedPath) {
        Entry e = files.get(normalizedPath);
        if (e == null) {
            return Optional.empty();
        }
        if (e.created().plus(timeToLive).isBefore(clock.instant())) {
            files.remove(normalizedPath, e);
            return Optional.empty();
        }
        return Optional.of(e.content());
    }

    int size() {
        return files.size();
    }

    private synchronized void evict(Instant now) {
        files.entrySet().removeIf(e -> e.getValue().created().plus(timeToLive).isBefore(now));
        int excess = files.size() - maxEntries;
        if (excess > 0) {
            files.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().created())).limit(excess)
                    .map(Map.Entry::getKey).toList().forEach(files::remove);
        }
    }
}
