package org.opendpm.shell.internal;

import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/** dpm:machine-disks: the disks and partitions a machine's last disk check found (IMG-4). */
@Service
@Command(scope = "dpm", name = "machine-disks", description = "Shows a machine's disks and partitions from its last"
        + " disk check, numbered as Backup/Restore settings use them")
public class MachineDisksCommand implements Action {

    @Reference
    InventoryService inventory;

    @Argument(index = 0, name = "name", required = true, description = "machine name")
    @Completion(MachineNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        Machine m = MachineCommands.machine(inventory, name);
        try {
            System.out.print(format(m.name(), inventory.disks(m.id())));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
        return null;
    }

    /** The table: one line per disk, its partitions indented below it. */
    static String format(String machine, MachineDisks d) {
        if (d.scannedAt().isEmpty()) {
            return "Machine " + machine + " has no disk check yet: run a disk configuration check scenario\n";
        }
        StringBuilder sb = new StringBuilder("Disks of " + machine + ", checked " + d.scannedAt().get() + "\n");
        if (d.disks().isEmpty()) {
            return sb.append("No disks were found\n").toString();
        }
        sb.append(String.format(Locale.ROOT, "%-6s %-12s %10s %-11s %s%n", "Disk", "Device", "Size", "Table",
                "Model"));
        for (DiskInfo disk : d.disks()) {
            sb.append(String.format(Locale.ROOT, "%-6d %-12s %10s %-11s %s%n", disk.number(), disk.device(),
                    size(disk.sizeBytes()), disk.partitionTable(), disk.model()));
            List<PartitionInfo> parts = disk.partitions();
            if (!parts.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "  %-9s %10s %10s  %-36s  %s%n", "Partition", "Start", "Size",
                        "Type", "File system"));
            }
            for (PartitionInfo p : parts) {
                sb.append(String.format(Locale.ROOT, "  %-9d %10s %10s  %-36s  %s%n", p.number(),
                        size(p.startBytes()), size(p.sizeBytes()), p.type(), p.filesystem()));
            }
        }
        return sb.toString();
    }

    /** Bytes in binary units with one decimal (1.5 GiB); below 1 KiB in bytes. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
