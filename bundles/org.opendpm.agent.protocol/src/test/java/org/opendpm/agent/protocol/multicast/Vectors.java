package org.opendpm.agent.protocol.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The golden vectors of {@code src/test/resources/multicast} and the packets they hold. */
final class Vectors {

    static final long SESSION = 0x0123456789ABCDEFL;
    static final UUID IMAGE = UUID.fromString("5b0d1a2e-8c4f-4e3a-9b7d-2f6e8a1c3d4e");

    private Vectors() {
    }

    static Map<String, Packet> expected() {
        Map<String, Packet> m = new LinkedHashMap<>();
        m.put("data", new Packet.Data(SESSION, IMAGE, 17, 1409, 1400, 1,
                ByteBuffer.wrap("OpenDPM!\n".getBytes(StandardCharsets.US_ASCII))));
        BitSet missing = new BitSet();
        missing.set(0);
        missing.set(2);
        missing.set(4);
        m.put("request", new Packet.Request(SESSION, IMAGE, 17, 1048576, 1400, 3, 744, 5, missing));
        m.put("request-whole", Packet.Request.whole(SESSION, IMAGE, 18, 1048576, 1400, 3));
        m.put("status", new Packet.Status(SESSION, IMAGE, 17, 50_000_000, 12, 16384));
        return m;
    }

    /** The bytes of {@code name}.hex: comments and white space dropped. */
    static byte[] bytes(String name) throws IOException {
        try (InputStream in = Vectors.class.getResourceAsStream("/multicast/" + name + ".hex")) {
            assertThat(in).as("vector " + name).isNotNull();
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int comment = line.indexOf('#');
                hex.append((comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s", ""));
            }
            return HexFormat.of().parseHex(hex);
        }
    }
}
