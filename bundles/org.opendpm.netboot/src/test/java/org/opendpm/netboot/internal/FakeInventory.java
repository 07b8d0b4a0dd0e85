package org.opendpm.netboot.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;

/**
 * The inventory as network boot uses it: records every machine seen, knows some MACs as managed, decides by a
 * forceskip set. Other methods are not network boot's business and fail if called.
 */
final class FakeInventory {

    final List<SeenMachine> seen = new CopyOnWriteArrayList<>();
    final Set<String> managed;
    final Set<String> forceskip;
    /** Managed machines with their real ids, by primary MAC: {@code registerSeen} and {@code machine} find them. */
    final Map<String, Machine> machines = new ConcurrentHashMap<>();
    volatile boolean storeDown;

    FakeInventory(Set<String> managed, Set<String> forceskip) {
        this.managed = managed;
        this.forceskip = forceskip;
    }

    InventoryService service() {
        InvocationHandler h = (proxy, method, args) -> {
            if (storeDown) {
                throw new StoreUnavailableException("no database");
            }
            switch (method.getName()) {
            case "registerSeen":
                if (args.length == 1) {
                    SeenMachine m = (SeenMachine) args[0];
                    seen.add(m);
                    if (machines.containsKey(m.mac())) {
                        return new SeenResult(SeenResult.Outcome.KNOWN, machines.get(m.mac()).id());
                    }
                    return new SeenResult(managed.contains(m.mac())
                            ? SeenResult.Outcome.KNOWN
                            : SeenResult.Outcome.NEW_MACHINE, seen.size());
                }
                return InvocationHandler.invokeDefault(proxy, method, args);
            case "machine":
                return machines.values().stream().filter(x -> x.id() == (Long) args[0]).findFirst()
                        .orElseThrow(() -> new NotFoundException("Machine " + args[0] + " does not exist"));
            case "bootDecision":
                return forceskip.contains(args[0]) ? BootDecision.LOCAL_BOOT : BootDecision.REGISTRATION_MENU;
            default:
                throw new AssertionError("not used by this test: " + method.getName());
            }
        };
        return (InventoryService) Proxy.newProxyInstance(InventoryService.class.getClassLoader(),
                new Class<?>[]{ InventoryService.class }, h);
    }
}
