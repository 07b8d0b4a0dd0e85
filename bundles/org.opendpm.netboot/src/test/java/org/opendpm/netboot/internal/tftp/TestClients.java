package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Gives tests in other packages the raw client, which stays package-private here. */
public final class TestClients {

    private TestClients() {
    }

    /** A downloading raw client. */
    public static final class Raw implements AutoCloseable {
        private final RawTftpClient client = new RawTftpClient();

        public Raw() throws IOException {
        }

        public byte[] download(InetSocketAddress server, String file, String... options) throws IOException {
            return client.download(server, file, options).bytes();
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
