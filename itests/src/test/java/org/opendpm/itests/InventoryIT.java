package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.PartitionInfo;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The inventory through REST and the shell on the real distribution, booted once: the limits at their real values
 * (1001st group, 21st layer, 40,001st machine), a 40,000-row import with one bad row, concurrent registrations,
 * New Machines, rule files and roles. Each test removes what it created, so the limits test starts from an empty
 * inventory whatever the order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InventoryIT {

    private static final String CSV = "text/csv";
    private static final String HEADER = "group_path,name,macs,uuid,ip,model,deploy_os\n";

    @Inject
    private SessionFactory sessions;

    @Inject
    private InventoryService inventory;

    private Rest rest;
    private String adminPassword;

    @Configuration
    public Option[] configuration() throws IOException {
        return Container.options();
    }

    @Before
    public void serverIsUp() throws IOException {
        rest = Container.rest();
        adminPassword = Container.adminPassword();
        Rest.awaitMillis(30_000, () -> rest.get("groups", "admin", adminPassword).status() == 200,
                "inventory reachable");
    }

    // ------------------------------------------------------------------ helpers

    private Rest.Response admin(String method, String path, String json) {
        return rest.send(method, path, json, "admin", adminPassword);
    }

    private Rest.Response adminCsv(String csv) {
        return rest.send("POST", "machines/import", CSV, csv, "admin", adminPassword);
    }

    private JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.body().isEmpty() ? null : r.json();
    }

    private long createGroup(String path) {
        return ok(admin("POST", "groups", "{\"path\":\"" + path + "\"}"), 201).get("id").asLong();
    }

    private void deleteGroupTree(String path) {
        Rest.Response r = rest.get("groups/by-path?path=" + path.replace(" ", "%20"), "admin", adminPassword);
        if (r.status() == 200) {
            ok(admin("DELETE", "groups/" + r.json().get("id").asLong() + "?recursive=true", null), 204);
        }
    }

    private int groupCount() {
        return ok(rest.get("groups", "admin", adminPassword), 200).size();
    }

    private long machineTotal() {
        return ok(rest.get("machines?limit=1", "admin", adminPassword), 200).get("total").asLong();
    }

    private static String mac(int i) {
        return String.format("02-00-%02X-%02X-%02X-%02X", i >>> 24 & 255, i >>> 16 & 255, i >>> 8 & 255, i & 255);
    }

    /** {@code n} machines over {@code groups} groups under {@code top}; {@code badLine} (1-based) gets a bad MAC. */
    private static String csv(String top, int n, int groups, int badLine) {
        StringBuilder sb = new StringBuilder(HEADER);
        for (int i = 0; i < n; i++) {
            sb.append(top).append("/g").append(i % groups).append(",m-").append(i).append(',')
                    .append(i + 2 == badLine ? "02-00-ZZ-00-00-00" : mac(i)).append(",,,,\n");
        }
        return sb.toString();
    }

    private String shell(String command) throws Exception {
        return Container.shell(sessions, command);
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void limitsAtTheirRealValuesAreConflictsAndABadImportRowImportsNothing() {
        try {
            // 21st layer: /L1/.../L20 exists, one more is refused and nothing of it is created.
            StringBuilder path = new StringBuilder();
            for (int i = 1; i <= 20; i++) {
                path.append("/L").append(i);
                createGroup(path.toString());
            }
            Rest.Response deep = admin("POST", "groups", "{\"path\":\"" + path + "/L21\"}");
            assertEquals(deep.body(), 409, deep.status());
            assertTrue(deep.body(), deep.json().get("detail").asText().contains("limit of 20 layers"));
            assertEquals(404, rest.get("groups/by-path?path=" + path + "/L21", "admin", adminPassword).status());
            deleteGroupTree("/L1");

            // A 40,000-row import with one bad row in the middle: refused with that row, nothing imported.
            int before = groupCount();
            assertEquals(0, machineTotal());
            int groups = 1000 - before - 1;
            Rest.Response bad = adminCsv(csv("/imp", 40_000, groups, 20_001));
            assertEquals(bad.body().substring(0, Math.min(500, bad.body().length())), 400, bad.status());
            JsonNode errors = bad.json().get("errors");
            assertEquals(bad.body(), 1, errors.size());
            assertEquals(20_001, errors.get(0).get("line").asInt());
            assertEquals("macs", errors.get(0).get("field").asText());
            assertEquals(0, machineTotal());
            assertEquals(before, groupCount());

            // The same file without the bad row: 40,000 machines and the groups up to exactly 1000.
            long start = System.nanoTime();
            JsonNode imported = ok(adminCsv(csv("/imp", 40_000, groups, 0)), 200);
            System.out.println("40,000-row import through REST: " + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertEquals(40_000, imported.get("machines").asInt());
            assertEquals(groups + 1, imported.get("groupsCreated").asInt());
            assertEquals(1000, groupCount());
            assertEquals(40_000, machineTotal());

            Rest.Response group1001 = admin("POST", "groups", "{\"path\":\"/imp/one-too-many\"}");
            assertEquals(group1001.body(), 409, group1001.status());
            assertTrue(group1001.body(), group1001.json().get("detail").asText()
                    .contains("limit of 1000 machine groups"));
            Rest.Response machine40001 = admin("POST", "machines", "{\"groupPath\":\"/imp/g0\",\"name\":\"extra\","
                    + "\"macs\":[\"02-00-FF-FF-FF-FF\"]}");
            assertEquals(machine40001.body(), 409, machine40001.status());
            assertTrue(machine40001.body(), machine40001.json().get("detail").asText()
                    .contains("limit of 40000 managed machines"));
            Rest.Response importOneMore = adminCsv(HEADER + "/imp/g0,extra,02-00-FF-FF-FF-FF,,,,\n");
            assertEquals(importOneMore.body(), 409, importOneMore.status());
            assertEquals(1000, groupCount());
            assertEquals(40_000, machineTotal());

            // With 40,000 machines a page of one group and the tree still answer.
            JsonNode page = ok(rest.get("machines?groupPath=/imp/g7&limit=100", "admin", adminPassword), 200);
            int inG7 = 40_000 / groups + (7 < 40_000 % groups ? 1 : 0);
            assertEquals(inG7, page.get("total").asInt());
            assertEquals(Math.min(100, inG7), page.get("machines").size());
            int children = -1;
            for (JsonNode top : ok(rest.get("groups/tree", "admin", adminPassword), 200)) {
                if (top.get("path").asText().equals("/imp")) {
                    children = top.get("children").size();
                }
            }
            assertEquals(groups, children);
        } finally {
            deleteGroupTree("/L1");
            deleteGroupTree("/imp");
        }
        assertEquals(0, machineTotal());
    }

    @Test
    public void concurrentRegistrationsOfOneMacLetExactlyOneWin() throws Exception {
        createGroup("/race");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Rest.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String body = "{\"groupPath\":\"/race\",\"name\":\"racer-" + i + "\",\"macs\":[\"00-50-56-12-34-56\"]}";
                calls.add(() -> admin("POST", "machines", body));
            }
            int won = 0;
            for (Future<Rest.Response> f : pool.invokeAll(calls)) {
                Rest.Response r = f.get();
                if (r.status() == 201) {
                    won++;
                } else {
                    assertEquals(r.body(), 409, r.status());
                    assertTrue(r.body(), r.json().get("detail").asText().contains("00:50:56:12:34:56 is already"
                            + " registered to machine 'racer-"));
                }
            }
            assertEquals(1, won);
            assertEquals(1, ok(rest.get("machines?groupPath=/race", "admin", adminPassword), 200).get("total")
                    .asInt());
        } finally {
            pool.shutdownNow();
            deleteGroupTree("/race");
        }
    }

    @Test
    public void machinesSeenConcurrentlyAreListedOnceAndRegisteredIntoAGroupInOneCall() throws Exception {
        long group = createGroup("/landing");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        Set<String> macs = new HashSet<>();
        try {
            List<Callable<Rest.Response>> calls = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 300; i++) {
                    String mac = String.format("00:0c:29:00:%02x:%02x", i / 256, i % 256);
                    macs.add(mac);
                    calls.add(() -> admin("POST", "machines/seen", "{\"mac\":\"" + mac.toUpperCase().replace(':', '-')
                            + "\"}"));
                }
            }
            int created = 0;
            for (Future<Rest.Response> f : pool.invokeAll(calls)) {
                JsonNode r = ok(f.get(), 200);
                created += r.get("outcome").asText().equals("NEW_MACHINE") ? 1 : 0;
            }
            assertEquals(300, created);
            JsonNode listed = ok(rest.get("new-machines", "admin", adminPassword), 200);
            Set<String> seen = new HashSet<>();
            List<Long> ids = new ArrayList<>();
            for (JsonNode n : listed) {
                if (macs.contains(n.get("mac").asText())) {
                    assertTrue("listed twice: " + n, seen.add(n.get("mac").asText()));
                    ids.add(n.get("id").asLong());
                }
            }
            assertEquals(macs, seen);

            JsonNode registered = ok(admin("POST", "new-machines/register", "{\"groupId\":" + group
                    + ",\"machines\":[{\"id\":" + ids.get(0) + ",\"name\":\"first\"},{\"id\":" + ids.get(1) + "}]}"),
                    201);
            assertEquals(2, registered.size());
            assertEquals("first", registered.get(0).get("name").asText());
            assertEquals(2, ok(rest.get("groups/" + group, "admin", adminPassword), 200).get("machineCount").asInt());
            assertEquals(298, countListed(macs));
            Rest.Response again = admin("POST", "new-machines/register", "{\"groupId\":" + group
                    + ",\"machines\":[{\"id\":" + ids.get(0) + "}]}");
            assertEquals(again.body(), 404, again.status());
        } finally {
            pool.shutdownNow();
            for (JsonNode n : rest.get("new-machines", "admin", adminPassword).json()) {
                if (macs.contains(n.get("mac").asText())) {
                    ok(admin("DELETE", "new-machines/" + n.get("id").asLong(), null), 204);
                }
            }
            deleteGroupTree("/landing");
        }
        assertEquals(0, countListed(macs));
    }

    private int countListed(Set<String> macs) {
        int n = 0;
        for (JsonNode m : rest.get("new-machines", "admin", adminPassword).json()) {
            n += macs.contains(m.get("mac").asText()) ? 1 : 0;
        }
        return n;
    }

    @Test
    public void machinesAreEditedMovedAndExportedByAdminsAndOnlyReadByViewers() {
        String viewer = "viewer-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin("POST", "users", "{\"name\":\"" + viewer + "\",\"password\":\"a long password 1\","
                + "\"roles\":[\"viewer\"]}"), 201);
        try {
            long a = createGroup("/crud");
            long b = ok(admin("POST", "groups", "{\"path\":\"/crud/b\",\"network\":{\"defaultGateway\":\"10.1.0.1\","
                    + "\"subnetMask\":\"255.255.0.0\"}}"), 201).get("id").asLong();
            JsonNode m = ok(admin("POST", "machines", "{\"groupId\":" + a + ",\"name\":\"web-1\",\"macs\":"
                    + "[\"00-50-56-00-AA-01\",\"0050.5600.aa02\"],\"primaryMac\":\"00:50:56:00:aa:02\","
                    + "\"uuid\":\"{4C4C4544-0042-3610-8057-B4C04F333532}\",\"ip\":\"10.1.0.10\"}"), 201);
            assertEquals("[\"00:50:56:00:aa:01\",\"00:50:56:00:aa:02(*)\"]", m.get("macs").toString());
            assertEquals("4c4c4544-0042-3610-8057-b4c04f333532", m.get("uuid").asText());
            assertTrue(m.get("useDefaultDeployOs").asBoolean());
            long id = m.get("id").asLong();

            Rest.Response badMac = admin("POST", "machines", "{\"groupId\":" + a + ",\"name\":\"x\",\"macs\":"
                    + "[\"00-50-56-00-AA-0G\"]}");
            assertEquals(400, badMac.status());
            assertEquals("macs[0]", badMac.json().get("field").asText());
            Rest.Response dupUuid = admin("POST", "machines", "{\"groupId\":" + a + ",\"name\":\"x\",\"macs\":"
                    + "[\"00-50-56-00-AA-03\"],\"uuid\":\"4c4c4544004236108057b4c04f333532\"}");
            assertEquals(409, dupUuid.status());
            assertTrue(dupUuid.body(), dupUuid.json().get("detail").asText().contains("'web-1'"));

            JsonNode updated = ok(admin("PUT", "machines/" + id, "{\"name\":\"web-1\",\"macs\":[\"00-50-56-00-AA-01\"],"
                    + "\"uuid\":\"4c4c4544-0042-3610-8057-b4c04f333532\",\"ip\":\"10.1.0.10\","
                    + "\"deployOs\":\"ia32_121228_26\"}"), 200);
            assertEquals("ia32_121228_26", updated.get("deployOs").asText());
            ok(admin("POST", "machines/" + id + "/move", "{\"groupPath\":\"/crud/b\"}"), 200);
            JsonNode inB = ok(rest.get("machines?group=" + b, viewer, "a long password 1"), 200);
            assertEquals(1, inB.get("total").asInt());
            assertEquals(1, ok(rest.get("machines?group=" + a + "&subgroups=true&q=WEB", viewer,
                    "a long password 1"), 200).get("total").asInt());
            assertEquals(0, ok(rest.get("machines?group=" + a, viewer, "a long password 1"), 200).get("total")
                    .asInt());
            assertEquals(403, rest.send("POST", "groups", "{\"path\":\"/viewer-made\"}", viewer, "a long password 1")
                    .status());
            assertEquals(403, rest.send("DELETE", "machines/" + id, null, viewer, "a long password 1").status());
            assertEquals(400, rest.get("machines?limit=many", viewer, "a long password 1").status());

            // Export, delete, import: the same machines come back.
            Rest.Response exported = rest.get("machines/export", viewer, "a long password 1");
            assertEquals(exported.body(), 200, exported.status());
            String export = exported.body();
            assertTrue(export, export.contains("/crud/b,web-1,00:50:56:00:aa:01(*),4c4c4544-0042-3610-8057-"
                    + "b4c04f333532,10.1.0.10,,ia32_121228_26"));
            ok(admin("DELETE", "groups/" + a + "?recursive=true", null), 204);
            assertEquals(0, machineTotal());
            ok(adminCsv(export), 200);
            assertEquals(export, rest.get("machines/export", "admin", adminPassword).body());
        } finally {
            deleteGroupTree("/crud");
            admin("DELETE", "users/" + viewer, null);
        }
    }

    @Test
    public void ruleFilesAreCheckedWholeAndDecideBootAndAutoRegistration() {
        try {
            Rest.Response bad = rest.send("PUT", "rules/GroupAsIp.ini", "text/plain",
                    "/Group2;192.168.0.0;255.255.0.0\n/bad;10.0.0.300\n/worse;10.1.0.10;255.255.0.0\n", "admin",
                    adminPassword);
            assertEquals(bad.body(), 400, bad.status());
            assertEquals(2, bad.json().get("errors").size());
            assertEquals(2, bad.json().get("errors").get(0).get("line").asInt());
            assertEquals(3, bad.json().get("errors").get(1).get("line").asInt());
            assertEquals(404, rest.get("rules/GroupAsIp.ini", "admin", adminPassword).status());

            ok(rest.send("PUT", "rules/GroupAsIp.ini", "text/plain",
                    "/auto/Group3/Subgroup31;172.16.0.0;255.240.0.0;172.16.1.1;255.240.0.0\n", "admin", adminPassword),
                    200);
            JsonNode seen = ok(admin("POST", "machines/seen", "{\"mac\":\"00-50-56-77-00-01\",\"ip\":\"172.31.0.5\","
                    + "\"name\":\"agent-1\"}"), 200);
            assertEquals("AUTO_REGISTERED", seen.get("outcome").asText());
            JsonNode group = ok(rest.get("groups/by-path?path=/auto/Group3/Subgroup31", "admin", adminPassword), 200);
            assertEquals("172.16.1.1", group.get("network").get("defaultGateway").asText());
            assertEquals(1, group.get("machineCount").asInt());

            ok(rest.send("PUT", "rules/forceskip.ini", "text/plain", "00-50-56-*\r\n00-0C-29-*\r\n", "admin",
                    adminPassword), 200);
            assertEquals("LOCAL_BOOT", ok(rest.get("rules/forceskip.ini/decision?mac=00:0c:29:01:02:03", "admin",
                    adminPassword), 200).get("decision").asText());
            JsonNode menu = ok(rest.get("rules/forceskip.ini/decision?mac=00-15-5D-01-02-03", "admin",
                    adminPassword), 200);
            assertEquals("REGISTRATION_MENU", menu.get("decision").asText());
            assertEquals(30, menu.get("powerOffAfterSeconds").asInt());
        } finally {
            rest.send("PUT", "rules/GroupAsIp.ini", "text/plain", "", "admin", adminPassword);
            rest.send("PUT", "rules/forceskip.ini", "text/plain", "*\n", "admin", adminPassword);
            deleteGroupTree("/auto");
        }
    }

    /** IMG-4: disks recorded for a machine (as the agent's disk check will) are shown by REST and the shell. */
    @Test
    public void recordedDisksAppearThroughRestAndTheShell() throws Exception {
        String viewer = "viewer-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin("POST", "users", "{\"name\":\"" + viewer + "\",\"password\":\"a long password 1\","
                + "\"roles\":[\"viewer\"]}"), 201);
        try {
            long group = createGroup("/disks");
            long id = ok(admin("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"disk-pc\",\"macs\":"
                    + "[\"00-50-56-00-D1-01\"]}"), 201).get("id").asLong();
            JsonNode never = ok(rest.get("machines/" + id + "/disks", viewer, "a long password 1"), 200);
            assertTrue(never.toString(), never.get("scannedAt").isNull() && never.get("disks").isEmpty());

            inventory.recordDisks(id, List.of(
                    new DiskInfo(1, "sda", 64L << 20, "mbr", "QEMU HARDDISK", List.of(
                            new PartitionInfo(1, 1 << 20, 8L << 20, "83", "ext4"),
                            new PartitionInfo(2, 9L << 20, 50L << 20, "05", ""),
                            new PartitionInfo(5, 10L << 20, 4L << 20, "82", "swap"))),
                    new DiskInfo(2, "nvme0n1", 1L << 30, "gpt", "", List.of(new PartitionInfo(1, 1 << 20, 512L << 20,
                            "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "vfat")))),
                    Instant.parse("2026-03-01T10:00:00Z"));

            JsonNode disks = ok(rest.get("machines/" + id + "/disks", viewer, "a long password 1"), 200);
            assertEquals("2026-03-01T10:00:00Z", disks.get("scannedAt").asText());
            assertEquals(2, disks.get("disks").size());
            JsonNode sda = disks.get("disks").get(0);
            assertEquals("sda", sda.get("device").asText());
            assertEquals("mbr", sda.get("partitionTable").asText());
            assertEquals(3, sda.get("partitions").size());
            assertEquals(5, sda.get("partitions").get(2).get("number").asInt());
            assertEquals("swap", sda.get("partitions").get(2).get("filesystem").asText());
            assertEquals("vfat", disks.get("disks").get(1).get("partitions").get(0).get("filesystem").asText());
            assertEquals(404, rest.get("machines/999999/disks", viewer, "a long password 1").status());

            String shown = shell("dpm:machine-disks disk-pc");
            assertTrue(shown, shown.contains("Disks of disk-pc, checked 2026-03-01T10:00:00Z"));
            assertTrue(shown, shown.contains("1      sda            64.0 MiB mbr         QEMU HARDDISK"));
            assertTrue(shown, shown.contains("  5           10.0 MiB    4.0 MiB  82"));
            assertTrue(shown, shown.contains("2      nvme0n1         1.0 GiB gpt"));
        } finally {
            deleteGroupTree("/disks");
            admin("DELETE", "users/" + viewer, null);
        }
    }

    @Test
    public void shellCommandsManageGroupsAndMachines() throws Exception {
        try {
            assertTrue(shell("dpm:group-add --gateway 10.9.0.1 --mask 255.255.0.0 /shell").contains("created"));
            shell("dpm:group-add /shell/sub");
            assertTrue(shell("dpm:machine-add --ip 10.9.0.7 /shell/sub shell-pc 00-50-56-99-00-01")
                    .contains("registered"));
            String list = shell("dpm:machine-list -g /shell -s");
            assertTrue(list, list.contains("shell-pc") && list.contains("00:50:56:99:00:01(*)"));
            assertTrue(shell("dpm:group-list").contains("gateway 10.9.0.1, mask 255.255.0.0"));
            String refused = "";
            try {
                shell("dpm:group-delete /shell");
            } catch (IllegalArgumentException e) {
                refused = e.getMessage();
            }
            assertTrue(refused, refused.contains("not empty"));
            shell("dpm:machine-move /shell shell-pc");
            assertTrue(shell("dpm:machine-show shell-pc").contains("/shell"));
        } finally {
            deleteGroupTree("/shell");
        }
    }
}
