package org.opendpm.netboot.internal.tftp;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one {@link TftpServer}.
 *
 * @param bindAddress address of the listener and of every transfer's own port
 * @param port listener port; 0 picks a free one (tests)
 * @param root the folder served (the jail)
 * @param writeFolder folder under the root that accepts WRQ; empty refuses every WRQ
 * @param maxBlockSize largest blksize granted (8-65464)
 * @param maxWindowSize largest windowsize granted (1-65535)
 * @param retries retransmissions of one packet before the transfer is abandoned
 * @param timeoutMillis first retransmission timeout when the client sends no timeout option;
 *        each retry doubles it, up to 16 times this base
 * @param ioThreads event loop threads shared by all transfers; 0 means one per core
 * @param cacheMaxFileBytes files up to this size are kept in memory; 0 disables the cache
 * @param cacheMaxTotalBytes bound of the whole cache
 * @param maxActiveTransfers transfers served at once; later requests wait in arrival order (see
 *        {@link TftpServer}); 0 means no limit
 */
public record TftpServerConfig(InetAddress bindAddress, int port, Path root, String writeFolder, int maxBlockSize,
        int maxWindowSize, int retries, int timeoutMillis, int ioThreads, long cacheMaxFileBytes,
        long cacheMaxTotalBytes, int maxActiveTransfers) {

    public TftpServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(root, "root");
        writeFolder = writeFolder == null ? "" : writeFolder.trim();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535: " + port);
        }
        if (maxBlockSize < OptionNegotiator.MIN_BLOCK_SIZE || maxBlockSize > OptionNegotiator.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize must be 8-65464: " + maxBlockSize);
        }
        if (maxWindowSize < 1 || maxWindowSize > OptionNegotiator.MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize must be 1-65535: " + maxWindowSize);
        }
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("retries must be 0-100: " + retries);
        }
        if (timeoutMillis < 1 || timeoutMillis > 255_000) {
            throw new IllegalArgumentException("timeoutMillis must be 1-255000: " + timeoutMillis);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0: " + ioThreads);
        }
        if (cacheMaxFileBytes < 0 || cacheMaxTotalBytes < 0) {
            throw new IllegalArgumentException("cache sizes must be >= 0");
        }
        if (maxActiveTransfers < 0) {
            throw new IllegalArgumentException("maxActiveTransfers must be >= 0 (0: no limit): " + maxActiveTransfers);
        }
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Defaults: 127.0.0.1:6969 (no root privileges needed), read-only, 5 retries from 1 s, 64 transfers at once. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = 6969;
        private final Path root;
        private String writeFolder = "";
        private int maxBlockSize = OptionNegotiator.MAX_BLOCK_SIZE;
        private int maxWindowSize = 64;
        private int retries = 5;
        private int timeoutMillis = 1000;
        private int ioThreads;
        private long cacheMaxFileBytes = 4L << 20;
        private long cacheMaxTotalBytes = 64L << 20;
        /**
         * Enough to fill a gigabit link with lock-step clients at LAN round-trip times, few enough
         * that a saturated 2-core host serves them from warm caches (bench/tftp: 64 beat 128+).
         */
        private int maxActiveTransfers = 64;

        private Builder(Path root) {
            this.root = root;
        }

        public Builder bindAddress(InetAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder writeFolder(String v) {
            writeFolder = v;
            return this;
        }

        public Builder maxBlockSize(int v) {
            maxBlockSize = v;
            return this;
        }

        public Builder maxWindowSize(int v) {
            maxWindowSize = v;
            return this;
        }

        public Builder retries(int v) {
            retries = v;
            return this;
        }

        public Builder timeoutMillis(int v) {
            timeoutMillis = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder cache(long maxFileBytes, long maxTotalBytes) {
            cacheMaxFileBytes = maxFileBytes;
            cacheMaxTotalBytes = maxTotalBytes;
            return this;
        }

        public Builder maxActiveTransfers(int v) {
            maxActiveTransfers = v;
            return this;
        }

        public TftpServerConfig build() {
            return new TftpServerConfig(bindAddress, port, root, writeFolder, maxBlockSize, maxWindowSize, retries,
                    timeoutMillis, ioThreads, cacheMaxFileBytes, cacheMaxTotalBytes, maxActiveTransfers);
        }
    }
}
