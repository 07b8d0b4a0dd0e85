package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.Test;

/** INV-7 and INV-8 together: which file decides, and which groups get created how. */
public class AutoRegistrationTest {

    private static final GroupNetwork SUBNET_172 = GroupNetwork.differentSubnet(Ipv4.parse("172.16.1.1"),
            SubnetMask.parse("255.240.0.0"));

    private final AutoRegistration registration = new AutoRegistration(
            GroupAsNameRules.parse("/Group1;ComputerA\n/Group2/Subgroup21;ComputerB;192.168.1.1;255.255.0.0\n")
                    .orThrow(),
            GroupAsIpRules.parse("/Group2;192.168.0.0;255.255.0.0\n"
                    + "/Group3/Subgroup31;172.16.0.0;255.240.0.0;172.16.1.1;255.240.0.0\n").orThrow());

    private static Optional<Ipv4> ip(String text) {
        return Optional.of(Ipv4.parse(text));
    }

    @Test
    public void nameFileWinsWhenBothMatch_INV8() {
        AutoRegistration.Destination d = registration.resolve("ComputerA", ip("192.168.3.4")).orElseThrow();
        assertThat(d.group()).hasToString("/Group1");
        assertThat(d.source()).isEqualTo(AutoRegistration.Source.GROUP_AS_NAME);
        assertThat(d.line()).isEqualTo(1);
    }

    @Test
    public void ipFileDecidesWhenTheNameIsUnknown_INV8() {
        AutoRegistration.Destination d = registration.resolve("Other", ip("172.20.0.9")).orElseThrow();
        assertThat(d.group()).hasToString("/Group3/Subgroup31");
        assertThat(d.source()).isEqualTo(AutoRegistration.Source.GROUP_AS_IP);
        assertThat(d.network()).isEqualTo(SUBNET_172);
        assertThat(d.line()).isEqualTo(2);
    }

    @Test
    public void neitherMatches_machineStaysInNewMachine_INV4() {
        assertThat(registration.resolve("Other", ip("10.0.0.1"))).isEmpty();
        assertThat(registration.resolve("Other", Optional.empty())).isEmpty();
        assertThat(
                new AutoRegistration(GroupAsNameRules.EMPTY, GroupAsIpRules.EMPTY).resolve("ComputerA", ip("10.0.0.1")))
                .isEmpty();
    }

    @Test
    public void missingGroupsAreCreatedOutermostFirst_onlyTheDestinationGetsTheGateway_decision() {
        AutoRegistration.Destination d = registration.resolve("ComputerB", Optional.empty()).orElseThrow();
        assertThat(d.groupsToCreate(path -> false)).containsExactly(
                new AutoRegistration.GroupCreation(GroupPath.parse("/Group2"), GroupNetwork.SAME_SUBNET),
                new AutoRegistration.GroupCreation(GroupPath.parse("/Group2/Subgroup21"),
                        GroupNetwork.differentSubnet(Ipv4.parse("192.168.1.1"), SubnetMask.parse("255.255.0.0"))));
        Set<GroupPath> existing = Set.of(GroupPath.parse("/Group2"));
        assertThat(d.groupsToCreate(existing::contains)).extracting(AutoRegistration.GroupCreation::group)
                .containsExactly(GroupPath.parse("/Group2/Subgroup21"));
        Set<GroupPath> all = Set.of(GroupPath.parse("/Group2"), GroupPath.parse("/Group2/Subgroup21"));
        assertThat(d.groupsToCreate(all::contains)).isEmpty();
    }

    @Test
    public void groupComesOutTheSameWhicheverMachineArrivesFirst_decision() {
        AutoRegistration r = new AutoRegistration(
                GroupAsNameRules.parse("/Lab;pc1\n/Lab;pc2;10.1.0.1;255.255.0.0\n").orThrow(),
                GroupAsIpRules.parse("/Lab;10.1.0.0;255.255.0.0\n/Other;10.2.0.0;255.255.0.0\n").orThrow());
        GroupNetwork lab = GroupNetwork.differentSubnet(Ipv4.parse("10.1.0.1"), SubnetMask.parse("255.255.0.0"));
        assertThat(r.resolve("pc1", Optional.empty()).orElseThrow().network()).isEqualTo(lab);
        assertThat(r.resolve("pc2", Optional.empty()).orElseThrow().network()).isEqualTo(lab);
        assertThat(r.resolve("pc3", ip("10.1.2.3")).orElseThrow().network()).isEqualTo(lab);
        assertThat(r.resolve("pc4", ip("10.2.2.3")).orElseThrow().network()).isEqualTo(GroupNetwork.SAME_SUBNET);
    }
}
