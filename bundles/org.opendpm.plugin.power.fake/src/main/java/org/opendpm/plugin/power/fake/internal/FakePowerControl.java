package org.opendpm.plugin.power.fake.internal;

import java.util.List;

import org.opendpm.spi.PowerCommand;
import org.opendpm.spi.PowerControl;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerTarget;
import org.osgi.service.component.annotations.Component;

/**
 * Power control that only records what was asked ({@link PowerCommand.Simulated}), so scenarios and schedules can be
 * run end to end on machines that do not exist.
 */
@Component(property = PowerControl.PROPERTY + "=fake")
public class FakePowerControl implements PowerControl {

    @Override
    public List<PowerCommand> plan(PowerOperation operation, PowerTarget target) {
        return List.of(new PowerCommand.Simulated(operation));
    }
}
