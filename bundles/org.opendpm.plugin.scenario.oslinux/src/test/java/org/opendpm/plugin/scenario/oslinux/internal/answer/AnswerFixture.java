package org.opendpm.plugin.scenario.oslinux.internal.answer;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.plugin.scenario.oslinux.internal.TestDatabase;
import org.opendpm.plugin.scenario.oslinux.internal.os.JdbcOperatingSystems;

/**
 * Answer files over a real database of operating systems, the shipped templates installed in a temporary folder,
 * and an inventory that knows two machines (only {@code machine} is asked).
 */
final class AnswerFixture {

    final long machineId = 7;
    final long otherMachineId = 8;
    final JdbcOperatingSystems systems = new JdbcOperatingSystems(TestDatabase.create());
    final Templates templates;
    final AnswerFiles answers;

    AnswerFixture(Path folder) throws IOException {
        templates = new Templates(folder.resolve("templates"));
        templates.installDefaults();
        answers = new AnswerFiles(templates, "http://192.0.2.1:8181", systems, inventory(), null, null);
    }

    private InventoryService inventory() {
        Machine web = new Machine(machineId, "Web_01", 1, "/Lab", List.of("52:54:00:12:34:56"), "52:54:00:12:34:56",
                Optional.empty(), Optional.of("192.0.2.10"), Optional.empty(), Optional.empty(), PowerState.OFF,
                MachineStatus.NONE);
        Machine db = new Machine(otherMachineId, "db 02", 1, "/Lab", List.of("52:54:00:12:34:57"),
                "52:54:00:12:34:57", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                PowerState.OFF, MachineStatus.NONE);
        return (InventoryService) Proxy.newProxyInstance(InventoryService.class.getClassLoader(),
                new Class<?>[]{ InventoryService.class }, (proxy, method, args) -> {
                    if (!method.getName().equals("machine")) {
                        throw new AssertionError("answer files should not call " + method.getName());
                    }
                    long id = (Long) args[0];
                    if (id == machineId) {
                        return web;
                    }
                    if (id == otherMachineId) {
                        return db;
                    }
                    throw new NotFoundException("No machine " + id);
                });
    }
}
