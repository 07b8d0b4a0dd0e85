package org.opendpm.scheduler.internal.scenario;

import org.opendpm.scheduler.internal.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.scenario.Assignment;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.store.StoreException;

/** Assigning scenarios to machines (SCN-5): at most one per machine. */
public class AssignmentsTest {

    private static Scenario scenario(Fixture f, String name) {
        long group = f.service.findGroup("/s").orElseGet(() -> f.service.createGroup("/s")).id();
        return f.service.createScenario(new ScenarioSpec(name, group, null, null));
    }

    @Test
    public void scn5AssignListReplaceAndUnassign() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        Scenario b = scenario(f, "B");
        long m1 = f.machine("m1", 1).id();
        long m2 = f.machine("m2", 2).id();

        List<Assignment> done = f.service.assign(a.id(), List.of(m2, m1, m1));
        assertThat(done).extracting(Assignment::machineName).containsExactly("m1", "m2");
        assertThat(f.service.assignments(a.id())).extracting(Assignment::machineId).containsExactly(m1, m2);
        assertThat(f.service.scenario(a.id()).assignedMachines()).isEqualTo(2);

        f.service.assign(b.id(), List.of(m1));
        assertThat(f.service.assignment(m1).orElseThrow().scenarioName()).isEqualTo("B");
        assertThat(f.service.assignments(a.id())).extracting(Assignment::machineId).containsExactly(m2);
        assertThat(f.count("scenario_assignment")).isEqualTo(2);

        assertThat(f.service.unassign(m1)).isTrue();
        assertThat(f.service.unassign(m1)).isFalse();
        assertThat(f.service.assignment(m1)).isEmpty();
    }

    @Test
    public void scn5TheAssignmentsOfAPageOfMachinesComeInOneCallByMachineId() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        Scenario b = scenario(f, "B");
        long m1 = f.machine("m1", 1).id();
        long m2 = f.machine("m2", 2).id();
        long m3 = f.machine("m3", 3).id();
        f.service.assign(a.id(), List.of(m1));
        f.service.assign(b.id(), List.of(m3));
        var found = f.service.assignmentsOf(List.of(m1, m2, m3, m1, 999_999L));
        assertThat(found).containsOnlyKeys(m1, m3);
        assertThat(found.get(m1).scenarioName()).isEqualTo("A");
        assertThat(found.get(m3).scenarioId()).isEqualTo(b.id());
        assertThat(f.service.assignmentsOf(List.of())).isEmpty();
    }

    @Test
    public void scn5AnUnknownMachineRefusesTheWholeRequest() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        long m1 = f.machine("m1", 1).id();
        assertThatThrownBy(() -> f.service.assign(a.id(), List.of(m1, 999_999L)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("No machine with id 999999")
                .extracting(e -> ((ValidationException) e).field()).isEqualTo("machineIds");
        assertThatThrownBy(() -> f.service.assign(a.id(), List.of())).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> f.service.assign(424242, List.of(m1))).isInstanceOf(NotFoundException.class);
        assertThat(f.count("scenario_assignment")).isZero();
    }

    @Test
    public void scn5DeletingAnAssignedScenarioIsAConflictNamingTheMachineCount() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        f.service.assign(a.id(), List.of(f.machine("m1", 1).id(), f.machine("m2", 2).id()));
        assertThatThrownBy(() -> f.service.deleteScenario(a.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("assigned to 2 machines");
        f.service.assignments(a.id()).forEach(x -> f.service.unassign(x.machineId()));
        f.service.deleteScenario(a.id());
        assertThat(f.service.findScenario("A")).isEmpty();
    }

    @Test
    public void scn5DeletingAMachineTakesItsAssignmentWithIt() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        long m1 = f.machine("m1", 1).id();
        f.service.assign(a.id(), List.of(m1));
        f.inventory.deleteMachine(m1);
        assertThat(f.service.assignment(m1)).isEmpty();
        assertThat(f.count("scenario_assignment")).isZero();
        f.service.deleteScenario(a.id());
    }

    @Test
    public void scn5TheDatabaseItselfHoldsOneAssignmentPerMachine() {
        var f = new Fixture();
        Scenario a = scenario(f, "A");
        Scenario b = scenario(f, "B");
        long m1 = f.machine("m1", 1).id();
        f.service.assign(a.id(), List.of(m1));
        assertThatThrownBy(() -> f.database.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO scenario_assignment (machine_id, scenario_id, assigned_at) "
                    + "VALUES (?, ?, ?)")) {
                ps.setLong(1, m1);
                ps.setLong(2, b.id());
                ps.setTimestamp(3, new java.sql.Timestamp(0));
                return ps.executeUpdate();
            }
        })).isInstanceOf(StoreException.class);
        assertThat(f.service.assignment(m1).orElseThrow().scenarioId()).isEqualTo(a.id());
    }

    @Test
    public void scn5ConcurrentAssignmentsToOneMachineLeaveExactlyOne() throws Exception {
        var f = new Fixture();
        List<Scenario> scenarios = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            scenarios.add(scenario(f, "S" + i));
        }
        long m1 = f.machine("m1", 1).id();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Callable<List<Assignment>>> calls = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (Scenario s : scenarios) {
                    calls.add(() -> {
                        start.await();
                        return f.service.assign(s.id(), List.of(m1));
                    });
                }
            }
            List<Future<List<Assignment>>> results = new ArrayList<>();
            for (Callable<List<Assignment>> c : calls) {
                results.add(pool.submit(c));
            }
            start.countDown();
            for (Future<List<Assignment>> r : results) {
                assertThat(r.get()).hasSize(1);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(f.count("scenario_assignment")).isEqualTo(1);
        long assigned = f.service.assignment(m1).orElseThrow().scenarioId();
        assertThat(scenarios).extracting(Scenario::id).contains(assigned);
    }
}
