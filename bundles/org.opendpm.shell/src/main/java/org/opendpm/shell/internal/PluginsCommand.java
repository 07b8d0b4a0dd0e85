package org.opendpm.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginRegistry;

@Service
@Command(scope = "dpm", name = "plugins", description = "Lists every plugin: kind, key, bundle, version, ranking, "
        + "and which one wins for each key")
public class PluginsCommand implements Action {

    @Reference
    PluginRegistry registry;

    @Override
    public Object execute() {
        var table = new ShellTable();
        table.column("Kind");
        table.column("Key");
        table.column("Bundle");
        table.column("Version");
        table.column("Ranking").alignRight();
        table.column("Service").alignRight();
        table.column("Wins");
        for (PluginInfo p : registry.plugins()) {
            table.addRow().addContent(p.kind().label(), p.key(), p.bundle() + " [" + p.bundleId() + "]",
                    p.bundleVersion(), p.ranking(), p.serviceId(), p.winner() ? "yes" : "no (overridden)");
        }
        table.print(System.out);
        return null;
    }
}
