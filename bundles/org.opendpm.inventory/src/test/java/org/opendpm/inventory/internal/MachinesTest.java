package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.inventory.internal.GroupsTest.assertField;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachinePage;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.MachineSort;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.store.Database;

/** INV-3, INV-6, INV-10: machines, their identifiers, uniqueness, limits, listing and moves. */
public class MachinesTest {

    private final InventoryFixture fx = new InventoryFixture(new Limits(10, 5, 4));
    private final JdbcInventoryService inv = fx.service;
    private final MachineGroup g = inv.createGroup("/G", null);

    private static MachineSpec spec(String name, List<String> macs, String primary, String uuid, String ip) {
        return new MachineSpec(name, macs, Optional.ofNullable(primary), Optional.ofNullable(uuid),
                Optional.ofNullable(ip), Optional.of("Express5800/R120h"), Optional.empty());
    }

    @Test
    public void macsInEveryFormAreStoredCanonicallyWithThePrimaryMarked() {
        Machine m = inv.createMachine(g.id(), spec("pc1", List.of("00-50-56-AA-BB-CC", "0050.56aa.bbcd",
                "00:50:56:AA:BB:CE"), "00:50:56:aa:bb:cd", "{4C4C4544-0042-3610-8057-B4C04F333532}", "192.168.1.10"));
        assertThat(m.macs()).containsExactly("00:50:56:aa:bb:cc", "00:50:56:aa:bb:cd", "00:50:56:aa:bb:ce");
        assertThat(m.primaryMac()).isEqualTo("00:50:56:aa:bb:cd");
        assertThat(m.uuid()).contains("4c4c4544-0042-3610-8057-b4c04f333532");
        assertThat(m.ip()).contains("192.168.1.10");
        assertThat(m.deployOs()).isEmpty();
        assertThat(m.powerState()).isEqualTo(PowerState.UNKNOWN);
        assertThat(m.status()).isEqualTo(MachineStatus.NONE);
        assertThat(inv.machine(m.id())).isEqualTo(m);
    }

