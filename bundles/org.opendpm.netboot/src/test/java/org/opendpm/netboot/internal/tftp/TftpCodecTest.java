package org.opendpm.netboot.internal.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;
import org.opendpm.netboot.internal.tftp.TftpPacket.Mode;
import org.opendpm.netboot.internal.tftp.TftpPacket.Option;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** Packet codec, including every kind of truncated or broken packet (NET-1). */
public class TftpCodecTest {

    private static ByteBuf bytes(int... b) {
        byte[] a = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            a[i] = (byte) b[i];
        }
        return Unpooled.wrappedBuffer(a);
    }

    private static ByteBuf raw(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static MalformedPacketException malformed(ByteBuf buf) {
        try {
            TftpPacket p = TftpCodec.decode(buf);
            throw new AssertionError("decoded " + p);
        } catch (MalformedPacketException e) {
            return e;
        }
    }

    @Test
    public void decodesReadRequestWithOptionsCaseInsensitively() throws Exception {
        TftpPacket p = TftpCodec.decode(raw("\0\1pxelinux.0\0OCTET\0BlkSize\0001468\0tsize\0000\0"));
        assertThat(p).isEqualTo(new TftpPacket.Request(false, "pxelinux.0", Mode.OCTET,
                List.of(new Option("blksize", "1468"), new Option("tsize", "0"))));
    }

    @Test
    public void decodesWriteRequestInNetascii() throws Exception {
        TftpPacket p = TftpCodec.decode(raw("\0\2up/log.txt\0netascii\0"));
        assertThat(p).isEqualTo(new TftpPacket.Request(true, "up/log.txt", Mode.NETASCII, List.of()));
    }

    @Test
    public void keepsDuplicateOptionsForTheNegotiator() throws Exception {
        TftpPacket.Request p = (TftpPacket.Request) TftpCodec
                .decode(raw("\0\1f\0octet\0blksize\u0000512\0BLKSIZE\0001024\0"));
        assertThat(p.options()).extracting(Option::name).containsExactly("blksize", "blksize");
    }

    @Test
    public void toleratesTrailingNulPadding() throws Exception {
        TftpPacket.Request p = (TftpPacket.Request) TftpCodec.decode(raw("\0\1f\0octet\0tsize\0000\0\0\0\0"));
        assertThat(p.options()).containsExactly(new Option("tsize", "0"));
    }

    @Test
    public void truncatedPacketsOfEveryTypeAreMalformed() {
        // opcode itself truncated
        assertThat(malformed(bytes()).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(malformed(bytes(0)).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        // RRQ / WRQ: no file name, file name without NUL, mode without NUL
        assertThat(malformed(bytes(0, 1)).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(malformed(raw("\0\1pxelinux.0")).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(malformed(raw("\0\2file\0octet")).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        // DATA and ACK shorter than 4 bytes
        assertThat(malformed(bytes(0, 3, 0)).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(malformed(bytes(0, 4)).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(malformed(bytes(0, 4, 1)).kind()).isEqualTo(ErrorKind.MALFORMED);
        // ERROR: malformed but never answered (no error ping-pong)
        MalformedPacketException e = malformed(bytes(0, 5, 0));
        assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED);
        assertThat(e.reply()).isNull();
    }

    @Test
    public void optionBlockWithoutItsNulIsRefusedWithError8() {
        assertThat(malformed(raw("\0\1f\0octet\0blksize\0001468")).reply()).isEqualTo(TftpErrorCode.OPTION_NEGOTIATION);
        assertThat(malformed(raw("\0\1f\0octet\0blksize")).reply()).isEqualTo(TftpErrorCode.OPTION_NEGOTIATION);
        assertThat(malformed(raw("\0\1f\0octet\0blksize\0")).reply()).isEqualTo(TftpErrorCode.OPTION_NEGOTIATION);
        assertThat(malformed(raw("\0\1f\0octet\0\0x\0")).reply()).isEqualTo(TftpErrorCode.OPTION_NEGOTIATION);
    }

    @Test
    public void unknownOpcodesAndModes() {
        for (int op : new int[]{ 0, 7, 255, 0xFFFF }) {
            MalformedPacketException e = malformed(bytes(op >> 8, op & 0xFF, 0, 0));
            assertThat(e.kind()).as("opcode %d", op).isEqualTo(ErrorKind.UNKNOWN_OPCODE);
            assertThat(e.reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
        }
        assertThat(malformed(raw("\0\1f\0binary\0")).reply()).isEqualTo(TftpErrorCode.ILLEGAL_OPERATION);
    }

    @Test
    public void dataAckErrorAndOackDecode() throws Exception {
        TftpPacket.Data d = (TftpPacket.Data) TftpCodec.decode(bytes(0, 3, 0xFF, 0xFF, 'a', 'b'));
        assertThat(d.block()).isEqualTo(65535);
        assertThat(d.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
        d.content().release();
        TftpPacket.Data empty = (TftpPacket.Data) TftpCodec.decode(bytes(0, 3, 0, 0));
        assertThat(empty.block()).isZero();
        assertThat(empty.content().readableBytes()).isZero();
        empty.content().release();
        assertThat(TftpCodec.decode(bytes(0, 4, 1, 2))).isEqualTo(new TftpPacket.Ack(258));
        assertThat(TftpCodec.decode(raw("\0\5\0\1File not found\0")))
                .isEqualTo(new TftpPacket.Error(1, "File not found"));
        // an ERROR whose message lacks its NUL still says what it means
        assertThat(TftpCodec.decode(raw("\0\5\0\10no nul"))).isEqualTo(new TftpPacket.Error(8, "no nul"));
        assertThat(TftpCodec.decode(raw("\0\6blksize\0001468\0")))
                .isEqualTo(new TftpPacket.OptionAck(List.of(new Option("blksize", "1468"))));
    }

    @Test
    public void encodesWhatItDecodes() throws Exception {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        ByteBuf oack = TftpCodec.optionAck(alloc, List.of(new Option("blksize", "8"), new Option("tsize", "99")));
        assertThat(TftpCodec.decode(oack)).isEqualTo(new TftpPacket.OptionAck(
                List.of(new Option("blksize", "8"), new Option("tsize", "99"))));
        oack.release();
        ByteBuf err = TftpCodec.error(alloc, TftpErrorCode.ACCESS_VIOLATION, "Access violation");
        assertThat(TftpCodec.decode(err)).isEqualTo(new TftpPacket.Error(2, "Access violation"));
        err.release();
        ByteBuf ack = TftpCodec.ack(alloc, 65536 + 7);
        assertThat(TftpCodec.decode(ack)).isEqualTo(new TftpPacket.Ack(7));
        ack.release();
        ByteBuf req = TftpCodec.request(alloc, true, "a/b", "octet", List.of(new Option("windowsize", "16")));
        assertThat(TftpCodec.decode(req)).isEqualTo(new TftpPacket.Request(true, "a/b", Mode.OCTET,
                List.of(new Option("windowsize", "16"))));
        req.release();
    }

    @Test
    public void errorCodesMapBothWays() {
        for (TftpErrorCode c : TftpErrorCode.values()) {
            assertThat(TftpErrorCode.of(c.code())).isEqualTo(c);
        }
        assertThat(TftpErrorCode.of(42)).isEqualTo(TftpErrorCode.NOT_DEFINED);
    }

    @Test
    public void netasciiRoundTrip() {
        byte[] text = "a\nb\r\nc\rd\r".getBytes(StandardCharsets.US_ASCII);
        byte[] wire = Netascii.encode(text);
        assertThat(new String(wire, StandardCharsets.US_ASCII)).isEqualTo("a\r\nb\r\0\r\nc\r\0d\r\0");
        // decode split at every point: a CR at the end of one block pairs with the next block
        for (int split = 0; split <= wire.length; split++) {
            Netascii.Decoder d = new Netascii.Decoder();
            ByteBuf out = Unpooled.buffer();
            d.decode(Unpooled.wrappedBuffer(wire, 0, split), out);
            d.decode(Unpooled.wrappedBuffer(wire, split, wire.length - split), out);
            d.finish(out);
            assertThat(out.toString(StandardCharsets.US_ASCII)).as("split %d", split)
                    .isEqualTo(new String(text, StandardCharsets.US_ASCII));
        }
    }
}
