package org.opendpm.netboot.internal.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.opendpm.netboot.internal.tftp.OptionNegotiator.Negotiated;
import org.opendpm.netboot.internal.tftp.OptionNegotiator.OptionRefusedException;
import org.opendpm.netboot.internal.tftp.TftpPacket.Option;

/** Option negotiation rules of RFC 2347/2348/2349/7440 as documented on OptionNegotiator (NET-1). */
public class OptionNegotiatorTest {

    private final OptionNegotiator negotiator = new OptionNegotiator(65464, 64, 1000);

    private static List<Option> opts(String... nv) {
        List<Option> l = new ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
            l.add(new Option(nv[i], nv[i + 1]));
        }
        return l;
    }

    private Negotiated ok(String... nv) throws OptionRefusedException {
        return negotiator.negotiate(opts(nv));
    }

    private void refused(String... nv) {
        assertThatThrownBy(() -> negotiator.negotiate(opts(nv))).isInstanceOf(OptionRefusedException.class);
    }

    @Test
    public void noOptionsMeansRfc1350Defaults() throws Exception {
        Negotiated n = ok();
        assertThat(n.blockSize()).isEqualTo(512);
        assertThat(n.windowSize()).isEqualTo(1);
        assertThat(n.timeoutMillis()).isEqualTo(1000);
        assertThat(n.hasOptionAck()).isFalse();
    }

    @Test
    public void blksizeRange() throws Exception {
        refused("blksize", "7");
        refused("blksize", "0");
        assertThat(ok("blksize", "8").blockSize()).isEqualTo(8);
        assertThat(ok("blksize", "65464").blockSize()).isEqualTo(65464);
        // above the RFC maximum: answered with our maximum (RFC 2348 allows a smaller value)
        assertThat(ok("blksize", "65465").optionAck(0)).containsExactly(new Option("blksize", "65464"));
        assertThat(ok("blksize", "65536").blockSize()).isEqualTo(65464);
        OptionNegotiator small = new OptionNegotiator(1468, 16, 1000);
        assertThat(small.negotiate(opts("blksize", "8192")).blockSize()).isEqualTo(1468);
    }

    @Test
    public void timeoutRange() throws Exception {
        refused("timeout", "0");
        refused("timeout", "256");
        assertThat(ok("timeout", "1").timeoutMillis()).isEqualTo(1000);
        Negotiated n = ok("timeout", "255");
        assertThat(n.timeoutMillis()).isEqualTo(255_000);
        assertThat(n.optionAck(0)).containsExactly(new Option("timeout", "255"));
    }

    @Test
    public void windowsizeRange() throws Exception {
        refused("windowsize", "0");
        assertThat(ok("windowsize", "1").windowSize()).isEqualTo(1);
        assertThat(ok("windowsize", "16").windowSize()).isEqualTo(16);
        assertThat(ok("windowsize", "65535").windowSize()).isEqualTo(64);
        assertThat(ok("windowsize", "70000").windowSize()).isEqualTo(64);
    }

    @Test
    public void tsizeIsAnsweredWithTheRealSize() throws Exception {
        Negotiated n = ok("tsize", "0");
        assertThat(n.tsizeRequested()).isTrue();
        assertThat(n.optionAck(123456789L)).containsExactly(new Option("tsize", "123456789"));
    }

    @Test
    public void unknownOptionsAreIgnoredNotRefused() throws Exception {
        Negotiated n = ok("multicast", "", "rollover", "1", "blksize", "1468", "utimeout", "x");
        assertThat(n.optionAck(0)).containsExactly(new Option("blksize", "1468"));
        Negotiated none = ok("foo", "bar", "foo", "baz");
        assertThat(none.hasOptionAck()).isFalse();
    }

    @Test
    public void duplicateSupportedOptionsAreRefused() {
        refused("blksize", "512", "blksize", "1024");
        refused("tsize", "0", "windowsize", "4", "tsize", "0");
    }

    @Test
    public void nonNumericValuesAreRefused() {
        refused("blksize", "abc");
        refused("blksize", "-8");
        refused("blksize", "+512");
        refused("blksize", " 512");
        refused("blksize", "");
        refused("timeout", "99999999999");
        refused("tsize", "9999999999999999999"); // 19 digits: beyond a long
        refused("windowsize", "1.5");
    }

    @Test
    public void oackKeepsTheClientsOrder() throws Exception {
        Negotiated n = ok("windowsize", "8", "tsize", "0", "blksize", "1428", "timeout", "3");
        assertThat(n.optionAck(10)).extracting(Option::name).containsExactly("windowsize", "tsize", "blksize",
                "timeout");
    }
}
