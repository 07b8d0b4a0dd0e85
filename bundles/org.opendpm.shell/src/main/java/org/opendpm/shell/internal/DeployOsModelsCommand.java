package org.opendpm.shell.internal;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.settings.ServerSettingsService;

@Service
@Command(scope = "dpm", name = "deployos-models", description = "Machine models and the Deploy-OS they boot; "
        + "with --model, which Deploy-OS that model resolves to and why")
public class DeployOsModelsCommand implements Action {

    @Reference
    PluginRegistry registry;

    @Reference
    ServerSettingsService settings;

    @Option(name = "--model", description = "resolve this machine model")
    String model;

    @Override
    public Object execute() {
        if (model != null) {
            DeployOsResolution r = registry.resolveDeployOs(Optional.empty(), Optional.of(model),
                    settings.get().defaultDeployOs());
            System.out.println(model + " -> " + r.deployOs().id() + " (" + r.rule().name().toLowerCase() + ")");
            return null;
        }
        var table = new ShellTable();
        table.column("Model");
        table.column("Deploy-OS");
        table.column("Bundle");
        for (DeployOsMapping m : registry.deployOsMappings()) {
            table.addRow().addContent(m.model() + (m.pattern() ? "  (pattern)" : ""), m.deployOsId(), m.bundle());
        }
        table.print(System.out);
        return null;
    }
}
