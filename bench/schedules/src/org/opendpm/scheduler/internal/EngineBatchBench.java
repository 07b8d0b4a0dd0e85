package org.opendpm.scheduler.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.scheduler.internal.schedule.ScheduleBench;
import org.opendpm.store.Database;

/**
 * What a group batch of 40,000 machines costs when it reaches the execution engine (SCH-3): the request as a fired
 * schedule makes it (assign the scenario to every machine, check every machine, record every execution), its wall
 * time, and the space of the rows it writes, over Derby on disk. The agent link is a test double with no agent
 * connected, so the few executions that start wait for their machines; the figure is the engine's own work.
 */
public class EngineBatchBench {

    private static final int MACHINES = 40_000;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("engine-batch-bench");
        try {
            run(dir);
        } finally {
            try {
                EmbeddedDataSource down = new EmbeddedDataSource();
                down.setDatabaseName(dir.resolve("db").toString());
                down.setShutdownDatabase("shutdown");
                down.getConnection().close();
            } catch (java.sql.SQLException expected) {
                // Derby reports a clean shutdown as an exception.
            }
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir) throws Exception {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName(dir.resolve("db").toString());
        ds.setCreateDatabase("create");
        Database database = Database.over(ds);
        var inventory = new JdbcInventoryService(database);
        var plugins = new TestPlugins();
        plugins.types.put("cmd", new TestTypes.Command(1, false));
        var scenarios = new JdbcScenarioService(database, plugins, inventory, Limits.GUIDE);
        var agents = new FakeAgentLink();
        var power = new PowerCommands(plugins, agents, EngineFixture.powerConfig("fake", "127.0.0.1", 9));
        inventory.importCsv("group_path,name,macs,uuid,ip,model,deploy_os\n" + IntStream.range(0, MACHINES)
                .mapToObj(i -> String.format("/batch,pc-%05d,02:30:%02x:%02x:%02x:00,,,,", i, i >> 16 & 255,
                        i >> 8 & 255, i & 255))
                .collect(Collectors.joining("\n")) + "\n");
        List<Long> ids = database.inTransaction(c -> {
            List<Long> all = new ArrayList<>();
            try (var ps = c.prepareStatement("SELECT id FROM machine ORDER BY id"); var rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(rs.getLong(1));
                }
            }
            return all;
        });
        long scenario = scenarios.createScenario(new ScenarioSpec("Batch", scenarios.createGroup("/Batch").id(),
                Map.of("cmd", Map.of("command", "true")), null)).id();
        long[] before = ScheduleBench.space(database, "EXECUTION", "SCENARIO_ASSIGNMENT");
        var engine = new ExecutionEngine(database, scenarios, plugins, inventory, new EngineFixture.Settings(),
                agents, power, null, new ServerFiles(dir.resolve("files")), Clock.systemUTC());
        try {
            long t0 = System.nanoTime();
            List<Execution> accepted = engine.execute(new ExecuteRequest(ids, Optional.of(scenario), false,
                    "schedule:bench"));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long failed = accepted.stream().filter(e -> e.state() == ExecutionState.FAILED).count();
            long[] after = ScheduleBench.space(database, "EXECUTION", "SCENARIO_ASSIGNMENT");
            System.out.printf("engine: a batch of %d machines accepted in %.2f s (%d refused by a precondition):"
                    + " assigned, checked and recorded%n", ids.size(), seconds, failed);
            System.out.printf("  space: execution %d -> %d bytes (%.0f bytes per execution), scenario_assignment"
                    + " %d -> %d bytes%n", before[0], after[0], (after[0] - before[0]) / (double) ids.size(),
                    before[1], after[1]);
        } finally {
            engine.deactivate();
        }
    }
}
