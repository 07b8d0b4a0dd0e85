package org.opendpm.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.api.power.PowerSettingsService;
import org.opendpm.api.power.PowerSettingsUpdate;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/**
 * dpm:machine-power-driver: shows or sets a machine's power driver and driver info. Secrets are never shown; they can
 * be asked for without echo ({@code --ask password}) so they stay out of the shell's history.
 */
@Service
@Command(scope = "dpm", name = "machine-power-driver", description = "Shows a machine's power driver (the one it"
        + " names, the one it uses and why) and driver info without secrets; with --driver, --automatic, --info or"
        + " --ask sets them: the info given replaces the stored info, secrets left out keep their value while the"
        + " driver stays")
public class MachinePowerDriverCommand implements Action {

    @Reference
    InventoryService inventory;

    @Reference
    PowerSettingsService settings;

    @Reference
    Session session;

    @Argument(index = 0, name = "name", required = true, description = "machine name")
    @Completion(MachineNameCompleter.class)
    String name;

    @Option(name = "--driver", description = "power driver key the machine uses (wol, fake, ipmi ...)")
    String driver;

    @Option(name = "--automatic", description = "the machine names no driver: its model's choice, else the server"
            + " default")
    boolean automatic;

    @Option(name = "--info", multiValued = true, description = "driver info property as name=value; repeat for each")
    List<String> info;

    @Option(name = "--ask", multiValued = true, description = "driver info property whose value is asked for"
            + " without echo (for secrets); repeat for each")
    List<String> ask;

    @Override
    public Object execute() throws Exception {
        Machine m = MachineCommands.machine(inventory, name);
        try {
            if (driver == null && !automatic && info == null && ask == null) {
                System.out.print(format(m.name(), settings.get(m.id())));
                return null;
            }
            if (driver != null && automatic) {
                throw new IllegalArgumentException("Give --driver or --automatic, not both");
            }
            Map<String, String> values = parseInfo(info == null ? List.of() : info);
            for (String property : ask == null ? List.<String>of() : ask) {
                if (values.containsKey(property)) {
                    throw new IllegalArgumentException("Driver info '" + property + "' is given twice");
                }
                values.put(property, session.readLine(property + ": ", '*'));
            }
            Optional<String> explicit = automatic
                    ? Optional.empty()
                    : driver != null ? Optional.of(driver) : settings.get(m.id()).driver();
            MachinePowerSettings stored = settings.set(m.id(), new PowerSettingsUpdate(explicit, values),
                    ExecutionCommands.user(session));
            System.out.print(format(m.name(), stored));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
        return null;
    }

    /** name=value pairs in order; a pair without '=' or a name given twice is refused. */
    static Map<String, String> parseInfo(List<String> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Driver info is name=value, not '" + pair + "'");
            }
            String key = pair.substring(0, eq).strip();
            if (out.put(key, pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("Driver info '" + key + "' is given twice");
            }
        }
        return out;
    }

    /** What the command prints: the driver and why, the info without secrets, the schema. */
    static String format(String machine, MachinePowerSettings s) {
        StringBuilder sb = new StringBuilder("Power driver of " + machine + ": " + s.effectiveDriver());
        switch (s.choice()) {
        case EXPLICIT:
            sb.append(" (named by the machine)");
            break;
        case MODEL:
            sb.append(" (its model's choice; the machine names none)");
            break;
        default:
            sb.append(" (server default; the machine names none)");
            break;
        }
        sb.append(s.driverInstalled() ? "\n" : " - NOT INSTALLED\n");
        Map<String, String> shown = new TreeMap<>(s.driverInfo());
        s.secretsSet().forEach(secret -> shown.put(secret, "******** (secret, set)"));
        if (shown.isEmpty()) {
            sb.append("No driver info\n");
        } else {
            int width = shown.keySet().stream().mapToInt(String::length).max().orElse(0);
            sb.append("Driver info:\n");
            shown.forEach((k, v) -> sb.append("  ").append(k).append(" ".repeat(width - k.length())).append(" = ")
                    .append(v).append('\n'));
        }
        s.setBy().ifPresent(by -> sb.append("Set by ").append(by).append(" at ")
                .append(ExecutionCommands.time(s.setAt())).append('\n'));
        s.driverInfoSchema().ifPresent(schema -> sb.append("Driver info schema: ").append(schema).append('\n'));
        return sb.toString();
    }
}
