package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import org.junit.Test;

/** INV-7: GroupAsName.ini. */
public class GroupAsNameRulesTest {

    @Test
    public void guideExample1_sameSubnet_INV7() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("/Group1;ComputerA\r\n");
        assertThat(result.problems()).isEmpty();
        GroupAsNameRules.Rule rule = result.value().match("ComputerA").orElseThrow();
        assertThat(rule.group()).isEqualTo(GroupPath.parse("/Group1"));
        assertThat(rule.network()).isEqualTo(GroupNetwork.SAME_SUBNET);
        assertThat(rule.line()).isEqualTo(1);
    }

    @Test
    public void guideExample2_differentSubnet_INV7() {
        GroupAsNameRules rules = GroupAsNameRules.parse("/Group2/Subgroup21;ComputerB;192.168.1.1;255.255.0.0")
                .orThrow();
        GroupAsNameRules.Rule rule = rules.match("ComputerB").orElseThrow();
        assertThat(rule.group()).hasToString("/Group2/Subgroup21");
        assertThat(rule.network()).isEqualTo(
                GroupNetwork.differentSubnet(Ipv4.parse("192.168.1.1"), SubnetMask.parse("255.255.0.0")));
        assertThat(rules.networkFor(GroupPath.parse("/Group2/Subgroup21"))).contains(rule.network());
    }

    @Test
    public void blanksAroundFieldsAreDropped() {
        GroupAsNameRules rules = GroupAsNameRules.parse("  /Group2 ; ComputerB ; 192.168.1.1 ; 255.255.0.0  ")
                .orThrow();
        assertThat(rules.match("ComputerB")).isPresent();
    }

    @Test
    public void namesMatchIgnoringCaseAndExactlyOtherwise_decision() {
        GroupAsNameRules rules = GroupAsNameRules.parse("/G;ComputerA").orThrow();
        assertThat(rules.match("computera")).isPresent();
        assertThat(rules.match("COMPUTERA ")).isPresent();
        assertThat(rules.match("ComputerA2")).isEmpty();
        assertThat(rules.match("")).isEmpty();
        assertThat(rules.match(null)).isEmpty();
    }

    @Test
    public void wildcardsAreRefused_decision() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("/G;PC*\n/G;PC?1");
        assertThat(result.errors()).extracting(Problem::line).containsExactly(1, 2);
        assertThat(result.errors().get(0).field()).isEqualTo("MachineName");
        assertThat(result.errors().get(0).message()).contains("wildcards are not supported");
    }

    @Test
    public void oneOfGatewayAndMaskMeansSameSubnetWithAWarning_INV7() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("/G;A;192.168.1.1\n/H;B;;255.255.0.0\n/I;C;;\n");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.warnings()).extracting(Problem::line).containsExactly(1, 2);
        assertThat(result.warnings().get(0).message()).contains("DefaultGateway is given without SubnetMask");
        assertThat(result.value().rules()).extracting(GroupAsNameRules.Rule::network)
                .containsOnly(GroupNetwork.SAME_SUBNET);
    }

    @Test
    public void wrongFieldCountsAreErrors() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("/G\n/G;A;1.1.1.1;255.0.0.0;x\n");
        assertThat(result.errors()).hasSize(2);
        assertThat(result.errors().get(0).message()).contains("at least 2 fields").contains("found 1");
        assertThat(result.errors().get(1).message()).contains("at most 4 fields").contains("found 5");
        assertThat(result.value().rules()).isEmpty();
    }

    @Test
    public void badValuesNameTheirField() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse(String.join("\n",
                "/G//H;A", "/G;", "/G;A;192.168.1.300;255.255.0.0", "/G;B;192.168.1.1;255.0.255.0",
                "/G;C;192.168.0.0;255.255.0.0", "/;D", "/G;E;192.168.255.255;255.255.0.0"));
        assertThat(result.errors()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(1, "DestinationGroupPath"),
                tuple(2, "MachineName"),
                tuple(3, "DefaultGateway"),
                tuple(4, "SubnetMask"),
                tuple(5, "DefaultGateway"),
                tuple(6, "DestinationGroupPath"),
                tuple(7, "DefaultGateway"));
        assertThat(result.errors().get(4).message()).contains("network address");
        assertThat(result.errors().get(6).message()).contains("broadcast address");
    }

    @Test
    public void gatewayNeedsARealSubnet() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules
                .parse("/G;A;10.0.0.1;0.0.0.0\n/G;B;127.0.0.1;255.0.0.0\n");
        assertThat(result.errors()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1, "SubnetMask"), tuple(2, "DefaultGateway"));
        assertThat(result.errors().get(1).message()).contains("loopback");
    }

    @Test
    public void commentsBlankLinesAndBomAreIgnored() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("\uFEFF; rules\r\n\r\n# more\r\n/G;A\r\n");
        assertThat(result.problems()).isEmpty();
        assertThat(result.value().rules()).singleElement().satisfies(r -> assertThat(r.line()).isEqualTo(4));
    }

    @Test
    public void oldFormatGroupIsUnderTheRootWithAWarning_INV7() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("Group1;ComputerA");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.value().match("ComputerA").orElseThrow().group()).isEqualTo(GroupPath.parse("/Group1"));
        assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w.message()).contains("before 6.02"));
    }

    @Test
    public void firstLineWinsForARepeatedName_decision() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse("/A;pc1\n/B;PC1\n");
        assertThat(result.value().match("pc1").orElseThrow().group()).hasToString("/A");
        assertThat(result.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(2);
            assertThat(w.message()).contains("already matched by line 1");
        });
        assertThat(result.orThrow()).isNotNull();
    }

    @Test
    public void contradictingNetworkSettingsForOneGroupAreAnError_decision() {
        ParseResult<GroupAsNameRules> result = GroupAsNameRules.parse(
                "/G;A;10.0.0.1;255.0.0.0\n/G;B;10.0.0.254;255.0.0.0\n/G;C;10.0.0.1;255.0.0.0\n/G;D\n");
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.message()).contains("line 1").contains("one network setting");
        });
        assertThat(result.value().rules()).extracting(GroupAsNameRules.Rule::machineName).containsExactly("A", "C",
                "D");
        assertThatThrownBy(result::orThrow).isInstanceOf(RuleFileException.class)
                .satisfies(e -> assertThat(((RuleFileException) e).problems()).hasSize(1));
    }
}
