package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.MachineSort;

/** The machine list's sort parameter: a column, '-' for descending, anything else a 400 naming "sort". */
public class MachineSortParamTest {

    @Test
    public void aColumnInAnyCaseWithOrWithoutTheMinusIsAnOrder() {
        assertThat(MachineResource.sort(null)).isEqualTo(MachineSort.NAME);
        assertThat(MachineResource.sort(" ")).isEqualTo(MachineSort.NAME);
        assertThat(MachineResource.sort("ip")).isEqualTo(MachineSort.IP);
        assertThat(MachineResource.sort("-Status")).isEqualTo(MachineSort.STATUS);
        assertThat(MachineResource.sort(" -power ")).isEqualTo(MachineSort.POWER);
    }

    @Test
    public void anUnknownColumnIsRefusedNamingTheFieldAndCutShort() {
        assertThatThrownBy(() -> MachineResource.sort("uuid")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("Unknown sort 'uuid'").extracting(e -> ((ValidationException) e).field())
                .isEqualTo("sort");
        assertThatThrownBy(() -> MachineResource.sort("--ip")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> MachineResource.sort("x".repeat(5000))).isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
}
