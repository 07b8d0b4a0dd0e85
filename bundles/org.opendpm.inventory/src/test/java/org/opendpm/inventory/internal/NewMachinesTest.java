package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.inventory.internal.GroupsTest.assertField;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.NewMachineRegistration;
import org.opendpm.api.inventory.RuleFile;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.api.inventory.SeenResult.Outcome;

/** INV-4, INV-7, INV-8: machines seen by network boot or the agent, the New Machine list, auto-registration. */
public class NewMachinesTest {

    private final InventoryFixture fx = new InventoryFixture(new Limits(10, 5, 5));
    private final JdbcInventoryService inv = fx.service;

    private static SeenMachine agent(String mac, String ip, String name) {
        return new SeenMachine(SeenBy.AGENT, mac, Optional.empty(), Optional.ofNullable(ip), Optional.ofNullable(name));
    }

    @Test
    public void anUnknownMachineIsListedOnceWithTheNewerData() {
        SeenResult first = inv.registerSeen("00-50-56-AA-BB-CC", "4C4C4544-0042-3610-8057-B4C04F333532",
                Optional.empty());
        assertThat(first.outcome()).isEqualTo(Outcome.NEW_MACHINE);
        SeenResult again = inv.registerSeen("00:50:56:aa:bb:cc", null, Optional.of("192.168.0.7"));
        assertThat(again).isEqualTo(new SeenResult(Outcome.NEW_MACHINE_UPDATED, first.id()));
        List<NewMachine> listed = inv.newMachines();
        assertThat(listed).hasSize(1);
        NewMachine m = listed.get(0);
        assertThat(m.mac()).isEqualTo("00:50:56:aa:bb:cc");
        assertThat(m.uuid()).contains("4c4c4544-0042-3610-8057-b4c04f333532");
        assertThat(m.ip()).contains("192.168.0.7");
        assertThat(m.seenBy()).isEqualTo(SeenBy.AGENT);
        assertThat(m.lastSeen()).isAfterOrEqualTo(m.firstSeen());
        assertField(() -> inv.registerSeen("00-50-56-AA-BB", null, Optional.empty()), "mac");
        assertField(() -> inv.registerSeen("00-50-56-AA-BB-CD", "xyz", Optional.empty()), "uuid");
        assertThat(inv.newMachines()).hasSize(1);
    }

    @Test
    public void aRegisteredMachineIsKnownByMacOrUuidAndTheAgentUpdatesItsIp() {
        MachineGroup g = inv.createGroup("/G", null);
        Machine m = inv.createMachine(g.id(), new MachineSpec("pc1", List.of("00-50-56-00-00-01"), Optional.empty(),
                Optional.of("4c4c4544-0042-3610-8057-b4c04f333532"), Optional.empty(), Optional.empty(),
                Optional.empty()));
        assertThat(inv.registerSeen("00-50-56-00-00-01", null, Optional.of("10.0.0.9")))
                .isEqualTo(new SeenResult(Outcome.KNOWN, m.id()));
        assertThat(inv.machine(m.id()).ip()).contains("10.0.0.9");
        assertThat(inv.registerSeen("00-50-56-00-00-99", "4c4c4544-0042-3610-8057-b4c04f333532", Optional.empty())
                .outcome()).isEqualTo(Outcome.KNOWN);
        assertThat(inv.newMachines()).isEmpty();
    }

