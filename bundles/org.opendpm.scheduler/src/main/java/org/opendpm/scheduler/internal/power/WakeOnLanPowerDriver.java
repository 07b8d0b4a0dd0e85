package org.opendpm.scheduler.internal.power;

import org.opendpm.spi.PowerContext;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.PowerTarget;
import org.osgi.service.component.annotations.Component;

/**
 * The built-in power driver {@code wol}: Wake-on-LAN to power on, the agent to shut down and reset. Without a BMC it
 * can tell only that a machine whose agent is connected is on; otherwise the state is unknown (a machine that is off
 * and one whose agent is not running look the same).
 */
@Component(property = PowerDriver.PROPERTY + "=wol")
public class WakeOnLanPowerDriver implements PowerDriver {

    @Override
    public PowerState state(PowerTarget target, PowerContext context) {
        return context.agentConnected() ? PowerState.ON : PowerState.UNKNOWN;
    }

    @Override
    public void set(PowerTarget target, PowerOperation operation, PowerContext context) throws Exception {
        switch (operation) {
        case ON:
            context.wakeOnLan(target.primaryMac());
            break;
        case OFF:
            context.agentPower(false);
            break;
        case RESET:
            context.agentPower(true);
            break;
        default:
            throw new IllegalArgumentException("unknown operation " + operation);
        }
    }
}