    @Test
    public void badFieldsAreNamedAndNothingIsWritten() {
        assertField(() -> inv.createMachine(g.id(), spec(" ", List.of("00-50-56-AA-BB-CC"), null, null, null)),
                "name");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of(), null, null, null)), "macs");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of("00-50-56-AA-BB-CC", "00-50-56-AA-BB-GG"),
                null, null, null)), "macs[1]");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of("00-50-56-AA-BB-CC", "005056aabbcc"), null,
                null, null)), "macs[1]");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of("00-50-56-AA-BB-CC"), "00-50-56-AA-BB-CD",
                null, null)), "primaryMac");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of("00-50-56-AA-BB-CC"), null, "not-a-uuid",
                null)), "uuid");
        assertField(() -> inv.createMachine(g.id(), spec("pc", List.of("00-50-56-AA-BB-CC"), null, null,
                "127.0.0.1")), "ip");
        assertField(() -> inv.createMachine(g.id(), new MachineSpec("pc", List.of("00-50-56-AA-BB-CC"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("x".repeat(300)))),
                "deployOs");
        assertThat(fx.count("machine")).isZero();
        assertThatThrownBy(() -> inv.createMachine(999, MachineSpec.of("pc", "00-50-56-AA-BB-CC")))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    public void aTakenMacUuidOrNameIsAConflictNamingTheOtherMachine() {
        inv.createMachine(g.id(), spec("pc1", List.of("00-50-56-AA-BB-CC"), null,
                "4c4c4544-0042-3610-8057-b4c04f333532", null));
        assertThatThrownBy(() -> inv.createMachine(g.id(), MachineSpec.of("pc2", "0050.56AA.BBCC")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("00:50:56:aa:bb:cc")
                .hasMessageContaining("'pc1'");
        assertThatThrownBy(() -> inv.createMachine(g.id(), spec("pc2", List.of("00-50-56-AA-BB-CD"), null,
                "4C4C4544004236108057B4C04F333532", null))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("UUID").hasMessageContaining("'pc1'");
        assertThatThrownBy(() -> inv.createMachine(g.id(), MachineSpec.of("PC1", "00-50-56-AA-BB-CD")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("name");
        // Placeholder UUIDs tell no machines apart, so two machines may report the nil UUID.
        inv.createMachine(g.id(), spec("a", List.of("00-50-56-00-00-0a"), null, "00000000-0000-0000-0000-000000000000",
                null));
        inv.createMachine(g.id(), spec("b", List.of("00-50-56-00-00-0b"), null, "00000000-0000-0000-0000-000000000000",
                null));
        assertThat(fx.count("machine")).isEqualTo(3);
    }

    @Test
    public void theMachineLimitIsAConflictNamingIt() {
        for (int i = 0; i < 4; i++) {
            inv.createMachine(g.id(), MachineSpec.of("pc" + i, "00-50-56-00-00-0" + i));
        }
        assertThatThrownBy(() -> inv.createMachine(g.id(), MachineSpec.of("pc9", "00-50-56-00-00-09")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("limit of 4 managed machines");
        assertThat(fx.count("machine")).isEqualTo(4);
    }

    @Test
    public void concurrentRegistrationsOfOneMacLetExactlyOneWin() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String name = "racer" + i;
                calls.add(() -> {
                    try {
                        inv.createMachine(g.id(), MachineSpec.of(name, "00-50-56-12-34-56"));
                        return true;
                    } catch (ConflictException e) {
                        assertThat(e.getMessage()).contains("00:50:56:12:34:56").contains("racer");
                        return false;
                    }
                });
            }
            int winners = 0;
            for (Future<Boolean> f : pool.invokeAll(calls)) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(fx.count("machine")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void updateReplacesDataAndMayKeepItsOwnMacAndName() {
        Machine m = inv.createMachine(g.id(), MachineSpec.of("pc1", "00-50-56-00-00-01"));
        inv.createMachine(g.id(), MachineSpec.of("pc2", "00-50-56-00-00-02"));
        Machine u = inv.updateMachine(m.id(), new MachineSpec("PC1", List.of("00-50-56-00-00-01", "00-50-56-00-00-03"),
                Optional.of("00-50-56-00-00-03"), Optional.empty(), Optional.of("10.0.0.5"), Optional.empty(),
                Optional.of("ia32_121228_26")));
        assertThat(u.name()).isEqualTo("PC1");
        assertThat(u.primaryMac()).isEqualTo("00:50:56:00:00:03");
        assertThat(u.deployOs()).contains("ia32_121228_26");
        assertThatThrownBy(() -> inv.updateMachine(m.id(), MachineSpec.of("pc1", "00-50-56-00-00-02")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("'pc2'");
        assertThat(inv.machine(m.id())).isEqualTo(u);
        inv.setPowerState(m.id(), PowerState.ON);
        inv.setStatus(m.id(), MachineStatus.SCENARIO_EXECUTING);
        assertThat(inv.machine(m.id()).powerState()).isEqualTo(PowerState.ON);
        assertThat(inv.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTING);
        inv.deleteMachine(m.id());
        assertThatThrownBy(() -> inv.machine(m.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> inv.deleteMachine(m.id())).isInstanceOf(NotFoundException.class);
        assertThat(fx.count("machine_nic")).isEqualTo(1);
    }

    @Test
    public void bulkMoveIsAllOrNothing() {
        MachineGroup other = inv.createGroup("/Other", null);
        Machine a = inv.createMachine(g.id(), MachineSpec.of("a", "00-50-56-00-00-01"));
        Machine b = inv.createMachine(g.id(), MachineSpec.of("b", "00-50-56-00-00-02"));
        assertThatThrownBy(() -> inv.moveMachines(List.of(a.id(), 12345L), other.id()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("12345");
        assertThat(inv.machine(a.id()).groupId()).isEqualTo(g.id());
        assertThat(inv.moveMachines(List.of(a.id(), b.id(), a.id()), other.id())).isEqualTo(2);
        assertThat(inv.machine(b.id()).groupPath()).isEqualTo("/Other");
    }

    @Test
    public void pagesFilterByGroupSubGroupsStatusAndText() {
        MachineGroup sub = inv.createGroup("/G/Sub", null);
        MachineGroup g2 = inv.createGroup("/G2", null);
        inv.createMachine(g.id(), spec("web-1", List.of("00-50-56-00-00-01"), null, null, "10.1.0.1"));
        Machine db = inv.createMachine(sub.id(), spec("db-1", List.of("00-0c-29-00-00-02"), null, null, "10.1.0.2"));
        inv.createMachine(g2.id(), spec("web-2", List.of("00-50-56-00-00-03"), null, null, null));
        inv.setStatus(db.id(), MachineStatus.SCENARIO_EXECUTION_ERROR);
        assertThat(names(query(Optional.of(g.id()), false, null, null))).containsExactly("web-1");
        assertThat(names(query(Optional.of(g.id()), true, null, null))).containsExactly("db-1", "web-1");
        assertThat(names(query(Optional.empty(), false, MachineStatus.SCENARIO_EXECUTION_ERROR, null)))
                .containsExactly("db-1");
        assertThat(names(query(Optional.empty(), false, null, "WEB"))).containsExactly("web-1", "web-2");
        assertThat(names(query(Optional.empty(), false, null, "00-0C-29"))).containsExactly("db-1");
        assertThat(names(query(Optional.empty(), false, null, "10.1.0."))).containsExactly("db-1", "web-1");
        assertThat(names(query(Optional.empty(), false, null, "100%"))).isEmpty();
        MachinePage page = inv.machines(new MachineQuery(Optional.empty(), false, Optional.empty(), Optional.empty(),
                1, 1));
        assertThat(page.total()).isEqualTo(3);
        assertThat(page.machines()).extracting(Machine::name).containsExactly("web-1");
        assertField(() -> inv.machines(MachineQuery.all(0)), "limit");
        assertThat(inv.machineNames("WE", 10)).containsExactly("web-1", "web-2");
    }

    @Test
    public void aPageIsSortedByTheColumnAskedForWithTiesByNameSoPagesNeitherRepeatNorMiss() {
        inv.createMachine(g.id(), spec("c", List.of("00-50-56-00-00-03"), null, null, "10.0.0.2"));
        inv.createMachine(g.id(), spec("a", List.of("00-50-56-00-00-01"), null, null, "10.0.0.3"));
        Machine b = inv.createMachine(g.id(), spec("b", List.of("00-50-56-00-00-02"), null, null, null));
        inv.createMachine(g.id(), spec("d", List.of("00-50-56-00-00-04"), null, null, "10.0.0.2"));
        inv.setStatus(b.id(), MachineStatus.SCENARIO_EXECUTION_ERROR);
        assertThat(names(sorted(MachineSort.IP, false, 0, 10))).containsExactly("c", "d", "a", "b");
        assertThat(names(sorted(MachineSort.IP, true, 0, 10))).containsExactly("b", "a", "d", "c");
        assertThat(names(sorted(MachineSort.MAC, true, 0, 10))).containsExactly("d", "c", "b", "a");
        assertThat(names(sorted(MachineSort.NAME, true, 0, 10))).containsExactly("d", "c", "b", "a");
        assertThat(names(sorted(MachineSort.STATUS, false, 0, 10))).containsExactly("a", "c", "d", "b");
        assertThat(names(sorted(MachineSort.STATUS, true, 0, 10))).containsExactly("b", "d", "c", "a");
        // Every machine has the same model: the name alone decides, page after page.
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < 4; offset++) {
            paged.addAll(names(sorted(MachineSort.MODEL, false, offset, 1)));
        }
        assertThat(paged).containsExactly("a", "b", "c", "d");
    }

    /** The IP order is the addresses' order, not the text's: 10.0.0.9 before 10.0.0.10, 200.x (high bit) last. */
    @Test
    public void theIpOrderIsNumeric() {
        createWithIps();
        assertThat(names(sorted(MachineSort.IP, false, 0, 10))).containsExactly("ten-nine", "ten-ten", "top",
                "none");
        assertThat(names(sorted(MachineSort.IP, true, 0, 10))).containsExactly("none", "top", "ten-ten",
                "ten-nine");
        // A changed address moves the machine.
        Machine top = inv.findMachine("top").orElseThrow();
        inv.updateMachine(top.id(), spec("top", List.of("00-50-56-00-01-04"), null, null, "10.0.0.1"));
        assertThat(names(sorted(MachineSort.IP, false, 0, 3))).containsExactly("top", "ten-nine", "ten-ten");
    }

    /** The migration converts the addresses stored before the numeric key existed, with Derby's own functions. */
    @Test
    public void theMigrationGivesStoredAddressesTheirNumericKey() throws Exception {
        createWithIps();
        String backfill = changeSetSql("11-machine-ip-key-derby");
        fx.database.inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.executeUpdate("UPDATE machine SET ip_key = NULL");
                st.executeUpdate(backfill);
            }
            return null;
        });
        assertThat(names(sorted(MachineSort.IP, false, 0, 10))).containsExactly("ten-nine", "ten-ten", "top",
                "none");
    }

    private void createWithIps() {
        inv.createMachine(g.id(), spec("ten-ten", List.of("00-50-56-00-01-02"), null, null, "10.0.0.10"));
        inv.createMachine(g.id(), spec("ten-nine", List.of("00-50-56-00-01-03"), null, null, "10.0.0.9"));
        inv.createMachine(g.id(), spec("top", List.of("00-50-56-00-01-04"), null, null, "200.0.0.1"));
        inv.createMachine(g.id(), spec("none", List.of("00-50-56-00-01-06"), null, null, null));
    }

    /** The SQL of one changeSet of the shipped inventory changelog. */
    private static String changeSetSql(String id) throws Exception {
        try (var in = Database.class.getResourceAsStream("/org/opendpm/store/db/inventory.xml")) {
            var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            var sets = doc.getElementsByTagName("changeSet");
            for (int i = 0; i < sets.getLength(); i++) {
                var set = (org.w3c.dom.Element) sets.item(i);
                if (set.getAttribute("id").equals(id)) {
                    return set.getElementsByTagName("sql").item(0).getTextContent();
                }
            }
        }
        throw new AssertionError("no changeSet " + id);
    }

    private MachinePage sorted(MachineSort sort, boolean descending, int offset, int limit) {
        return inv.machines(new MachineQuery(Optional.of(g.id()), false, Optional.empty(), Optional.empty(), offset,
                limit, sort, descending));
    }

    private MachinePage query(Optional<Long> group, boolean subgroups, MachineStatus status, String text) {
        return inv.machines(new MachineQuery(group, subgroups, Optional.ofNullable(status), Optional.ofNullable(text),
                0, 100));
    }

    private static List<String> names(MachinePage page) {
        return page.machines().stream().map(Machine::name).toList();
    }
}
