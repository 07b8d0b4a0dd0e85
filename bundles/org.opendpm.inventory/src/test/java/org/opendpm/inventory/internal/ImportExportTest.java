package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.inventory.FileProblem;
import org.opendpm.api.inventory.ImportResult;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineSpec;

/** INV-9: CSV import all-or-nothing with every bad row reported, and export that imports back. */
public class ImportExportTest {

    private final InventoryFixture fx = new InventoryFixture(new Limits(5, 3, 6));
    private final JdbcInventoryService inv = fx.service;

    private static final String HEADER = "group_path,name,macs,uuid,ip,model,deploy_os\n";

    @Test
    public void aGoodFileCreatesGroupsAndMachinesAndExportImportsBack() {
        String csv = HEADER
                + "/Group2/Subgroup21,pc1,00-50-56-AA-BB-01|00-50-56-AA-BB-02(*),4C4C4544-0042-3610-8057-B4C04F333532,"
                + "192.168.1.10,\"Express5800, R120h\",ia32_121228_26\n"
                + "/Group1,pc2,0050.56aa.bb03,,,,\n";
        assertThat(inv.importCsv(csv)).isEqualTo(new ImportResult(2, 3));
        assertThat(inv.findMachine("pc1").orElseThrow().primaryMac()).isEqualTo("00:50:56:aa:bb:02");
        assertThat(inv.findMachine("pc1").orElseThrow().model()).contains("Express5800, R120h");
        String exported = inv.exportCsv();
        assertThat(exported).startsWith("group_path,name,macs,uuid,ip,model,deploy_os\r\n/Group1,pc2,");
        for (MachineGroup top : inv.groupTree().stream().map(n -> n.group()).toList()) {
            inv.deleteGroup(top.id(), true);
        }
        assertThat(fx.count("machine")).isZero();
        assertThat(inv.importCsv(exported)).isEqualTo(new ImportResult(2, 3));
        assertThat(inv.exportCsv()).isEqualTo(exported);
    }

    @Test
    public void everyBadRowIsReportedByLineAndFieldAndNothingIsImported() {
        String csv = HEADER
                + "/G,ok1,00-50-56-00-00-01,,,,\n"
                + "/G,bad-mac,00-50-56-00-00-ZZ,,,,\n"
                + "/G,ok2,00-50-56-00-00-03,,10.0.0.300,,\n"
                + "/G,ok3,00-50-56-00-00-01,,,,\n";
        assertThatThrownBy(() -> inv.importCsv(csv)).isInstanceOfSatisfying(InvalidFileException.class, e -> {
            assertThat(e.problems()).extracting(FileProblem::line, FileProblem::field)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(3, "macs"),
                            org.assertj.core.groups.Tuple.tuple(4, "ip"),
                            org.assertj.core.groups.Tuple.tuple(5, "macs"));
            assertThat(e.getMessage()).contains("line 3");
        });
        assertThat(fx.count("machine")).isZero();
        assertThat(fx.count("machine_group")).isZero();
    }

    @Test
    public void rowsClashingWithTheInventoryAreReportedTooAndNothingIsImported() {
        MachineGroup g = inv.createGroup("/G", null);
        inv.createMachine(g.id(), new MachineSpec("old", java.util.List.of("00-50-56-00-00-01"), Optional.empty(),
                Optional.of("4c4c4544-0042-3610-8057-b4c04f333532"), Optional.empty(), Optional.empty(),
                Optional.empty()));
        String csv = HEADER
                + "/New,fresh,00-50-56-00-00-05,,,,\n"
                + "/New,OLD,00-50-56-00-00-02,,,,\n"
                + "/New,x,00-50-56-00-00-01,,,,\n"
                + "/New,y,00-50-56-00-00-03,4C4C4544-0042-3610-8057-B4C04F333532,,,\n"
                + "/New,Y,00-50-56-00-00-04,,,,\n";
        assertThatThrownBy(() -> inv.importCsv(csv)).isInstanceOfSatisfying(InvalidFileException.class,
                e -> assertThat(e.problems()).extracting(FileProblem::line, FileProblem::field).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3, "name"), org.assertj.core.groups.Tuple.tuple(4, "macs"),
                        org.assertj.core.groups.Tuple.tuple(5, "uuid"),
                        org.assertj.core.groups.Tuple.tuple(6, "name")));
        assertThat(inv.findGroup("/New")).isEmpty();
        assertThat(fx.count("machine")).isEqualTo(1);
    }

    @Test
    public void theImportRespectsTheLimits() {
        StringBuilder tooMany = new StringBuilder(HEADER);
        for (int i = 0; i < 7; i++) {
            tooMany.append("/G,pc").append(i).append(",00-50-56-00-00-0").append(i).append(",,,,\n");
        }
        assertThatThrownBy(() -> inv.importCsv(tooMany.toString())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 6 managed machines");
        assertThatThrownBy(() -> inv.importCsv(HEADER + "/a/b/c/d,pc,00-50-56-00-00-01,,,,\n"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("limit of 3 layers");
        assertThatThrownBy(() -> inv.importCsv(HEADER + "/a,pc1,00-50-56-00-00-01,,,,\n/b/c,pc2,00-50-56-00-00-02,,,,\n"
                + "/d/e/f,pc3,00-50-56-00-00-03,,,,\n")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 5 machine groups");
        assertThat(fx.count("machine_group")).isZero();
        assertThat(fx.count("machine")).isZero();
    }

    @Test
    public void importingARegistersMacsThatWereNewMachines() {
        inv.registerSeen("00-50-56-00-00-01", null, Optional.empty());
        inv.importCsv(HEADER + "/G,pc1,00-50-56-00-00-01,,,,\n");
        assertThat(inv.newMachines()).isEmpty();
    }
}
