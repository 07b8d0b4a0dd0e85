package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;

/** IPv4 helpers behind GroupAsIp.ini (INV-8) and group network settings (INV-2). */
public class Ipv4Test {

    @Test
    public void parsesAndPrintsDottedDecimal() {
        assertThat(Ipv4.parse("192.168.0.1").toString()).isEqualTo("192.168.0.1");
        assertThat(Ipv4.parse("0.0.0.0").bits()).isZero();
        assertThat(Ipv4.parse("255.255.255.255").bits()).isEqualTo(-1);
        assertThat(Ipv4.of(172, 16, 1, 1)).isEqualTo(Ipv4.parse("172.16.1.1"));
    }

    @Test
    public void refusesMalformedAddressesNamingTheOctet() {
        assertThatThrownBy(() -> Ipv4.parse("192.168.1"))
                .hasMessageContaining("expected 4 dot-separated octets, found 3");
        assertThatThrownBy(() -> Ipv4.parse("192.168.1.256")).hasMessageContaining("octet 4 is 256, more than 255");
        assertThatThrownBy(() -> Ipv4.parse("192.168.01.1")).hasMessageContaining("octet 3 '01' has a leading zero");
        assertThatThrownBy(() -> Ipv4.parse("192..1.1")).hasMessageContaining("octet 2 is empty");
        assertThatThrownBy(() -> Ipv4.parse("192.16a.1.1"))
                .hasMessageContaining("octet 2 '16a' is not a decimal number");
        assertThatThrownBy(() -> Ipv4.parse("1.2.3.4.5")).hasMessageContaining("found 5");
        assertThatThrownBy(() -> Ipv4.parse(" 1.2.3.4")).hasMessageContaining("octet 1");
        assertThatThrownBy(() -> Ipv4.parse("")).hasMessageContaining("required");
        assertThatThrownBy(() -> Ipv4.parse("1.2.3.+4")).hasMessageContaining("not a decimal number");
    }

    @Test
    public void ordersUnsigned() {
        assertThat(Ipv4.parse("200.0.0.1")).isGreaterThan(Ipv4.parse("10.0.0.1"));
        assertThat(Ipv4.parse("128.0.0.0").unsigned()).isEqualTo(0x80000000L);
    }

    @Test
    public void hostProblemNamesUnusableAddresses() {
        assertThat(Ipv4.parse("192.168.1.10").hostProblem()).isEmpty();
        assertThat(Ipv4.parse("169.254.3.4").hostProblem()).isEmpty();
        assertThat(Ipv4.parse("0.0.0.0").hostProblem()).hasValueSatisfying(p -> assertThat(p).contains("unspecified"));
        assertThat(Ipv4.parse("255.255.255.255").hostProblem())
                .hasValueSatisfying(p -> assertThat(p).contains("broadcast"));
        assertThat(Ipv4.parse("127.0.0.1").hostProblem()).hasValueSatisfying(p -> assertThat(p).contains("loopback"));
        assertThat(Ipv4.parse("224.0.0.5").hostProblem()).hasValueSatisfying(p -> assertThat(p).contains("multicast"));
        assertThat(Ipv4.parse("240.0.0.1").hostProblem()).hasValueSatisfying(p -> assertThat(p).contains("reserved"));
    }

    @Test
    public void masksMustBeContiguous() {
        assertThat(SubnetMask.parse("255.255.0.0").prefixLength()).isEqualTo(16);
        assertThat(SubnetMask.parse("255.240.0.0").prefixLength()).isEqualTo(12);
        assertThat(SubnetMask.parse("255.255.255.255").prefixLength()).isEqualTo(32);
        assertThat(SubnetMask.parse("0.0.0.0").prefixLength()).isZero();
        assertThat(SubnetMask.parse("255.255.255.128").toString()).isEqualTo("255.255.255.128");
        assertThat(new SubnetMask(0).toString()).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> SubnetMask.parse("255.0.255.0")).hasMessageContaining("not a contiguous subnet mask");
        assertThatThrownBy(() -> SubnetMask.parse("0.255.255.255"))
                .hasMessageContaining("not a contiguous subnet mask");
        assertThatThrownBy(() -> SubnetMask.parse("255.255.0")).hasMessageContaining("is not a subnet mask");
        assertThatThrownBy(() -> new SubnetMask(33)).hasMessageContaining("0..32");
    }

    @Test
    public void hostRangeExcludesNetworkAndBroadcast_INV8Example2() {
        Ipv4Range range = Ipv4Range.hostsOf(Ipv4.parse("192.168.0.0"), SubnetMask.parse("255.255.0.0"));
        assertThat(range.first()).isEqualTo(Ipv4.parse("192.168.0.1"));
        assertThat(range.last()).isEqualTo(Ipv4.parse("192.168.255.254"));
        assertThat(range.size()).isEqualTo(65534);
        assertThat(range.contains(Ipv4.parse("192.168.0.0"))).isFalse();
        assertThat(range.contains(Ipv4.parse("192.168.255.255"))).isFalse();
    }

    @Test
    public void hostRangeOfExample3_INV8() {
        Ipv4Range range = Ipv4Range.hostsOf(Ipv4.parse("172.16.0.0"), SubnetMask.parse("255.240.0.0"));
        assertThat(range).hasToString("172.16.0.1-172.31.255.254");
    }

    @Test
    public void slash31AndSlash32KeepEveryAddress() {
        assertThat(Ipv4Range.hostsOf(Ipv4.parse("10.0.0.4"), new SubnetMask(31))).hasToString("10.0.0.4-10.0.0.5");
        assertThat(Ipv4Range.hostsOf(Ipv4.parse("10.0.0.4"), new SubnetMask(32))).hasToString("10.0.0.4");
        assertThat(Ipv4Range.hostsOf(Ipv4.parse("0.0.0.0"), new SubnetMask(0))).hasToString("0.0.0.1-255.255.255.254");
    }

    @Test
    public void hostRangeRefusesAnAddressWithHostBits() {
        assertThatThrownBy(() -> Ipv4Range.hostsOf(Ipv4.parse("192.168.1.10"), SubnetMask.parse("255.255.255.0")))
                .hasMessageContaining("not the network address").hasMessageContaining("192.168.1.0");
    }

    @Test
    public void rangeCoversAndRefusesInvertedBounds() {
        Ipv4Range wide = Ipv4Range.hostsOf(Ipv4.parse("10.0.0.0"), new SubnetMask(8));
        assertThat(wide.covers(Ipv4Range.single(Ipv4.parse("10.1.2.3")))).isTrue();
        assertThat(wide.covers(Ipv4Range.hostsOf(Ipv4.parse("10.0.0.0"), new SubnetMask(7)))).isFalse();
        assertThatThrownBy(() -> new Ipv4Range(Ipv4.parse("10.0.0.2"), Ipv4.parse("10.0.0.1")))
                .hasMessageContaining("after its end");
    }
}
