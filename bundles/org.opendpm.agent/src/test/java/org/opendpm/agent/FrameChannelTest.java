package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.Test;
import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.ProtocolException;

/** The framing of agent-protocol.md, byte for byte, and the small pieces around it. */
public class FrameChannelTest {

    private static FrameChannel over(byte[] in, ByteArrayOutputStream out) {
        return new FrameChannel(new Socket(), new ByteArrayInputStream(in), out);
    }

    @Test
    public void controlFrameIsLengthTypeAndJson() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        over(new byte[0], out).send(new Message.Heartbeat());
        byte[] json = "{\"type\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);
        byte[] b = out.toByteArray();
        assertThat(b).hasSize(5 + json.length);
        assertThat(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]).isEqualTo(json.length + 1);
        assertThat(b[4]).isEqualTo((byte) 1);
        assertThat(new String(b, 5, json.length, StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"heartbeat\"}");
    }

    @Test
    public void readsControlAndDataFramesThenEndOfStream() throws IOException {
        byte[] heartbeat = "{\"type\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(new byte[]{ 0, 0, 0, (byte) (heartbeat.length + 1), 1 });
        in.write(heartbeat);
        in.write(new byte[]{ 0, 0, 0, 11, 2, 0, 0, 0, 0, 0, 0, 1, 2, (byte) 0xAA, (byte) 0xBB });
        FrameChannel ch = over(in.toByteArray(), new ByteArrayOutputStream());
        assertThat(ch.read()).isEqualTo(new Frame.Control(new Message.Heartbeat()));
        Frame.Data data = (Frame.Data) ch.read();
        assertThat(data.transferId()).isEqualTo(258);
        assertThat(data.chunk().remaining()).isEqualTo(2);
        assertThat(ch.read()).isNull();
    }

    @Test
    public void brokenFramesAreProtocolErrors() {
        assertThatThrownBy(() -> over(new byte[]{ 0, 0, 0, 0 }, new ByteArrayOutputStream()).read())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("length 0");
        assertThatThrownBy(() -> over(new byte[]{ (byte) 0xff, 0, 0, 0, 1 }, new ByteArrayOutputStream()).read())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds the maximum");
        assertThatThrownBy(() -> over(new byte[]{ 0, 0, 0, 2, 9, 0 }, new ByteArrayOutputStream()).read())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("frame type 9 is unknown");
        assertThatThrownBy(() -> over(new byte[]{ 0, 0, 0, 9, 1, '{' }, new ByteArrayOutputStream()).read())
                .hasMessageContaining("in the middle of a frame");
    }

    @Test
    public void tailBufferKeepsTheLastBytes() {
        CommandRunner.TailBuffer t = new CommandRunner.TailBuffer(4);
        t.write("ab".getBytes(), 0, 2);
        assertThat(new String(t.snapshot())).isEqualTo("ab");
        t.write("cde".getBytes(), 0, 3);
        assertThat(new String(t.snapshot())).isEqualTo("bcde");
        t.write("0123456789".getBytes(), 0, 10);
        assertThat(new String(t.snapshot())).isEqualTo("6789");
        t.write("x".getBytes(), 0, 1);
        assertThat(new String(t.snapshot())).isEqualTo("789x");
    }

    @Test
    public void backoffDoublesWithJitterUpToItsMaximum() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        long[] max = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
        for (long m : max) {
            assertThat(b.next().toMillis()).isBetween(m / 2, m);
        }
        b.reset();
        assertThat(b.next().toMillis()).isBetween(500L, 1000L);
    }

    @Test
    public void permissionsRoundTrip() throws Exception {
        for (String p : new String[]{ "640", "755", "000", "777", "604" }) {
            assertThat(FileReceiver.formatPermissions(FileReceiver.parsePermissions(1, p))).isEqualTo(p);
        }
        assertThatThrownBy(() -> FileReceiver.parsePermissions(1, "0640"))
                .hasMessageContaining("three octal digits");
    }
}
