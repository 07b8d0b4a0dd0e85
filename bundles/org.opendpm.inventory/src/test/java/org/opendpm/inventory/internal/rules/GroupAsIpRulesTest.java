package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import org.junit.Test;

/** INV-8: GroupAsIp.ini. */
public class GroupAsIpRulesTest {

    private static Ipv4 ip(String text) {
        return Ipv4.parse(text);
    }

    @Test
    public void guideExample1_oneAddress_INV8() {
        GroupAsIpRules rules = GroupAsIpRules.parse("/Group1;192.168.1.1").orThrow();
        GroupAsIpRules.Rule rule = rules.match(ip("192.168.1.1")).orElseThrow();
        assertThat(rule.group()).hasToString("/Group1");
        assertThat(rule.network()).isEqualTo(GroupNetwork.SAME_SUBNET);
        assertThat(rules.match(ip("192.168.1.2"))).isEmpty();
    }

    @Test
    public void guideExample2_networkRangeWithoutNetworkAndBroadcast_INV8() {
        GroupAsIpRules rules = GroupAsIpRules.parse("/Group2;192.168.0.0;255.255.0.0").orThrow();
        assertThat(rules.match(ip("192.168.0.1"))).isPresent();
        assertThat(rules.match(ip("192.168.128.77"))).isPresent();
        assertThat(rules.match(ip("192.168.255.254"))).isPresent();
        assertThat(rules.match(ip("192.168.0.0"))).isEmpty();
        assertThat(rules.match(ip("192.168.255.255"))).isEmpty();
        assertThat(rules.match(ip("192.169.0.1"))).isEmpty();
        assertThat(rules.rules().get(0).network()).isEqualTo(GroupNetwork.SAME_SUBNET);
    }

    @Test
    public void guideExample3_rangeAndDifferentSubnet_INV8() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse(
                "/Group3/Subgroup31;172.16.0.0;255.240.0.0;172.16.1.1;255.240.0.0");
        assertThat(result.problems()).isEmpty();
        GroupAsIpRules.Rule rule = result.value().rules().get(0);
        assertThat(rule.addresses()).hasToString("172.16.0.1-172.31.255.254");
        assertThat(rule.group()).hasToString("/Group3/Subgroup31");
        assertThat(rule.network())
                .isEqualTo(GroupNetwork.differentSubnet(ip("172.16.1.1"), SubnetMask.parse("255.240.0.0")));
        assertThat(result.value().match(ip("172.31.255.254"))).isPresent();
        assertThat(result.value().match(ip("172.32.0.1"))).isEmpty();
    }

    @Test
    public void oneAddressWithGatewayAndMaskLeavesTheRangeMaskEmpty() {
        GroupAsIpRules rules = GroupAsIpRules.parse("/G;10.0.0.5;;10.0.0.1;255.0.0.0").orThrow();
        GroupAsIpRules.Rule rule = rules.rules().get(0);
        assertThat(rule.addresses()).isEqualTo(Ipv4Range.single(ip("10.0.0.5")));
        assertThat(rule.network()).isInstanceOf(GroupNetwork.DifferentSubnet.class);
    }

    @Test
    public void fourFieldsAreReadByPositionWithAHint_decision() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse("/G;10.0.0.5;10.0.0.1;255.0.0.0");
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("SubnetMask");
            assertThat(e.message()).contains("not a contiguous subnet mask")
                    .contains("leave this field empty: /G;10.0.0.5;;10.0.0.1;255.0.0.0");
        });
        ParseResult<GroupAsIpRules> gatewayOnly = GroupAsIpRules.parse("/G;10.0.0.0;255.0.0.0;10.0.0.1");
        assertThat(gatewayOnly.hasErrors()).isFalse();
        assertThat(gatewayOnly.warnings()).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("DefaultGateway is given without GroupSubnetMask"));
        assertThat(gatewayOnly.value().rules().get(0).network()).isEqualTo(GroupNetwork.SAME_SUBNET);
    }

    @Test
    public void addressWithHostBitsIsRefusedWithASuggestion_decision() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse("/G;192.168.1.10;255.255.255.0");
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("IP");
            assertThat(e.message()).contains("did you mean 192.168.1.0;255.255.255.0?");
        });
    }

    @Test
    public void malformedLinesAreErrorsWithLineAndField_INV8() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse(String.join("\r\n",
                "/G;192.168.1.256",
                "/G;192.168.1.0;255.255.255.1",
                "/G;0.0.0.0",
                "/G",
                "/G;10.0.0.0;255.0.0.0;10.0.0.1;255.0.0.0;extra",
                "/G;10.0.0.0;255.0.0.0;10.0.0.1;255.0.255.0",
                "/G;10.0.0.0;255.0.0.0;10.0.0.x;255.0.0.0",
                "//G;10.0.0.1",
                "/G;10.1.1.1"));
        assertThat(result.errors()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(1, "IP"), tuple(2, "SubnetMask"), tuple(3, "IP"), tuple(4, null), tuple(5, null),
                tuple(6, "GroupSubnetMask"), tuple(7, "DefaultGateway"), tuple(8, "DestinationGroupPath"));
        assertThat(result.value().rules()).extracting(GroupAsIpRules.Rule::line).containsExactly(9);
    }

    @Test
    public void firstMatchInFileOrderWins_decision() {
        GroupAsIpRules rules = GroupAsIpRules.parse("/Servers;10.0.0.10\n/Office;10.0.0.0;255.0.0.0\n").orThrow();
        assertThat(rules.match(ip("10.0.0.10")).orElseThrow().group()).hasToString("/Servers");
        assertThat(rules.match(ip("10.0.0.11")).orElseThrow().group()).hasToString("/Office");
    }

    @Test
    public void aLineAnEarlierLineCoversIsReportedUnused() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse("/Office;10.0.0.0;255.0.0.0\n/Servers;10.0.0.10\n");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(2);
            assertThat(w.message()).contains("never used").contains("line 1");
        });
        assertThat(result.value().match(ip("10.0.0.10")).orElseThrow().group()).hasToString("/Office");
    }

    @Test
    public void rangeOutsideTheGroupsSubnetIsAWarning() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse("/G;10.0.0.0;255.0.0.0;192.168.1.1;255.255.255.0");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.warnings()).singleElement()
                .satisfies(w -> assertThat(w.message())
                        .contains("not all in the group's subnet 192.168.1.0/255.255.255.0"));
    }

    @Test
    public void oldFormatPathNamesATopLevelGroup_INV8() {
        ParseResult<GroupAsIpRules> result = GroupAsIpRules.parse("Group2;192.168.0.0;255.255.0.0");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.value().rules().get(0).group()).isEqualTo(GroupPath.parse("/Group2"));
    }

    @Test
    public void networkSettingIsSharedAcrossLinesOfOnePath() {
        GroupAsIpRules rules = GroupAsIpRules.parse("/G;10.0.0.5\n/G;10.0.0.6;;10.0.0.1;255.0.0.0\n").orThrow();
        assertThat(rules.networkFor(GroupPath.parse("/G")))
                .contains(GroupNetwork.differentSubnet(ip("10.0.0.1"), SubnetMask.parse("255.0.0.0")));
        assertThat(rules.networkFor(GroupPath.parse("/H"))).isEmpty();
    }

    @Test
    public void noAddressNoMatch() {
        assertThat(GroupAsIpRules.EMPTY.match(ip("10.0.0.1"))).isEmpty();
        assertThat(GroupAsIpRules.parse("/G;10.0.0.1").orThrow().match(null)).isEmpty();
    }
}
