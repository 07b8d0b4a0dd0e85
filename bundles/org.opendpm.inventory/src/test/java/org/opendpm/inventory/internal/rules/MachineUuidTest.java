package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;

/** INV-3: the machine UUID, canonical lower-case 8-4-4-4-12. */
public class MachineUuidTest {

    private static final String CANONICAL = "4c4c4544-0042-3510-8053-b4c04f4e3832";

    @Test
    public void acceptsDashedBracedAndBareForms_INV3() {
        assertThat(MachineUuid.parse("4C4C4544-0042-3510-8053-B4C04F4E3832")).hasToString(CANONICAL);
        assertThat(MachineUuid.parse("{4c4c4544-0042-3510-8053-b4c04f4e3832}")).hasToString(CANONICAL);
        assertThat(MachineUuid.parse("4C4C454400423510 8053B4C04F4E3832".replace(" ", ""))).hasToString(CANONICAL);
        assertThat(MachineUuid.parse(" " + CANONICAL + " ")).hasToString(CANONICAL);
        assertThat(MachineUuid.parse(CANONICAL).toUpperCase()).isEqualTo("4C4C4544-0042-3510-8053-B4C04F4E3832");
    }

    @Test
    public void reportsWhatIsWrong() {
        assertThatThrownBy(() -> MachineUuid.parse("4c4c4544-0042-3510-8053"))
                .hasMessageContaining("has 23 characters");
        assertThatThrownBy(() -> MachineUuid.parse("4c4c4544-0042-3510-8053-b4c04f4e383z"))
                .hasMessageContaining("bad character 'z' at position 36");
        assertThatThrownBy(() -> MachineUuid.parse("4c4c4544_0042-3510-8053-b4c04f4e3832"))
                .hasMessageContaining("bad character '_' at position 9").hasMessageContaining("expected '-'");
        assertThatThrownBy(() -> MachineUuid.parse("{4c4c4544-0042-3510-8053-b4c04f4e3832"))
                .hasMessageContaining("unbalanced braces");
        assertThatThrownBy(() -> MachineUuid.parse("{4c4c454400423510 8053b4c04f4e3832}".replace(" ", "")))
                .hasMessageContaining("has 32 characters");
        assertThatThrownBy(() -> MachineUuid.parse("{4c4c4544-0042-3510-8053-b4c04f4e383g}"))
                .hasMessageContaining("position 37");
        assertThatThrownBy(() -> MachineUuid.parse(" ")).hasMessageContaining("required");
    }

    @Test
    public void placeholdersParseButAreMarked_decision() {
        assertThat(MachineUuid.parse("00000000-0000-0000-0000-000000000000").isPlaceholder()).isTrue();
        assertThat(MachineUuid.parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF").isPlaceholder()).isTrue();
        assertThat(MachineUuid.parse(CANONICAL).isPlaceholder()).isFalse();
    }
}
