package org.opendpm.netboot.internal.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.netboot.internal.url.HttpBases.Known;
import org.opendpm.netboot.internal.url.HttpBases.LocalAddress;

/** The HTTP base URL a machine reaches the server by (OSI-2, HWS-1: the URLs the installer and the flash get). */
public class HttpBasesTest {

    private static final List<LocalAddress> ONE = List.of(local("192.0.2.1", 24), local("fe80::1", 64));
    private static final List<LocalAddress> TWO = List.of(local("192.0.2.1", 24), local("198.51.100.1", 24),
            local("169.254.7.7", 16));

    @Test
    public void oneInterfaceIsTheAnswerForAMachineNeverSeen() {
        assertThat(HttpBases.httpBase(known("", Optional.empty(), Optional.empty(), ONE)))
                .isEqualTo("http://192.0.2.1:8181");
    }

    @Test
    public void ofSeveralInterfacesTheOneOnTheMachinesSubnetIsChosen() {
        assertThat(HttpBases.httpBase(known("", Optional.empty(), Optional.of("198.51.100.77"), TWO)))
                .isEqualTo("http://198.51.100.1:8181");
        assertThat(HttpBases.httpBase(known("", Optional.empty(), Optional.of("192.0.2.200"), TWO)))
                .isEqualTo("http://192.0.2.1:8181");
    }

    @Test
    public void theAddressTheMachinesLatestBootCameToGoesBeforeTheInterfaces() {
        BootAddress pxe = BootAddress.fromLocalAddress(ip("198.51.100.1")).orElseThrow();
        assertThat(HttpBases.httpBase(known("", Optional.of(pxe), Optional.of("192.0.2.200"), TWO)))
                .isEqualTo("http://198.51.100.1:8181");
        // Through NAT the Host the machine used is the only right answer, port included.
        BootAddress nat = BootAddress.fromHostHeader("10.0.2.2:18181").orElseThrow();
        assertThat(HttpBases.httpBase(known("", Optional.of(nat), Optional.empty(), TWO)))
                .isEqualTo("http://10.0.2.2:18181");
        assertThat(HttpBases.httpBase(known("", Optional.of(BootAddress.fromHostHeader("boot.example.org")
                .orElseThrow()), Optional.empty(), TWO))).isEqualTo("http://boot.example.org");
    }

    @Test
    public void theAdvertisedAddressWinsOverEverythingKnown() {
        BootAddress nat = BootAddress.fromHostHeader("10.0.2.2:18181").orElseThrow();
        assertThat(HttpBases.httpBase(known("dpm.example.org", Optional.of(nat), Optional.of("192.0.2.200"), TWO)))
                .isEqualTo("http://dpm.example.org:8181");
    }

    @Test
    public void nothingKnownIsAClearErrorNamingTheSetting() {
        assertThatThrownBy(() -> HttpBases.httpBase(known("", Optional.empty(), Optional.empty(), TWO)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("web01 reaches this server")
                .hasMessageContaining("2 addresses (192.0.2.1, 198.51.100.1)")
                .hasMessageContaining("Set advertisedAddress in etc/org.opendpm.netboot.http.cfg");
        assertThatThrownBy(() -> HttpBases.httpBase(known("", Optional.empty(), Optional.of("203.0.113.9"), TWO)))
                .hasMessageContaining("no server address is on the subnet of its IP address 203.0.113.9");
        assertThatThrownBy(() -> HttpBases.httpBase(known("", Optional.empty(), Optional.empty(),
                List.of(local("127.0.0.1", 8), local("169.254.1.1", 16)))))
                .hasMessageContaining("no usable address");
        // A malformed inventory address is not looked up as a name, it is simply not used.
        assertThatThrownBy(() -> HttpBases.httpBase(known("", Optional.empty(), Optional.of("999.1.1.1"), TWO)))
                .hasMessageContaining("2 addresses");
    }

    @Test
    public void hostHeadersThatAreLoopbackOrMalformedAreNotRecorded() {
        for (String bad : List.of("localhost:8181", "127.0.0.1:8181", "[::1]:8181", "0.0.0.0", "a b", "host:0",
                "host:65536", "host:", "-host", "x".repeat(262), "host/path", "")) {
            assertThat(BootAddress.fromHostHeader(bad)).as(bad).isEmpty();
        }
        assertThat(BootAddress.fromHostHeader(null)).isEmpty();
        assertThat(BootAddress.fromHostHeader("[2001:db8::1]:8181"))
                .contains(new BootAddress("[2001:db8::1]", OptionalInt.of(8181)));
        assertThat(BootAddress.fromLocalAddress(ip("127.0.0.1"))).isEmpty();
        assertThat(BootAddress.fromLocalAddress(ip("0.0.0.0"))).isEmpty();
    }

    @Test
    public void theRecordKeepsTheLatestBootAndStopsGrowingAtItsCap() {
        BootAddresses addresses = new BootAddresses(1);
        BootAddress a = BootAddress.fromLocalAddress(ip("192.0.2.1")).orElseThrow();
        BootAddress b = BootAddress.fromLocalAddress(ip("198.51.100.1")).orElseThrow();
        addresses.record(1, a);
        addresses.record(2, a);
        addresses.record(1, b);
        assertThat(addresses.latest(1)).contains(b);
        assertThat(addresses.latest(2)).isEmpty();
    }

    private static Known known(String advertised, Optional<BootAddress> latest, Optional<String> machineIp,
            List<LocalAddress> local) {
        return new Known("web01", advertised, 8181, latest, machineIp, local);
    }

    private static LocalAddress local(String address, int prefix) {
        return new LocalAddress(ip(address), prefix);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
