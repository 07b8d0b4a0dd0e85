package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.Test;

/** INV-9: machine CSV import and export. */
public class MachineCsvTest {

    private static final String HEADER = "group_path,name,macs,uuid,ip,model,deploy_os\r\n";

    private static MacAddress mac(String text) {
        return MacAddress.parse(text);
    }

    @Test
    public void readsAFullRow_INV9() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "/Group2/Subgroup21,ComputerB,00-50-56-AA-BB-CC,{4C4C4544-0042-3510-8053-B4C04F4E3832},192.168.1.20,"
                + "Express5800/R120h,DeployOS-x64\r\n");
        assertThat(result.problems()).isEmpty();
        MachineCsv.Row row = result.value().get(0);
        assertThat(row.line()).isEqualTo(2);
        MachineEntry m = row.machine();
        assertThat(m.group()).hasToString("/Group2/Subgroup21");
        assertThat(m.name()).isEqualTo("ComputerB");
        assertThat(m.macs()).containsExactly(mac("00:50:56:aa:bb:cc"));
        assertThat(m.primaryMac()).isEqualTo(mac("00:50:56:aa:bb:cc"));
        assertThat(m.uuid()).contains(MachineUuid.parse("4c4c4544-0042-3510-8053-b4c04f4e3832"));
        assertThat(m.ip()).contains(Ipv4.parse("192.168.1.20"));
        assertThat(m.model()).contains("Express5800/R120h");
        assertThat(m.deployOs()).contains("DeployOS-x64");
    }

    @Test
    public void optionalFieldsMayBeEmptyAndColumnsLeftOutOrReordered_INV9() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(
                " MACS , Name,Group_Path,deploy_os\n00:50:56:aa:bb:cc,pc1,/G,\n");
        assertThat(result.problems()).isEmpty();
        MachineEntry m = result.value().get(0).machine();
        assertThat(m.name()).isEqualTo("pc1");
        assertThat(m.uuid()).isEmpty();
        assertThat(m.ip()).isEmpty();
        assertThat(m.model()).isEmpty();
        assertThat(m.deployOs()).as("empty deploy_os = server default").isEmpty();
    }

    @Test
    public void severalMacsFirstIsPrimaryUnlessMarked_INV3() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "/G,a,00:50:56:00:00:01 00:50:56:00:00:02,,,,\n"
                + "/G,b,00:50:56:00:00:03|00:50:56:00:00:04(*),,,,\n"
                + "/G,c,\"00:50:56:00:00:05 | 00:50:56:00:00:06 (*) | 0050.5600.0007\",,,,\n");
        assertThat(result.problems()).isEmpty();
        List<MachineCsv.Row> rows = result.value();
        assertThat(rows.get(0).machine().primaryMac()).isEqualTo(mac("00:50:56:00:00:01"));
        assertThat(rows.get(1).machine().primaryMac()).isEqualTo(mac("00:50:56:00:00:04"));
        assertThat(rows.get(1).machine().macs()).containsExactly(mac("00:50:56:00:00:03"), mac("00:50:56:00:00:04"));
        assertThat(rows.get(2).machine().primaryMac()).isEqualTo(mac("00:50:56:00:00:06"));
        assertThat(rows.get(2).machine().macs()).hasSize(3);
    }

    @Test
    public void collectsEveryProblemWithLineAndField_INV9() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "Group1,pc1,00:50:56:00:00:01,,,,\n" // line 2: path without '/'
                + "/G,,00:50:56:00:00:02,,,,\n" // line 3: no name
                + "/G,pc3,00:50:56:00:00:0g,,,,\n" // line 4: bad MAC
                + "/G,pc4,,,,,\n" // line 5: no MAC
                + "/G,pc5,00:50:56:00:00:05,not-a-uuid,300.1.1.1,,\n" // line 6: uuid and ip
                + "/G,pc6,00:50:56:00:00:06(*) 00:50:56:00:00:07(*),,,,\n" // line 7: two primaries
                + "/G,pc7,00:50:56:00:00:08\n" // line 8: too few fields
                + "/,pc8,00:50:56:00:00:09,,,,\n" // line 9: root
                + "/G,pc9,(*) 00:50:56:00:00:0a,,127.0.0.1,,\n"); // line 10: lone mark, loopback
        assertThat(result.hasErrors()).isTrue();
        assertThat(result.problems()).extracting(Problem::line, Problem::field).containsExactly(
                tuple(2, "group_path"), tuple(3, "name"), tuple(4, "macs"), tuple(5, "macs"), tuple(6, "uuid"),
                tuple(6, "ip"), tuple(7, "macs"), tuple(8, null), tuple(9, "group_path"), tuple(10, "macs"),
                tuple(10, "ip"));
        assertThat(result.problems().get(2).message()).contains("bad character 'g' at position 17");
        assertThat(result.problems().get(6).message()).contains("only one MAC address may be marked (*)");
        assertThat(result.problems().get(7).message()).contains("has 3 fields but the header has 7");
        assertThat(result.value()).isEmpty();
        assertThatThrownBy(result::orThrow).isInstanceOf(RuleFileException.class).hasMessageStartingWith("11 problems");
    }

    @Test
    public void duplicateMacsAndUuidsNameBothLines_INV9() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "/G,a,00:50:56:00:00:01,4c4c4544-0042-3510-8053-b4c04f4e3832,,,\n"
                + "/G,b,00:50:56:00:00:02,,,,\n"
                + "/G,c,00-50-56-00-00-01,{4C4C4544-0042-3510-8053-B4C04F4E3832},,,\n"
                + "/G,d,00:50:56:00:00:03 00:50:56:00:00:03,,,,\n");
        assertThat(result.errors()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(4, "macs"), tuple(4, "uuid"), tuple(5, "macs"));
        assertThat(result.errors().get(0).message()).isEqualTo("MAC address 00:50:56:00:00:01 is also on line 2");
        assertThat(result.errors().get(1).message()).contains("also on line 2");
        assertThat(result.errors().get(2).message()).contains("listed twice");
    }

    @Test
    public void placeholderUuidsAreNotDuplicates_decision() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "/G,a,00:50:56:00:00:01,00000000-0000-0000-0000-000000000000,,,\n"
                + "/G,b,00:50:56:00:00:02,00000000-0000-0000-0000-000000000000,,,\n");
        assertThat(result.problems()).isEmpty();
    }

    @Test
    public void badHeadersAreRefusedClearly_INV9() {
        ParseResult<List<MachineCsv.Row>> unknown = MachineCsv
                .parse("group_path,name,mac,hostname\n/G,a,00:50:56:00:00:01,x\n");
        assertThat(unknown.problems()).extracting(Problem::line, Problem::field)
                .containsExactly(tuple(1, "mac"), tuple(1, "hostname"), tuple(1, "macs"));
        assertThat(unknown.problems().get(0).message()).contains("column 3 'mac' is unknown")
                .contains("group_path,name,macs,uuid,ip,model,deploy_os");
        assertThat(unknown.problems().get(2).message()).contains("required column 'macs' is missing");
        assertThat(unknown.value()).isEmpty();

        ParseResult<List<MachineCsv.Row>> twice = MachineCsv.parse("group_path,name,macs,name\n");
        assertThat(twice.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("appears twice"));

        assertThat(MachineCsv.parse("").problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("no header row"));
        assertThat(MachineCsv.parse("\uFEFF\r\n").problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("no header row"));
    }

    @Test
    public void headerOnlyIsAnEmptyImport() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER);
        assertThat(result.problems()).isEmpty();
        assertThat(result.value()).isEmpty();
    }

    @Test
    public void emptyRowsAreSkippedAndLineNumbersStayPhysical() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv
                .parse(HEADER + "\r\n,,,,,,\r\n/G,a,00:50:56:00:00:01,,,,\r\n");
        assertThat(result.problems()).isEmpty();
        assertThat(result.value()).extracting(MachineCsv.Row::line).containsExactly(4);
    }

    @Test
    public void quotedFieldsWithCommasQuotesAndLineBreaks() {
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(HEADER
                + "\"/Rack 1, \"\"left\"\"\",\"pc, \"\"one\"\"\",00:50:56:00:00:01,,,\"multi\nline model\",\n"
                + "/G,b,00:50:56:00:00:02,,,,\n");
        assertThat(result.problems()).extracting(Problem::toString).singleElement()
                .satisfies(p -> assertThat(p).contains("line 2, field model").contains("control character"));
        assertThat(result.value()).extracting(MachineCsv.Row::line).containsExactly(4);
    }

    @Test
    public void malformedQuotingIsReportedWithLineAndColumn() {
        ParseResult<List<MachineCsv.Row>> stray = MachineCsv.parse(HEADER + "/G,pc\"1,00:50:56:00:00:01,,,,\n");
        assertThat(stray.errors()).first().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).contains("unexpected '\"' at column 6");
        });
        ParseResult<List<MachineCsv.Row>> after = MachineCsv.parse(HEADER + "/G,\"pc1\"x,00:50:56:00:00:01,,,,\n");
        assertThat(after.errors()).first().satisfies(p -> assertThat(p.message()).contains("after a closing quote"));
        ParseResult<List<MachineCsv.Row>> open = MachineCsv.parse(HEADER + "/G,a,00:50:56:00:00:01,,,,\n/G,\"pc2,x\n");
        assertThat(open.errors()).first().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).contains("never closed");
        });
    }

    @Test
    public void exportThenImportRoundTrips_INV9() {
        List<MachineEntry> machines = List.of(
                new MachineEntry(GroupPath.parse("/Group2/Subgroup21"), "ComputerB",
                        List.of(mac("00:50:56:00:00:01"), mac("00:50:56:00:00:02")), mac("00:50:56:00:00:02"),
                        Optional.of(MachineUuid.parse("4c4c4544-0042-3510-8053-b4c04f4e3832")),
                        Optional.of(Ipv4.parse("192.168.1.20")), Optional.of("Express5800/R120h"),
                        Optional.of("DeployOS-x64")),
                new MachineEntry(GroupPath.parse("/東京/Rack \"A\", row 1"), "サーバー, \"本番\" 01",
                        List.of(mac("00:50:56:00:00:03")), mac("00:50:56:00:00:03"), Optional.empty(), Optional.empty(),
                        Optional.of("Model, with comma"), Optional.empty()),
                MachineEntry.of(GroupPath.parse("/G"), "=cmd|' /C calc'!A0", mac("00:50:56:00:00:04")));
        String csv = MachineCsv.write(machines);
        assertThat(csv).startsWith(HEADER).endsWith("\r\n");
        assertThat(csv).contains("00:50:56:00:00:01|00:50:56:00:00:02(*)");

        ParseResult<List<MachineCsv.Row>> back = MachineCsv.parse(csv);
        assertThat(back.problems()).isEmpty();
        assertThat(back.value()).extracting(MachineCsv.Row::machine).containsExactlyElementsOf(machines);
    }

    @Test
    public void roundTripsWithLfAndCrLineEndsAndBom() {
        List<MachineEntry> machines = List.of(MachineEntry.of(GroupPath.parse("/G"), "ä", mac("00:50:56:00:00:01")));
        String crlf = MachineCsv.write(machines);
        assertThat(MachineCsv.parse("\uFEFF" + crlf).orThrow()).extracting(MachineCsv.Row::machine).isEqualTo(machines);
        assertThat(MachineCsv.parse(crlf.replace("\r\n", "\n")).orThrow()).extracting(MachineCsv.Row::machine)
                .isEqualTo(machines);
        assertThat(MachineCsv.parse(crlf.replace("\r\n", "\r")).orThrow()).extracting(MachineCsv.Row::line)
                .containsExactly(2);
    }

    @Test
    public void refusesMoreMachinesThanTheInventoryMayHold_INV1() {
        StringBuilder csv = new StringBuilder("group_path,name,macs\n");
        int n = GroupPath.MAX_MACHINES + 1;
        for (int i = 1; i <= n; i++) {
            csv.append("/G,pc").append(i).append(',')
                    .append(String.format("02:00:00:%02x:%02x:%02x", i >> 16, i >> 8 & 0xff, i & 0xff))
                    .append('\n');
        }
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(csv.toString());
        assertThat(result.errors()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(n + 1);
            assertThat(p.message()).contains("more than 40000 machines");
        });
    }

    @Test
    public void refusesMoreGroupsThanTheInventoryMayHold_INV1() {
        List<MachineEntry> machines = new ArrayList<>();
        for (int i = 1; i <= 1001; i++) {
            machines.add(MachineEntry.of(GroupPath.parse("/g" + i), "pc" + i,
                    mac(String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff))));
        }
        ParseResult<List<MachineCsv.Row>> result = MachineCsv.parse(MachineCsv.write(machines));
        assertThat(result.errors()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(1002);
            assertThat(p.field()).isEqualTo("group_path");
            assertThat(p.message()).contains("more than 1000 groups");
        });
    }

    @Test
    public void entryChecksItsOwnInvariants() {
        GroupPath g = GroupPath.parse("/G");
        MacAddress a = mac("00:50:56:00:00:01");
        MacAddress b = mac("00:50:56:00:00:02");
        assertThatThrownBy(
                () -> new MachineEntry(g, "x", List.of(a), b, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty()))
                .hasMessageContaining("not one of the machine's MACs");
        assertThatThrownBy(
                () -> new MachineEntry(g, "x", List.of(), a, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty()))
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> MachineEntry.of(GroupPath.ROOT, "x", a)).hasMessageContaining("not to the root");
        assertThatThrownBy(() -> MachineEntry.of(g, " x", a)).hasMessageContaining("blanks");
        assertThat(new MachineEntry(g, "x", List.of(a), a, Optional.empty(), Optional.empty(), Optional.of("  "),
                Optional.of(" Win ")).deployOs()).contains("Win");
    }
}
