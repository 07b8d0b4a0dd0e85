package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;
import org.opendpm.agent.protocol.FrameCodec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/** Frame splitting and MAC spellings, without sockets. */
public class CodecTest {

    @Test
    public void framesSplitAcrossReadsAreReassembled() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(100));
        ByteBuf two = Unpooled.buffer();
        two.writeInt(3).writeByte(1).writeByte('a').writeByte('b');
        two.writeInt(2).writeByte(2).writeByte(9);
        for (int i = 0; i < two.readableBytes(); i++) {
            ch.writeInbound(two.retainedSlice(i, 1));
        }
        two.release();
        NettyFrames.Inbound first = ch.readInbound();
        NettyFrames.Inbound second = ch.readInbound();
        assertThat(first.type()).isEqualTo(FrameCodec.CONTROL);
        assertThat(first.payload().toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ab");
        assertThat(second.type()).isEqualTo(FrameCodec.DATA);
        assertThat(second.payload().readByte()).isEqualTo((byte) 9);
        first.payload().release();
        second.payload().release();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    public void anOversizedFrameIsRefusedFromItsLengthAlone() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(100));
        ByteBuf header = Unpooled.buffer().writeInt(101);
        assertThatThrownBy(() -> ch.writeInbound(header)).isInstanceOf(DecoderException.class)
                .hasRootCauseInstanceOf(LinkViolation.class)
                .hasMessageContaining("frame of 101 bytes exceeds the maximum 100");
        // Whatever follows is dropped, not buffered.
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    public void dataFramesCarryTheTransferIdBeforeTheChunk() {
        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[]{ 5, 6, 7 });
        ByteBuf frame = NettyFrames.data(io.netty.buffer.ByteBufAllocator.DEFAULT, 0x0102030405060708L, chunk);
        assertThat(frame.readInt()).isEqualTo(1 + 8 + 3);
        assertThat(frame.readByte()).isEqualTo(FrameCodec.DATA);
        assertThat(frame.readLong()).isEqualTo(0x0102030405060708L);
        assertThat(frame.readByte()).isEqualTo((byte) 5);
        frame.release();
    }

    @Test
    public void macsInEverySpellingHaveOneCanonicalForm() {
        assertThat(Macs.canonical("00-50-56-AA-BB-CC")).isEqualTo("00:50:56:aa:bb:cc");
        assertThat(Macs.canonical(" 00:50:56:aa:bb:cc ")).isEqualTo("00:50:56:aa:bb:cc");
        assertThat(Macs.canonical("0050.56aa.bbcc")).isEqualTo("00:50:56:aa:bb:cc");
        assertThat(Macs.canonical("005056AABBCC")).isEqualTo("00:50:56:aa:bb:cc");
        assertThatThrownBy(() -> Macs.canonical("00:50:56-aa:bb:cc")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> Macs.canonical("00:50:56:aa:bb:cg")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> Macs.canonical("00:00:00:00:00:00")).hasMessageContaining("all-zero");
        assertThatThrownBy(() -> Macs.canonical("ff:ff:ff:ff:ff:ff")).hasMessageContaining("broadcast");
        assertThatThrownBy(() -> Macs.canonical("")).hasMessageContaining("required");
    }
}
