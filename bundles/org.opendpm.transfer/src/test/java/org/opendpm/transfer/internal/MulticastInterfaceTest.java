package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;

import org.junit.Test;

/** Which interface a multicast session sends on and joins its group on (docs/multicast.md, "Addresses"). */
public class MulticastInterfaceTest {

    private static final InetAddress GROUP = address("239.255.26.7");

    @Test
    public void theConfiguredInterfaceWins() throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(address("127.0.0.1"));
        assertThat(MulticastSessions.networkInterface(lo.getName(), GROUP, List.of())).isEqualTo(lo);
    }

    @Test
    public void aConfiguredInterfaceThatDoesNotExistIsNamed() {
        assertThatThrownBy(() -> MulticastSessions.networkInterface("nosuch9", GROUP, List.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("'nosuch9'")
                .hasMessageContaining(AgentLinkService.PID);
    }

    @Test
    public void unconfiguredItIsTheInterfaceOfTheDeployOsLinks() throws IOException {
        // Loopback is never the first usable interface, so only the links can have chosen it.
        InetAddress local = address("127.0.0.1");
        assertThat(MulticastSessions.networkInterface(" ", GROUP, List.of(local, local)))
                .isEqualTo(NetworkInterface.getByInetAddress(local));
    }

    @Test
    public void linksOfTheOtherFamilyDoNotChooseIt() {
        try {
            NetworkInterface chosen = MulticastSessions.networkInterface("", GROUP, List.of(address("::1")));
            assertThat(chosen.inetAddresses()).anyMatch(a -> a.getAddress().length == 4);
            assertThat(chosen.getName()).isNotEqualTo(NetworkInterface.getByInetAddress(address("127.0.0.1"))
                    .getName());
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("no network interface that is up supports multicast");
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
