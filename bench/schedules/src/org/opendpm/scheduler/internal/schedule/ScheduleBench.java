package org.opendpm.scheduler.internal.schedule;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.schedule.Schedule;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.scheduler.internal.JdbcScenarioService;
import org.opendpm.store.Database;

/**
 * SCH-3 at the inventory limit: 40,000 machines in a group with sub-groups, on Derby on disk (a temporary folder).
 * Prints the time to create a group batch schedule, to expand the group when it fires, to fire it whole (with an
 * execution service that only counts), to create an explicit 40,000-machine schedule, and the space each costs in
 * the schedule tables. Figures only: nothing here fails on time.
 */
public final class ScheduleBench {

    private static final int MACHINES = 40_000;
    private static final int ROUNDS = 15;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("schedule-bench");
        try {
            run(dir.resolve("db"));
        } finally {
            try {
                new EmbeddedDataSource() {
                    {
                        setDatabaseName(dir.resolve("db").toString());
                        setShutdownDatabase("shutdown");
                    }
                }.getConnection().close();
            } catch (java.sql.SQLException expected) {
                // Derby reports a clean shutdown as an exception.
            }
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path db) throws Exception {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName(db.toString());
        ds.setCreateDatabase("create");
        Database database = Database.over(ds);
        InventoryService inventory = new JdbcInventoryService(database);
        var scenarios = new JdbcScenarioService(database, new org.opendpm.scheduler.internal.TestPlugins(), inventory);
        var executions = new ScheduleFixture.Executions();
        var power = new ScheduleFixture.Power();

        String csv = "group_path,name,macs,uuid,ip,model,deploy_os\n" + IntStream.range(0, MACHINES).mapToObj(i ->
                String.format("/bench%s,pc-%05d,02:20:%02x:%02x:%02x:00,,,,", i % 4 == 0 ? "" : i % 4 == 1 ? "/a"
                        : i % 4 == 2 ? "/a/b" : "/c", i, i >> 16 & 255, i >> 8 & 255, i & 255))
                .collect(Collectors.joining("\n")) + "\n";
        long t0 = System.nanoTime();
        inventory.importCsv(csv);
        System.out.printf("inventory: %d machines in /bench and 3 sub-groups imported in %.1f s%n", MACHINES,
                secs(t0));
        long group = inventory.findGroup("/bench").orElseThrow().id();
        long scenario = scenarios.createScenario(new org.opendpm.api.scenario.ScenarioSpec("Bench", scenarios
                .createGroup("/Bench").id(), java.util.Map.of(), null)).id();
        long[] before = space(database, "SCHEDULE", "SCHEDULE_MACHINE");

        var service = new JdbcScheduleService(database, inventory, executions, power, Duration.ofHours(1), 2);
        try {
            List<Double> create = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                long t = System.nanoTime();
                service.create(new ScheduleSpec("group batch " + i, ScheduleKind.GROUP_EXECUTE,
                        Optional.of(scenario), List.of(), Optional.of(group), true, Optional.empty(),
                        Optional.of("0 0 3 * * ?"), "Europe/Berlin", true), "bench");
                create.add(ms(t));
            }
            long[] afterGroup = space(database, "SCHEDULE", "SCHEDULE_MACHINE");
            System.out.printf("create GROUP_EXECUTE over %d machines (with sub-groups): median %.1f ms, max %.1f ms"
                    + " (%d rounds)%n", MACHINES, median(create), Collections.max(create), ROUNDS);
            System.out.printf("  table cost: schedule %d -> %d bytes, schedule_machine %d -> %d bytes (one row per"
                    + " schedule, no machine rows)%n", before[0], afterGroup[0], before[1], afterGroup[1]);

            Firing firing = new Firing(database, inventory, executions, power);
            List<Double> expand = new ArrayList<>();
            int found = 0;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                found = firing.expand(group, true).size();
                expand.add(ms(t));
            }
            System.out.printf("expand the group when it fires: %d machines in median %.0f ms, max %.0f ms (5 rounds,"
                    + " one query)%n", found, median(expand),
                    Collections.max(expand));

            Schedule first = service.findSchedule("group batch 0").orElseThrow();
            long t = System.nanoTime();
            service.fire(new ScheduleTimer.Fire(first.id(), Instant.now(), true));
            double fire = ms(t);
            System.out.printf("fire it whole (expand, %d execute requests to a counting fake, record): %.0f ms;"
                    + " outcome: %s%n", executions.requests.size(), fire, service.schedule(first.id())
                            .lastOutcome().orElse("-"));

            List<Long> all = firing.expand(group, true).stream().map(ScheduleTable.Target::id).toList();
            t = System.nanoTime();
            Schedule explicit = service.create(new ScheduleSpec("explicit", ScheduleKind.EXECUTE,
                    Optional.of(scenario), all, Optional.empty(), false, Optional.empty(),
                    Optional.of("0 0 3 * * ?"), "Europe/Berlin", true), "bench");
            double createExplicit = ms(t);
            long[] afterExplicit = space(database, "SCHEDULE", "SCHEDULE_MACHINE");
            t = System.nanoTime();
            service.schedule(explicit.id());
            double read = ms(t);
            System.out.printf("create EXECUTE with %d explicit machines: %.0f ms (read back %.0f ms); table cost:"
                    + " schedule_machine +%d bytes (%.0f bytes per machine)%n", all.size(), createExplicit, read,
                    afterExplicit[1] - afterGroup[1], (afterExplicit[1] - afterGroup[1]) / (double) all.size());
            t = System.nanoTime();
            service.delete(explicit.id());
            System.out.printf("delete it: %.0f ms%n", ms(t));
        } finally {
            service.deactivate();
        }
    }

    /** Bytes allocated (pages times page size) of schedule and schedule_machine with their indexes. */
    /** Bytes allocated to each table (Derby's space table), in the order given. */
    public static long[] space(Database database, String... tables) {
        return database.inTransaction(c -> {
            long[] r = new long[tables.length];
            for (int i = 0; i < tables.length; i++) {
                try (var ps = c.prepareStatement("SELECT SUM((NUMALLOCATEDPAGES + NUMFREEPAGES) * PAGESIZE) FROM"
                        + " TABLE (SYSCS_DIAG.SPACE_TABLE(CURRENT SCHEMA, ?)) T")) {
                    ps.setString(1, tables[i]);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        r[i] = rs.getLong(1);
                    }
                }
            }
            return r;
        });
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
