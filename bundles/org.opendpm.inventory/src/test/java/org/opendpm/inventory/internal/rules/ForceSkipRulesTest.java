package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.opendpm.api.inventory.BootDecision;
import org.junit.Test;

/** INV-5: forceskip.ini and the boot decision after a network-boot registration. */
public class ForceSkipRulesTest {

    private static MacAddress mac(String text) {
        return MacAddress.parse(text);
    }

    @Test
    public void missingFileMeansStar_everyMachineBootsLocally_INV5() {
        assertThat(ForceSkipRules.DEFAULT.patterns()).extracting(ForceSkipRules.Pattern::glob).containsExactly("*");
        assertThat(ForceSkipRules.DEFAULT.decide(mac("12:34:56:78:9a:bc"))).isEqualTo(BootDecision.LOCAL_BOOT);
    }

    @Test
    public void guideExample_onlyListedVendorsBootLocally_INV5() {
        ParseResult<ForceSkipRules> result = ForceSkipRules.parse("00-50-56-*\r\n00-0C-29-*\r\n");
        assertThat(result.problems()).isEmpty();
        ForceSkipRules rules = result.value();
        assertThat(rules.decide(mac("00:50:56:aa:bb:cc"))).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(rules.decide(mac("00-0c-29-01-02-03"))).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(rules.decide(mac("00:15:5d:01:02:03"))).isEqualTo(BootDecision.REGISTRATION_MENU);
        assertThat(rules.matching(mac("00:0c:29:01:02:03"))).hasValueSatisfying(p -> assertThat(p.line()).isEqualTo(2));
    }

    @Test
    public void questionMarkMatchesOneCharacter_INV5() {
        ForceSkipRules rules = ForceSkipRules.parse("00-50-56-AA-BB-C?").orThrow();
        assertThat(rules.decide(mac("00:50:56:aa:bb:c1"))).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(rules.decide(mac("00:50:56:aa:bb:d1"))).isEqualTo(BootDecision.REGISTRATION_MENU);
    }

    @Test
    public void starInTheMiddleAndCaseInsensitive() {
        ForceSkipRules rules = ForceSkipRules.parse("00-*-cc\n").orThrow();
        assertThat(rules.decide(mac("00:50:56:aa:bb:cc"))).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(rules.decide(mac("02:50:56:aa:bb:cc"))).isEqualTo(BootDecision.REGISTRATION_MENU);
        assertThat(rules.decide(mac("00:50:56:aa:bb:cd"))).isEqualTo(BootDecision.REGISTRATION_MENU);
    }

    @Test
    public void exactMacAndColonPatterns() {
        ForceSkipRules rules = ForceSkipRules.parse("00-50-56-AA-BB-CC\n00:0c:29:*").orThrow();
        assertThat(rules.decide(mac("0050.56aa.bbcc"))).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(rules.decide(mac("00:50:56:aa:bb:cd"))).isEqualTo(BootDecision.REGISTRATION_MENU);
        assertThat(rules.decide(mac("00:0c:29:00:00:01"))).isEqualTo(BootDecision.LOCAL_BOOT);
    }

    @Test
    public void emptyFileMeansNoMachineSkips_decision() {
        ParseResult<ForceSkipRules> result = ForceSkipRules.parse("; every machine shows the menu\n\n");
        assertThat(result.problems()).isEmpty();
        assertThat(result.value().patterns()).isEmpty();
        assertThat(result.value().decide(mac("00:50:56:aa:bb:cc"))).isEqualTo(BootDecision.REGISTRATION_MENU);
    }

    @Test
    public void badLinesAreReportedWithLineNumberAndSkipped_INV5() {
        String file = "# VMware\n00-50-56-*\n\n00-50-5G-*\n00 0C 29 *\n00-0C-29-*\n";
        ParseResult<ForceSkipRules> result = ForceSkipRules.parse(file);
        assertThat(result.errors()).extracting(Problem::line).containsExactly(4, 5);
        assertThat(result.errors().get(0).message()).contains("bad character 'G' at position 8");
        assertThat(result.errors().get(1).message()).contains("bad character ' ' at position 3");
        assertThat(result.errors().get(0))
                .hasToString("line 4, field pattern: '00-50-5G-*': bad character 'G' at position 8;"
                        + " a pattern holds hex digits, '-', '*' and '?', e.g. 00-50-56-*");
        assertThat(result.value().patterns()).extracting(ForceSkipRules.Pattern::line).containsExactly(2, 6);
    }