    @Test
    public void concurrentSightingsListEachMachineExactlyOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<SeenResult>> calls = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 100; i++) {
                    String mac = String.format("00-50-56-00-%02X-%02X", i / 256, i % 256);
                    calls.add(() -> inv.registerSeen(mac, null, Optional.empty()));
                }
            }
            int created = 0;
            Set<Long> ids = new HashSet<>();
            for (Future<SeenResult> f : pool.invokeAll(calls)) {
                created += f.get().outcome() == Outcome.NEW_MACHINE ? 1 : 0;
                ids.add(f.get().id());
            }
            assertThat(created).isEqualTo(100);
            assertThat(ids).hasSize(100);
            assertThat(inv.newMachines()).hasSize(100);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void manyNewMachinesAreRegisteredIntoAGroupInOneCall() {
        MachineGroup g = inv.createGroup("/G", null);
        long a = inv.registerSeen(agent("00-50-56-00-00-01", "10.0.0.1", "host-a")).id();
        long b = inv.registerSeen("00-50-56-00-00-02", null, Optional.empty()).id();
        long c = inv.registerSeen("00-50-56-00-00-03", null, Optional.empty()).id();
        List<Machine> registered = inv.registerNewMachines(g.id(), List.of(new NewMachineRegistration(a,
                Optional.empty()), new NewMachineRegistration(b, Optional.empty()),
                new NewMachineRegistration(c, Optional.of("chosen"))));
        assertThat(registered).extracting(Machine::name).containsExactly("host-a", "00-50-56-00-00-02", "chosen");
        assertThat(registered.get(0).ip()).contains("10.0.0.1");
        assertThat(inv.newMachines()).isEmpty();
        assertThat(inv.group(g.id()).machineCount()).isEqualTo(3);
    }

    @Test
    public void aRefusedRegistrationKeepsEveryNewMachineListed() {
        MachineGroup g = inv.createGroup("/G", null);
        inv.createMachine(g.id(), MachineSpec.of("taken", "00-50-56-00-00-09"));
        long a = inv.registerSeen("00-50-56-00-00-01", null, Optional.empty()).id();
        long b = inv.registerSeen("00-50-56-00-00-02", null, Optional.empty()).id();
        assertThatThrownBy(() -> inv.registerNewMachines(g.id(), List.of(new NewMachineRegistration(a,
                Optional.empty()), new NewMachineRegistration(b, Optional.of("TAKEN")))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("'taken'");
        assertThat(inv.newMachines()).hasSize(2);
        assertThat(fx.count("machine")).isEqualTo(1);
        for (int i = 0; i < 4; i++) {
            inv.registerSeen("00-50-56-00-01-0" + i, null, Optional.empty());
        }
        List<NewMachineRegistration> all = inv.newMachines().stream()
                .map(n -> new NewMachineRegistration(n.id(), Optional.empty())).toList();
        assertThatThrownBy(() -> inv.registerNewMachines(g.id(), all)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 5 managed machines");
        assertThat(inv.newMachines()).hasSize(6);
    }

    @Test
    public void theAgentIsRegisteredByNameFirstThenByIpCreatingGroupsAsTheFileSays() {
        inv.saveRuleFile(RuleFile.GROUP_AS_NAME, "/Group2/Subgroup21;ComputerB;192.168.1.1;255.255.0.0\r\n");
        inv.saveRuleFile(RuleFile.GROUP_AS_IP, "/Group2;192.168.0.0;255.255.0.0\n"
                + "/Group3/Subgroup31;172.16.0.0;255.240.0.0;172.16.1.1;255.240.0.0\n");
        SeenResult byName = inv.registerSeen(agent("00-50-56-00-00-01", "192.168.3.4", "computerb"));
        assertThat(byName.outcome()).isEqualTo(Outcome.AUTO_REGISTERED);
        Machine b = inv.machine(byName.id());
        assertThat(b.groupPath()).isEqualTo("/Group2/Subgroup21");
        assertThat(inv.findGroup("/Group2/Subgroup21").orElseThrow().network())
                .isEqualTo(NetworkSetting.differentSubnet("192.168.1.1", "255.255.0.0"));
        assertThat(inv.findGroup("/Group2").orElseThrow().network()).isEqualTo(NetworkSetting.SAME_SUBNET);

        SeenResult byIp = inv.registerSeen(agent("00-50-56-00-00-02", "172.31.255.254", "other"));
        assertThat(inv.machine(byIp.id()).groupPath()).isEqualTo("/Group3/Subgroup31");
        assertThat(inv.findGroup("/Group3/Subgroup31").orElseThrow().network())
                .isEqualTo(NetworkSetting.differentSubnet("172.16.1.1", "255.240.0.0"));
        // Network boot knows no name or IP: listed under New Machine even if a rule would match later.
        assertThat(inv.registerSeen("00-50-56-00-00-03", null, Optional.empty()).outcome())
                .isEqualTo(Outcome.NEW_MACHINE);
        // Outside every range and name: New Machine; the broadcast address of a range is not in it.
        assertThat(inv.registerSeen(agent("00-50-56-00-00-04", "172.31.255.255", "x")).outcome())
                .isEqualTo(Outcome.NEW_MACHINE);
    }

    @Test
    public void anAutoRegistrationThatWouldPassALimitOrTakeANameLeavesTheMachineUnderNewMachine() {
        inv.saveRuleFile(RuleFile.GROUP_AS_IP, "/Lab;10.0.0.0;255.0.0.0\n");
        MachineGroup g = inv.createGroup("/G", null);
        inv.createMachine(g.id(), MachineSpec.of("dup", "00-50-56-00-00-09"));
        SeenResult r = inv.registerSeen(agent("00-50-56-00-00-01", "10.1.2.3", "DUP"));
        assertThat(r.outcome()).isEqualTo(Outcome.NEW_MACHINE);
        assertThat(inv.findGroup("/Lab")).isEmpty();
        assertThat(inv.newMachines()).extracting(NewMachine::name).containsExactly(Optional.of("DUP"));
    }
}
