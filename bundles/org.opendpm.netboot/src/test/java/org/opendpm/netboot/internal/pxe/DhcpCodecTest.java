package org.opendpm.netboot.internal.pxe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.Test;
import org.opendpm.netboot.internal.pxe.PxeStats.Malformed;

public class DhcpCodecTest {

    @Test
    public void readsTheHeaderAndOptionsOfAPxeDiscover() throws Exception {
        DhcpPacket p = DhcpCodec.decode(Requests.pxe(DhcpPacket.DISCOVER, 7).raw(0, 0).build());
        assertThat(p.op()).isEqualTo(1);
        assertThat(p.xid()).isEqualTo(0x1234abcd);
        assertThat(p.flags()).isEqualTo(0x8000);
        assertThat(p.mac()).isEqualTo(Requests.MAC_TEXT);
        assertThat(p.messageType()).isEqualTo(DhcpPacket.DISCOVER);
        assertThat(new String(p.option(60).orElseThrow(), StandardCharsets.US_ASCII))
                .isEqualTo("PXEClient:Arch:00007:UNDI:002001");
        assertThat(p.option(93).orElseThrow()).containsExactly(0, 7);
        assertThat(p.options().keySet()).containsExactly(53, 60, 93, 94, 97);
    }

    @Test
    public void joinsAnOptionSplitInPartsAndStopsAtEnd() throws Exception {
        byte[] data = new Requests().option(53, 1).option(60, "PXE").option(60, "Client").raw(255, 60, 99).build(false);
        DhcpPacket p = DhcpCodec.decode(data);
        assertThat(new String(p.option(60).orElseThrow(), StandardCharsets.US_ASCII)).isEqualTo("PXEClient");
    }

    @Test
    public void refusesAnOptionLengthPastTheEnd() {
        byte[] data = new Requests().option(53, 1).raw(60, 40, 'P', 'X', 'E').build(false);
        assertThatThrownBy(() -> DhcpCodec.decode(data)).isInstanceOf(MalformedDhcpException.class)
                .satisfies(e -> assertThat(((MalformedDhcpException) e).kind()).isEqualTo(Malformed.OPTION_OVERRUN));
    }

    @Test
    public void refusesAnOptionCodeWithoutLengthAtTheEnd() {
        byte[] data = new Requests().option(53, 1).raw(93).build(false);
        assertThatThrownBy(() -> DhcpCodec.decode(data))
                .satisfies(e -> assertThat(((MalformedDhcpException) e).kind()).isEqualTo(Malformed.OPTION_OVERRUN));
    }

    @Test
    public void refusesTruncatedPacketsAndMissingCookie() {
        byte[] full = Requests.pxe(1, 0).build();
        for (int len : new int[]{ 0, 1, 100, 236, 239 }) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThatThrownBy(() -> DhcpCodec.decode(cut)).as("length %d", len)
                    .satisfies(e -> assertThat(((MalformedDhcpException) e).kind()).isEqualTo(Malformed.TRUNCATED));
        }
        byte[] noCookie = new Requests().noCookie().option(53, 1).build();
        assertThatThrownBy(() -> DhcpCodec.decode(noCookie)).satisfies(
                e -> assertThat(((MalformedDhcpException) e).kind()).isEqualTo(Malformed.BAD_MAGIC_COOKIE));
    }

    @Test
    public void everyPrefixOfAValidPacketIsReadOrRefusedNeverThrowsOtherwise() {
        byte[] full = Requests.pxe(3, 7).option(43, 71, 4, 0x80, 0, 0, 0, 255).build();
        for (int len = 0; len <= full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            try {
                PxeRequest.of(DhcpCodec.decode(cut));
            } catch (MalformedDhcpException expected) {
                assertThat(expected.kind()).isNotNull();
            }
        }
    }

    @Test
    public void writesWhatItReadsAndSplitsLongOptions() throws Exception {
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        options.put(53, new byte[]{ 2 });
        byte[] longValue = new byte[300];
        Arrays.fill(longValue, (byte) 'x');
        options.put(43, longValue);
        DhcpPacket out = new DhcpPacket(2, 1, 6, 0, 42, 0, 0x8000, null, null, new byte[]{ 10, 0, 0, 1 }, null,
                Requests.MAC, "", "pxelinux.0", options);
        byte[] wire = DhcpCodec.encode(out);
        assertThat(wire.length).isGreaterThanOrEqualTo(300);
        DhcpPacket back = DhcpCodec.decode(wire);
        assertThat(back.file()).isEqualTo("pxelinux.0");
        assertThat(back.siaddr()).containsExactly(10, 0, 0, 1);
        assertThat(back.xid()).isEqualTo(42);
        assertThat(back.option(43).orElseThrow()).isEqualTo(longValue);
        assertThat(back.mac()).isEqualTo(Requests.MAC_TEXT);
    }

    @Test
    public void refusesABootFileTooLongForTheField() {
        DhcpPacket out = new DhcpPacket(2, 1, 6, 0, 1, 0, 0, null, null, null, null, Requests.MAC, "",
                "x".repeat(128), Map.of());
        assertThatThrownBy(() -> DhcpCodec.encode(out)).isInstanceOf(IllegalArgumentException.class);
    }
}
