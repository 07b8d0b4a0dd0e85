package org.opendpm.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.Test;
import org.opendpm.agent.protocol.Message.DiskArea;
import org.opendpm.agent.protocol.Message.Hello;
import org.opendpm.agent.protocol.Message.ImageChunk;
import org.opendpm.agent.protocol.ProtocolException.Reason;

/** Bounds of the image and disk-area messages that need more than a vector file can show (larger than 64 KiB). */
public class ImageMessagesTest {

    private static Message decode(String json) throws ProtocolException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return MessageCodec.decode(b, 0, b.length);
    }

    private static String imageRead(int extents) {
        String list = IntStream.range(0, extents).mapToObj(i -> "{\"disk\":1,\"offset\":" + i + ",\"length\":1}")
                .collect(Collectors.joining(","));
        return "{\"type\":\"imageRead\",\"id\":9,\"transferId\":5,\"extents\":[" + list + "],\"chunkSize\":65536,"
                + "\"compressionLevel\":1,\"fromChunk\":0,\"windowBytes\":1048576}";
    }

    @Test
    public void anImageReadTakesAtMost4096Extents() throws ProtocolException {
        assertThat(((Message.ImageRead) decode(imageRead(4096))).extents()).hasSize(4096);
        assertThatThrownBy(() -> decode(imageRead(4097))).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.BAD_MEMBER);
            assertThat(e.getMessage()).isEqualTo("'imageRead' member 'extents' has 4097 elements, more than 4096");
            // The agent answers the request with an error and keeps the link.
            assertThat(e.requestId()).hasValue(9);
        });
    }

    @Test
    public void diskAreaDataIsBoundedBeforeItIsDecoded() throws ProtocolException {
        byte[] max = new byte[Message.MAX_AREA_BYTES];
        max[0] = 1;
        max[max.length - 1] = 2;
        DiskArea a = (DiskArea) decode(new String(MessageCodec.encode(new DiskArea(4, max)), StandardCharsets.UTF_8));
        assertThat(a).isEqualTo(new DiskArea(4, max));
        assertThat(FrameCodec.encode(a).length).as("fits the server's frame limit")
                .isLessThanOrEqualTo(FrameCodec.DEFAULT_MAX_FRAME);
        String oneMore = Base64.getEncoder().encodeToString(new byte[Message.MAX_AREA_BYTES + 1]);
        assertThatThrownBy(() -> decode("{\"type\":\"diskArea\",\"id\":4,\"data\":\"" + oneMore + "\"}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("'diskArea' member 'data' holds 524289 bytes, not 1 to 524288");
        // Text longer than the largest area's is refused without decoding it.
        String tooLong = "A".repeat(8 << 20);
        assertThatThrownBy(() -> decode("{\"type\":\"diskArea\",\"id\":4,\"data\":\"" + tooLong + "\"}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("'diskArea' member 'data' has 8388608 base64 characters, more than the 699052 of "
                        + "524288 bytes");
    }

    @Test
    public void theSmallestChunkSizeHasItsZstdBound() {
        // zstd's ZSTD_COMPRESSBOUND for 64 KiB and for 64 MiB
        assertThat(MessageCodec.storedBound(65536)).isEqualTo(65536 + 256 + 32);
        assertThat(MessageCodec.storedBound(64 << 20)).isEqualTo((64 << 20) + (1 << 18));
    }

    @Test
    public void aChunkCrcAboveTwoToThe31RoundTrips() throws ProtocolException {
        ImageChunk c = new ImageChunk(1, Long.MAX_VALUE, 65535, Long.MAX_VALUE - 1, 65536, false, 10, -1,
                "ab".repeat(32));
        String json = new String(MessageCodec.encode(c), StandardCharsets.UTF_8);
        assertThat(json).contains("\"crc32c\":4294967295");
        assertThat(decode(json)).isEqualTo(c);
    }

    @Test
    public void aDeployOsHelloCarriesATokenOrAResumeKey() {
        assertThatThrownBy(() -> new Hello("00:50:56:aa:bb:cc", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), "", "", true, "on", 2, Optional.empty()))
                .hasMessageContaining("a token or a resume key");
        assertThatThrownBy(() -> decode("{\"type\":\"hello\",\"mac\":\"m\",\"deployOs\":true}"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.member()).contains("token"));
        assertThat(List.of(Message.CHUNK_COST, Message.MAX_AREA_BYTES)).containsExactly(256, 524288);
    }
}
