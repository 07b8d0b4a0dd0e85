package org.opendpm.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;

@Service
@Command(scope = "dpm", name = "settings", description = "Shows the server settings (Detail Setting)")
public class SettingsCommand implements Action {

    @Reference
    ServerSettingsService settings;

    @Override
    public Object execute() {
        ServerSettings s = settings.get();
        print("useDhcpServer", s.useDhcpServer());
        print("imageFolder", s.imageFolder());
        print("checkCompletionByAgent", s.checkCompletionByAgent());
        print("machinesForSimultaneousExecution", s.machinesForSimultaneousExecution());
        print("remotePowerOnTimeoutMinutes", s.remotePowerOnTimeoutMinutes());
        print("scenarioTimeoutMinutes", s.scenarioTimeoutMinutes());
        print("defaultDeployOs", s.defaultDeployOs());
        return null;
    }

    private static void print(String name, Object value) {
        System.out.printf("%-34s %s%n", name, value);
    }
}
