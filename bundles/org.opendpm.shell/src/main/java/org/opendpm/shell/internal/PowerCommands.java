package org.opendpm.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.power.PowerService;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/** dpm:power: power machines on, off or reboot them (SCH-2, SCH-4). */
public final class PowerCommands {

    static final List<String> ACTIONS = List.of("on", "off", "reboot");

    private PowerCommands() {
    }

    static String action(String text) {
        String a = text.strip().toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(a)) {
            throw new IllegalArgumentException("Unknown power action '" + text + "'; actions are on, off and reboot");
        }
        return a;
    }

    @Service
    @Command(scope = "dpm", name = "power", description = "Powers machines on (Wake-on-LAN or their power plugin),"
            + " off (shut down through the agent) or reboots them; each machine on its own: one that fails does not"
            + " stop the others")
    public static class Power implements Action {
        @Reference
        PowerService power;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "action", required = true, description = "on, off or reboot")
        @Completion(value = StringsCompleter.class, values = { "on", "off", "reboot" })
        String action;

        @Argument(index = 1, name = "machines", required = true, multiValued = true, description = "machine names")
        @Completion(MachineNameCompleter.class)
        List<String> machines;

        @Override
        public Object execute() {
            String a = action(action);
            // Every name first: a typing error sends nothing to any machine.
            List<Machine> targets = new ArrayList<>();
            for (String name : machines) {
                targets.add(MachineCommands.machine(inventory, name));
            }
            int failed = 0;
            for (Machine m : targets) {
                try {
                    switch (a) {
                    case "on":
                        power.powerOn(m.id());
                        break;
                    case "off":
                        power.shutdown(m.id());
                        break;
                    default:
                        power.reboot(m.id());
                        break;
                    }
                    System.out.println(m.name() + ": power " + a + " sent");
                } catch (OpenDpmException e) {
                    failed++;
                    System.out.println(m.name() + ": " + e.getMessage());
                }
            }
            if (failed > 0) {
                throw new IllegalStateException("Power " + a + " failed on " + failed + " of " + targets.size()
                        + " machines");
            }
            if (a.equals("on")) {
                System.out.println("A machine whose agent does not connect within the Remote Power ON Timeout gets"
                        + " the status Remote Power ON Error");
            }
            return null;
        }
    }
}
