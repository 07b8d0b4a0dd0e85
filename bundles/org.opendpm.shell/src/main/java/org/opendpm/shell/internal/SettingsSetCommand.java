package org.opendpm.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;

@Service
@Command(scope = "dpm", name = "settings-set", description = "Changes one server setting")
public class SettingsSetCommand implements Action {

    static final List<String> NAMES = List.of("useDhcpServer", "imageFolder", "checkCompletionByAgent",
            "machinesForSimultaneousExecution", "remotePowerOnTimeoutMinutes", "scenarioTimeoutMinutes",
            "defaultDeployOs");

    @Reference
    ServerSettingsService settings;

    @Argument(index = 0, name = "name", required = true, description = "setting name")
    @Completion(SettingNameCompleter.class)
    String name;

    @Argument(index = 1, name = "value", required = true, description = "new value")
    String value;

    @Override
    public Object execute() {
        ServerSettings s = settings.get();
        ServerSettings changed = switch (name) {
        case "useDhcpServer" -> new ServerSettings(bool(), s.imageFolder(), s.checkCompletionByAgent(),
                s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(), s.scenarioTimeoutMinutes(),
                s.defaultDeployOs());
        case "imageFolder" -> new ServerSettings(s.useDhcpServer(), value, s.checkCompletionByAgent(),
                s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(), s.scenarioTimeoutMinutes(),
                s.defaultDeployOs());
        case "checkCompletionByAgent" -> new ServerSettings(s.useDhcpServer(), s.imageFolder(), bool(),
                s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(), s.scenarioTimeoutMinutes(),
                s.defaultDeployOs());
        case "machinesForSimultaneousExecution" -> new ServerSettings(s.useDhcpServer(), s.imageFolder(),
                s.checkCompletionByAgent(), integer(), s.remotePowerOnTimeoutMinutes(),
                s.scenarioTimeoutMinutes(), s.defaultDeployOs());
        case "remotePowerOnTimeoutMinutes" -> new ServerSettings(s.useDhcpServer(), s.imageFolder(),
                s.checkCompletionByAgent(), s.machinesForSimultaneousExecution(), integer(),
                s.scenarioTimeoutMinutes(), s.defaultDeployOs());
        case "scenarioTimeoutMinutes" -> new ServerSettings(s.useDhcpServer(), s.imageFolder(),
                s.checkCompletionByAgent(), s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(),
                integer(), s.defaultDeployOs());
        case "defaultDeployOs" -> new ServerSettings(s.useDhcpServer(), s.imageFolder(),
                s.checkCompletionByAgent(), s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(),
                s.scenarioTimeoutMinutes(), value);
        default -> throw new IllegalArgumentException(
                "Unknown setting '" + name + "'; settings are " + String.join(", ", NAMES));
        };
        try {
            settings.update(changed);
        } catch (ValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        System.out.println(name + " = " + value);
        return null;
    }

    private boolean bool() {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private int integer() {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    @Service
    public static class SettingNameCompleter implements Completer {
        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(NAMES).complete(session, commandLine, candidates);
        }
    }
}
