package org.opendpm.scheduler.internal;

import java.util.List;

import org.opendpm.spi.PowerCommand;
import org.opendpm.spi.PowerControl;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerTarget;
import org.osgi.service.component.annotations.Component;

/**
 * The built-in power control {@code wol}: Wake-on-LAN to power on, the agent to shut down and reboot. It cannot read
 * a machine's power state by itself; the agent's connection tells it.
 */
@Component(property = PowerControl.PROPERTY + "=wol")
public class WakeOnLanPowerControl implements PowerControl {

    @Override
    public List<PowerCommand> plan(PowerOperation operation, PowerTarget target) {
        switch (operation) {
        case ON:
            return List.of(new PowerCommand.WakeOnLan(target.primaryMac()));
        case OFF:
            return List.of(new PowerCommand.AgentRequest(PowerCommand.AgentRequest.Action.SHUTDOWN));
        case RESET:
            return List.of(new PowerCommand.AgentRequest(PowerCommand.AgentRequest.Action.REBOOT));
        default:
            return List.of();
        }
    }
}
