package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small LRU cache of whole small files (pxelinux.0, ipxe.efi, grubx64.efi) that many clients
 * fetch at once: each cached transfer then costs no open/pread/close system calls. An entry is
 * valid only while the file's size and modification time are unchanged, so a replaced boot file
 * is served fresh on the next request.
 */
final class HotFileCache {

    private record Entry(long size, long modifiedNanos, byte[] bytes) {
    }

    private final long maxFileBytes;
    private final long maxTotalBytes;
    private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long totalBytes;

    HotFileCache(long maxFileBytes, long maxTotalBytes) {
        this.maxFileBytes = maxFileBytes;
        this.maxTotalBytes = maxTotalBytes;
    }

    /** The file's bytes if it is small enough to cache, else {@code null}. */
    byte[] get(Path real, BasicFileAttributes attrs, TftpStats stats) throws IOException {
        long size = attrs.size();
        if (size > maxFileBytes || size > maxTotalBytes) {
            return null;
        }
        long mtime = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        synchronized (this) {
            Entry e = entries.get(real);
            if (e != null && e.size == size && e.modifiedNanos == mtime) {
                stats.cacheHit();
                return e.bytes;
            }
        }
        stats.cacheMiss();
        // Read outside the lock: other event loops keep serving while this one loads.
        byte[] bytes = Files.readAllBytes(real);
        if (bytes.length != size) {
            return bytes; // changed while we read it: serve what we read, do not cache it
        }
        synchronized (this) {
            Entry old = entries.put(real, new Entry(size, mtime, bytes));
            if (old != null) {
                totalBytes -= old.bytes.length;
            }
            totalBytes += bytes.length;
            Iterator<Map.Entry<Path, Entry>> it = entries.entrySet().iterator();
            while (totalBytes > maxTotalBytes && it.hasNext()) {
                Map.Entry<Path, Entry> eldest = it.next();
                totalBytes -= eldest.getValue().bytes.length;
                it.remove();
            }
        }
        return bytes;
    }
}
