package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;

/** INV-3: NIC MAC addresses in every spelling an administrator meets. */
public class MacAddressTest {

    private static final String CANONICAL = "00:50:56:aa:bb:cc";

    @Test
    public void acceptsTheFourSpellings_INV3() {
        assertThat(MacAddress.parse("00-50-56-AA-BB-CC")).hasToString(CANONICAL);
        assertThat(MacAddress.parse("00:50:56:aa:bb:cc")).hasToString(CANONICAL);
        assertThat(MacAddress.parse("0050.56aa.bbcc")).hasToString(CANONICAL);
        assertThat(MacAddress.parse("005056AABBCC")).hasToString(CANONICAL);
        assertThat(MacAddress.parse("  00-50-56-aA-Bb-cC \t")).hasToString(CANONICAL);
    }

    @Test
    public void equalWhateverTheSpelling() {
        assertThat(MacAddress.parse("00-50-56-AA-BB-CC")).isEqualTo(MacAddress.parse("0050.56aa.bbcc"));
    }

    @Test
    public void printsTheGuidesForm() {
        assertThat(MacAddress.parse(CANONICAL).toHyphenUpper()).isEqualTo("00-50-56-AA-BB-CC");
    }

    @Test
    public void givesTheBytes() {
        assertThat(MacAddress.parse("00:50:56:aa:bb:cc").bytes())
                .containsExactly(0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc);
    }

    @Test
    public void reportsWrongLength() {
        assertThatThrownBy(() -> MacAddress.parse("00-50-56-AA-BB")).hasMessageContaining("has 14 characters")
                .hasMessageContaining("the separated form XX-XX-XX-XX-XX-XX has 17");
        assertThatThrownBy(() -> MacAddress.parse("0050.56aa.bbc")).hasMessageContaining("has 13 characters")
                .hasMessageContaining("dotted form xxxx.xxxx.xxxx has 14");
        assertThatThrownBy(() -> MacAddress.parse("00505")).hasMessageContaining("has 5 characters")
                .hasMessageContaining("12 bare hex digits has 12");
        assertThatThrownBy(() -> MacAddress.parse("")).hasMessageContaining("required");
        assertThatThrownBy(() -> MacAddress.parse(null)).hasMessageContaining("required");
    }

    @Test
    public void reportsTheBadCharacterAndItsPosition() {
        assertThatThrownBy(() -> MacAddress.parse("00-50-56-AG-BB-CC"))
                .hasMessageContaining("bad character 'G' at position 11");
        assertThatThrownBy(() -> MacAddress.parse("00-50:56-AA-BB-CC"))
                .hasMessageContaining("bad character ':' at position 6").hasMessageContaining("must not be mixed");
        assertThatThrownBy(() -> MacAddress.parse("00_50_56_AA_BB_CC")).hasMessageContaining("has 17 characters");
        assertThatThrownBy(() -> MacAddress.parse("00.50.56.AA.BB.CC")).hasMessageContaining("has 17 characters");
        assertThatThrownBy(() -> MacAddress.parse("005.056A.ABBCC"))
                .hasMessageContaining("bad character '.' at position 4, expected a hex digit");
        assertThatThrownBy(() -> MacAddress.parse("0050-56aa-bbcc")).hasMessageContaining("has 14 characters");
        assertThatThrownBy(() -> MacAddress.parse("00505６AABBCC")).hasMessageContaining("position 6");
        assertThatThrownBy(() -> MacAddress.parse("00-50-56-AA-BB-C ")).hasMessageContaining("has 16 characters");
    }

    @Test
    public void refusesNonUnicastAddresses_decision() {
        assertThatThrownBy(() -> MacAddress.parse("00-00-00-00-00-00")).hasMessageContaining("all-zero");
        assertThatThrownBy(() -> MacAddress.parse("FF-FF-FF-FF-FF-FF")).hasMessageContaining("broadcast");
        assertThatThrownBy(() -> MacAddress.parse("01-00-5E-00-00-01")).hasMessageContaining("multicast");
        assertThat(MacAddress.parse("02-00-00-00-00-01")).hasToString("02:00:00:00:00:01");
    }

    @Test
    public void constructorOnlyTakesCanonicalText() {
        assertThatThrownBy(() -> new MacAddress("00-50-56-AA-BB-CC")).hasMessageContaining("use MacAddress.parse");
    }
}
