package org.opendpm.plugin.power.fake.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.Test;
import org.opendpm.spi.PowerCommand;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerTarget;

public class FakePowerControlTest {

    @Test
    public void everyOperationIsSimulatedOnly() {
        var target = new PowerTarget("m1", "00:11:22:33:44:55", Optional.empty());
        for (PowerOperation op : PowerOperation.values()) {
            assertThat(new FakePowerControl().plan(op, target)).containsExactly(new PowerCommand.Simulated(op));
        }
    }
}