    @Test
    public void strictModeRefusesABadEdit() {
        ParseResult<ForceSkipRules> result = ForceSkipRules.parse("00-50-56-*\nzz\n");
        assertThatThrownBy(result::orThrow).isInstanceOf(RuleFileException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    public void patternThatCanNeverMatchIsAWarning() {
        ParseResult<ForceSkipRules> result = ForceSkipRules.parse("005056*\n00-50-56-AA-BB-CC-DD\n0?-50-*\n*-CC\n");
        assertThat(result.hasErrors()).isFalse();
        assertThat(result.warnings()).extracting(Problem::line).containsExactly(1, 2);
        assertThat(result.warnings().get(0).message()).contains("can never match").contains("00-50-56-AA-BB-CC");
        assertThat(result.value().patterns()).hasSize(4);
    }

    @Test
    public void wildcardMatcherEdgeCases() {
        assertThat(ForceSkipRules.globMatches("*", "")).isTrue();
        assertThat(ForceSkipRules.globMatches("**A*", "XAY")).isTrue();
        assertThat(ForceSkipRules.globMatches("A*B*C", "AXXBYYC")).isTrue();
        assertThat(ForceSkipRules.globMatches("A*B*C", "AXXBYY")).isFalse();
        assertThat(ForceSkipRules.globMatches("?", "")).isFalse();
        assertThat(ForceSkipRules.canMatchSomeMac("??-??-??-??-??-??")).isTrue();
        assertThat(ForceSkipRules.canMatchSomeMac("?????????????????")).isTrue();
        assertThat(ForceSkipRules.canMatchSomeMac("??????????????????")).isFalse();
        assertThat(ForceSkipRules.canMatchSomeMac("*-*-*-*-*-*")).isTrue();
        assertThat(ForceSkipRules.canMatchSomeMac("*-*-*-*-*-*-*")).isFalse();
    }

    @Test
    public void registrationMenuCarriesTheGuidesTextAndTimings_INV5() {
        BootDecision menu = BootDecision.REGISTRATION_MENU;
        assertThat(menu.message()).isEqualTo(
                "This computer has been just registered by the management server.\nPress F8 to view menu. (30)");
        assertThat(menu.message(12)).endsWith("Press F8 to view menu. (12)");
        assertThat(menu.powerOffAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(menu.menuOptions()).extracting(BootDecision.MenuOption::label).containsExactly("Power Down",
                "Local Boot");
        assertThat(BootDecision.MENU_KEY).isEqualTo("F8");
        assertThatThrownBy(() -> menu.message(31)).hasMessageContaining("30 to 0");
    }

    @Test
    public void localBootHasNoMessageNorPowerOff() {
        assertThat(BootDecision.LOCAL_BOOT.message()).isEmpty();
        assertThat(BootDecision.LOCAL_BOOT.message(5)).isEmpty();
        assertThat(BootDecision.LOCAL_BOOT.powerOffAfter()).isZero();
        assertThat(BootDecision.LOCAL_BOOT.menuOptions()).isEmpty();
    }

    @Test
    public void writesTheFileBack() {
        ForceSkipRules rules = ForceSkipRules.parse("\uFEFF00-50-56-*\n; comment\n00:0c:29:*\n").orThrow();
        assertThat(rules.toFileContent()).isEqualTo("00-50-56-*\r\n00-0C-29-*\r\n");
        assertThat(ForceSkipRules.parse(rules.toFileContent()).orThrow().patterns())
                .extracting(ForceSkipRules.Pattern::glob)
                .containsExactly("00-50-56-*", "00-0C-29-*");
    }
}
