package org.opendpm.scheduler.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.scheduler.internal.schedule.ScheduleFixture.await;
import static org.opendpm.scheduler.internal.schedule.ScheduleFixture.inSeconds;
import static org.opendpm.scheduler.internal.schedule.ScheduleFixture.once;
import static org.opendpm.scheduler.internal.schedule.ScheduleFixture.repeating;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.After;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.schedule.Schedule;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleSpec;

/** Schedules over in-memory Derby with the real inventory and scenarios, timed by the real Quartz (SCH-1 to 3). */
public class ScheduleServiceTest {

    private final ScheduleFixture f = new ScheduleFixture();

    @After
    public void stop() {
        f.close();
    }

    private static ValidationException refusal(Runnable r) {
        try {
            r.run();
        } catch (ValidationException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    public void sch1OneOffExecutionFiresAtItsTimeOnItsMachines() {
        long scenario = f.scenario("Patch").id();
        Machine a = f.machine("/lab", "pc-a", 1);
        Machine b = f.machine("/lab", "pc-b", 2);
        Machine c = f.machine("/lab", "pc-c", 3);
        f.executions.refuse.add(c.id());
        LocalDateTime at = inSeconds(2);
        Schedule s = f.service.create(once(" Patch tonight ", ScheduleKind.EXECUTE, scenario, List.of(c.id(), a.id(),
                b.id(), a.id()), null, false, at), "alice");
        assertThat(s.name()).isEqualTo("Patch tonight");
        assertThat(s.machineIds()).containsExactly(a.id(), b.id(), c.id());
        assertThat(s.at()).contains(at);
        assertThat(s.timeZone()).isEqualTo("Europe/Berlin");
        assertThat(s.nextFireAt()).contains(at.atZone(ScheduleFixture.BERLIN).toInstant());
        assertThat(s.createdBy()).isEqualTo("alice");
        assertThat(s.scenarioName()).contains("Patch");
        assertThat(f.service.timed()).containsExactly(s.id());

        String by = "schedule:" + s.id();
        await("the one-off fires", 10, () -> f.service.schedule(s.id()).lastFiredAt().isPresent());
        List<ExecuteRequest> requests = f.executions.by(by);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).scenarioId()).contains(scenario);
        assertThat(requests.get(0).allOrNone()).as("a scheduled batch runs the machines that can").isFalse();
        assertThat(requests.get(0).machineIds()).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
        Schedule fired = f.service.schedule(s.id());
        assertThat(fired.lastFiredAt().get()).isAfterOrEqualTo(at.atZone(ScheduleFixture.BERLIN).toInstant());
        assertThat(fired.lastOutcome()).contains("2 executions started, 1 refused: machine " + c.id()
                + ": the machine is in error; remove the error first");
        assertThat(fired.nextFireAt()).isEmpty();
        await("the fired one-off leaves the timer", 5, () -> !f.service.timed().contains(s.id()));
    }

    @Test
    public void sch1RefusalsNameTheirFieldAndStoreNothing() {
        long scenario = f.scenario("Patch").id();
        long m = f.machine("/lab", "pc-a", 1).id();
        ScheduleSpec good = once("s", ScheduleKind.EXECUTE, scenario, List.of(m), null, false, inSeconds(3600));

        ScheduleSpec past = once("s", ScheduleKind.EXECUTE, scenario, List.of(m), null, false, inSeconds(-60));
        assertThat(refusal(() -> f.service.create(past, "a")).field()).isEqualTo("at");
        ScheduleSpec zone = new ScheduleSpec("s", ScheduleKind.EXECUTE, Optional.of(scenario), List.of(m),
                Optional.empty(), false, good.at(), Optional.empty(), "Mars/Olympus", true);
        assertThat(refusal(() -> f.service.create(zone, "a"))).hasMessageContaining("Unknown time zone 'Mars/Olympus'")
                .extracting(ValidationException::field).isEqualTo("timeZone");
        ScheduleSpec cron = repeating("s", ScheduleKind.EXECUTE, scenario, List.of(m), null, "0 30 7 * * MON-FRI",
                "Europe/Berlin");
        assertThat(refusal(() -> f.service.create(cron, "a")).field()).isEqualTo("cron");
        ScheduleSpec both = new ScheduleSpec("s", ScheduleKind.EXECUTE, Optional.of(scenario), List.of(m),
                Optional.empty(), false, good.at(), Optional.of("0 0 * * * ?"), "UTC", true);
        assertThat(refusal(() -> f.service.create(both, "a")).field()).isEqualTo("cron");
        ScheduleSpec neither = new ScheduleSpec("s", ScheduleKind.EXECUTE, Optional.of(scenario), List.of(m),
                Optional.empty(), false, Optional.empty(), Optional.empty(), "UTC", true);
        assertThat(refusal(() -> f.service.create(neither, "a")).field()).isEqualTo("at");
        ScheduleSpec noScenario = once("s", ScheduleKind.EXECUTE, null, List.of(m), null, false, inSeconds(60));
        assertThat(refusal(() -> f.service.create(noScenario, "a")).field()).isEqualTo("scenarioId");
        ScheduleSpec noMachines = once("s", ScheduleKind.EXECUTE, scenario, List.of(), null, false, inSeconds(60));
        assertThat(refusal(() -> f.service.create(noMachines, "a")).field()).isEqualTo("machineIds");
        ScheduleSpec noGroup = once("s", ScheduleKind.GROUP_EXECUTE, scenario, List.of(), null, false,
                inSeconds(60));
        assertThat(refusal(() -> f.service.create(noGroup, "a")).field()).isEqualTo("groupId");
        ScheduleSpec powerScenario = once("s", ScheduleKind.POWER_ON, scenario, List.of(m), null, false,
                inSeconds(60));
        assertThat(refusal(() -> f.service.create(powerScenario, "a")).field()).isEqualTo("scenarioId");
        ScheduleSpec noName = once(" ", ScheduleKind.POWER_ON, null, List.of(m), null, false, inSeconds(60));
        assertThat(refusal(() -> f.service.create(noName, "a")).field()).isEqualTo("name");
        ScheduleSpec noKind = once("s", null, null, List.of(m), null, false, inSeconds(60));
        assertThat(refusal(() -> f.service.create(noKind, "a")).field()).isEqualTo("kind");

        assertThatThrownBy(() -> f.service.create(once("s", ScheduleKind.EXECUTE, 99_999L, List.of(m), null, false,
                inSeconds(60)), "a")).isInstanceOf(NotFoundException.class).hasMessage("No scenario with id 99999");
        assertThatThrownBy(() -> f.service.create(once("s", ScheduleKind.EXECUTE, scenario, List.of(m, 88_888L,
                77_777L), null, false, inSeconds(60)), "a")).isInstanceOf(NotFoundException.class)
                .hasMessage("No machine with id 88888 (and 1 more ids are unknown)");
        assertThatThrownBy(() -> f.service.create(once("s", ScheduleKind.GROUP_EXECUTE, scenario, List.of(), 66_666L,
                true, inSeconds(60)), "a")).isInstanceOf(NotFoundException.class)
                .hasMessage("No machine group with id 66666");
        assertThat(f.count("schedule")).isZero();
        assertThat(f.count("schedule_machine")).isZero();
        assertThat(f.service.timed()).isEmpty();

        f.service.create(good, "a");
        assertThatThrownBy(() -> f.service.create(once("S", ScheduleKind.POWER_ON, null, List.of(m), null, false,
                inSeconds(60)), "a")).isInstanceOf(ConflictException.class).hasMessageContaining("exists already");
        assertThat(f.service.findSchedule("S")).map(Schedule::name).contains("s");
        assertThat(f.service.scheduleNames("", 10)).containsExactly("s");
        assertThatThrownBy(() -> f.service.schedule(12345)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> f.service.update(12345, good)).isInstanceOf(NotFoundException.class);
    }

    @Test
    public void sch2RepeatingPowerOnFiresAgainAndOneFailingMachineDoesNotStopTheOthers() {
        Machine a = f.machine("/lab", "pc-a", 1);
        Machine b = f.machine("/lab", "pc-b", 2);
        Machine c = f.machine("/lab/sub", "pc-c", 3);
        f.power.fail.add(b.id());
        Schedule s = f.service.create(new ScheduleSpec("wake lab", ScheduleKind.POWER_ON, Optional.empty(), List.of(),
                Optional.of(f.group("/lab").id()), true, Optional.empty(), Optional.of("* * * * * ?"), "Asia/Tokyo",
                true), "bob");
        await("two firings", 10, () -> f.power.calls.size() >= 6);
        assertThat(f.power.calls.subList(0, 3)).containsExactly("on " + a.id(), "on " + b.id(), "on " + c.id());
        Schedule fired = f.service.schedule(s.id());
        assertThat(fired.lastOutcome()).contains("2 machines powered on, 1 failed: pc-b: no agent answers on machine "
                + b.id());
        assertThat(fired.nextFireAt()).isPresent();

        f.service.setEnabled(s.id(), false);
        assertThat(f.service.schedule(s.id()).nextFireAt()).isEmpty();
        assertThat(f.service.timed()).doesNotContain(s.id());
        int calls = f.power.calls.size();
        Schedule shutdown = f.service.create(once("off", ScheduleKind.SHUTDOWN, null, List.of(a.id()), null, false,
                inSeconds(1)), "bob");
        await("the shutdown fires", 10, () -> f.service.schedule(shutdown.id()).lastFiredAt().isPresent());
        assertThat(f.service.schedule(shutdown.id()).lastOutcome()).contains("1 machine shut down");
        assertThat(f.power.calls.subList(calls, f.power.calls.size())).as("the disabled schedule stays quiet")
                .containsExactly("shutdown " + a.id());
        Schedule enabled = f.service.setEnabled(s.id(), true);
        assertThat(enabled.nextFireAt()).isPresent();
        assertThat(f.service.timed()).contains(s.id());
    }

    @Test
    public void sch2CronScheduleKeepsItsNextFireTimeInItsZone() {
        long m = f.machine("/lab", "pc-a", 1).id();
        Instant before = Instant.now();
        Schedule s = f.service.create(repeating("weekday wake", ScheduleKind.POWER_ON, null, List.of(m), null,
                "0 30 7 ? * MON-FRI", "Europe/Berlin"), "alice");
        Instant next = s.nextFireAt().orElseThrow();
        assertThat(next).isAfter(before);
        var local = next.atZone(ZoneId.of("Europe/Berlin"));
        assertThat(local.toLocalTime()).hasToString("07:30");
        assertThat(local.getDayOfWeek().getValue()).isBetween(1, 5);
        assertThat(s.cron()).contains("0 30 7 ? * MON-FRI");
        assertThat(s.at()).isEmpty();
    }

    @Test
    public void sch1PendingOneOffStillFiresAfterARestart() {
        long scenario = f.scenario("Patch").id();
        long m = f.machine("/lab", "pc-a", 1).id();
        Schedule s = f.service.create(once("soon", ScheduleKind.EXECUTE, scenario, List.of(m), null, false,
                inSeconds(2)), "alice");
        f.restart();
        assertThat(f.service.timed()).containsExactly(s.id());
        await("the one-off fires after the restart", 10, () -> f.service.schedule(s.id()).lastFiredAt().isPresent());
        assertThat(f.executions.by("schedule:" + s.id())).hasSize(1);
    }

    @Test
    public void sch1MissedOneOffFiresOnceWithinTheGraceAndIsRecordedAsMissedBeyondIt() {
        long scenario = f.scenario("Patch").id();
        long m = f.machine("/lab", "pc-a", 1).id();
        Schedule late = f.service.create(once("late", ScheduleKind.EXECUTE, scenario, List.of(m), null, false,
                inSeconds(3600)), "alice");
        Schedule tooLate = f.service.create(once("too late", ScheduleKind.EXECUTE, scenario, List.of(m), null, false,
                inSeconds(3600)), "alice");
        f.service.deactivate();
        // The server was down over both times: one 10 minutes ago, one two hours ago.
        f.sql("UPDATE schedule SET run_at = ? WHERE id = ?", Instant.now().minus(Duration.ofMinutes(10)), late.id());
        f.sql("UPDATE schedule SET run_at = ? WHERE id = ?", Instant.now().minus(Duration.ofHours(2)), tooLate.id());
        f.restart();
        f.service.databaseReady(f.database);
        await("the late one-off fires", 10, () -> f.service.schedule(late.id()).lastFiredAt().isPresent());
        Schedule missed = f.service.schedule(tooLate.id());
        assertThat(missed.lastFiredAt()).isEmpty();
        assertThat(missed.nextFireAt()).isEmpty();
        assertThat(missed.lastOutcome().orElseThrow()).startsWith("Missed: due at ").contains("(Europe/Berlin)")
                .contains("it started 2 h").contains("past the misfire grace of 1 h, so it did not run");
        assertThat(f.executions.by("schedule:" + tooLate.id())).isEmpty();

        // Further restarts neither fire the late one again nor change the missed one's record.
        f.restart();
        f.restart();
        await("no timers left", 5, () -> f.service.timed().isEmpty());
        assertThat(f.executions.by("schedule:" + late.id())).hasSize(1);
        assertThat(f.service.schedule(tooLate.id()).lastOutcome()).isEqualTo(missed.lastOutcome());
        assertThat(f.service.setEnabled(tooLate.id(), false).enabled()).isFalse();
        assertThat(refusal(() -> f.service.setEnabled(tooLate.id(), true)).field()).isEqualTo("at");
    }

    @Test
    public void sch3GroupBatchExpandsToTheGroupAndItsSubgroupsWhenItFires() {
        long scenario = f.scenario("Patch").id();
        List<Long> top = IntStream.range(0, 3).mapToObj(i -> f.machine("/lab", "top-" + i, 10 + i).id()).toList();
        long sub = f.machine("/lab/a", "sub", 20).id();
        long subSub = f.machine("/lab/a/b", "subsub", 21).id();
        f.machine("/other", "elsewhere", 30);
        f.machine("/laboratory", "prefix-lookalike", 31);
        long group = f.group("/lab").id();
        Schedule deep = f.service.create(once("deep", ScheduleKind.GROUP_EXECUTE, scenario, List.of(), group, true,
                inSeconds(2)), "alice");
        Schedule flat = f.service.create(once("flat", ScheduleKind.GROUP_EXECUTE, scenario, List.of(), group, false,
                inSeconds(2)), "alice");
        assertThat(deep.groupPath()).contains("/lab");
        assertThat(f.count("schedule_machine")).as("a group batch stores no machine list").isZero();
        // A machine added after the schedule was made is part of the batch: the group is read when it fires.
        long added = f.machine("/lab/a", "added-later", 22).id();
        await("both fire", 10, () -> f.service.schedules().stream().allMatch(s -> s.lastFiredAt().isPresent()));
        assertThat(f.executions.machinesBy("schedule:" + deep.id())).containsExactlyInAnyOrderElementsOf(
                concat(top, List.of(sub, subSub, added)));
        assertThat(f.executions.machinesBy("schedule:" + flat.id())).containsExactlyInAnyOrderElementsOf(top);
        assertThat(f.service.schedule(deep.id()).lastOutcome()).contains("6 executions started");
    }

    @Test
    public void sch3GroupExpansionReadsThousandsOfMachinesAndOnlyRealSubgroups() {
        String csv = "group_path,name,macs,uuid,ip,model,deploy_os\n" + IntStream.range(0, 2345).mapToObj(i -> String
                .format("/big/%s,pc-%05d,02:10:00:00:%02x:%02x,,,,", i % 2 == 0 ? "even" : "odd", i, i >> 8 & 255,
                        i & 255))
                .collect(Collectors.joining("\n")) + "\n";
        f.inventory.importCsv(csv);
        // A group whose name only starts like /big is no sub-group of it.
        f.machine("/bigger", "not-in-big", 99_999);
        Firing firing = new Firing(f.database, f.inventory, f.executions, f.power);
        var all = firing.expand(f.group("/big").id(), true);
        assertThat(all).hasSize(2345);
        assertThat(all.stream().map(ScheduleTable.Target::id).distinct().count()).isEqualTo(2345);
        assertThat(firing.expand(f.group("/big").id(), false)).isEmpty();
        assertThat(firing.expand(f.group("/big/odd").id(), false)).hasSize(1172);
        assertThat(firing.expand(f.group("/big/odd").id(), false).get(0).name()).isEqualTo("pc-00001");
        assertThat(firing.expand(123_456, true)).as("a group deleted meanwhile").isEmpty();
    }

    @Test
    public void deletingMachinesGroupsAndScenariosCascadesAndLeavesNoFailingTimer() {
        long scenario = f.scenario("Patch").id();
        long other = f.scenario("Other").id();
        Machine a = f.machine("/lab", "pc-a", 1);
        Machine b = f.machine("/lab", "pc-b", 2);
        long lonely = f.machine("/solo", "pc-solo", 3).id();
        Schedule byMachines = f.service.create(once("machines", ScheduleKind.EXECUTE, scenario, List.of(a.id(),
                b.id()), null, false, inSeconds(3600)), "alice");
        Schedule byGroup = f.service.create(once("group", ScheduleKind.GROUP_EXECUTE, other, List.of(),
                f.group("/solo").id(), false, inSeconds(3)), "alice");
        Schedule byScenario = f.service.create(once("scenario", ScheduleKind.EXECUTE, other, List.of(a.id()), null,
                false, inSeconds(3)), "alice");
        Schedule orphaned = f.service.create(once("orphaned", ScheduleKind.SHUTDOWN, null, List.of(lonely), null,
                false, inSeconds(3)), "alice");

        f.inventory.deleteMachine(b.id());
        assertThat(f.service.schedule(byMachines.id()).machineIds()).containsExactly(a.id());
        f.inventory.deleteMachine(lonely);
        f.inventory.deleteGroup(f.group("/solo").id(), false);
        assertThat(f.service.findSchedule("group")).isEmpty();
        f.scenarios.deleteScenario(other);
        assertThat(f.service.findSchedule("scenario")).isEmpty();
        assertThat(f.service.schedules()).extracting(Schedule::name).containsExactly("machines", "orphaned");
        assertThat(f.service.timed()).as("cascaded rows keep their timer until it fires")
                .contains(byGroup.id(), byScenario.id());

        await("the orphaned schedule fires", 10, () -> f.service.schedule(orphaned.id()).lastFiredAt().isPresent());
        assertThat(f.service.schedule(orphaned.id()).lastOutcome()).contains("Nothing to do: every machine of this"
                + " schedule has been deleted from the inventory");
        await("the timers of deleted schedules are gone", 10, () -> !f.service.timed().contains(byGroup.id())
                && !f.service.timed().contains(byScenario.id()));
        assertThat(f.executions.requests).isEmpty();
        assertThat(f.power.calls).isEmpty();
        assertThat(f.service.timed()).containsExactly(byMachines.id());
    }

    @Test
    public void updateReplacesTargetsAndTimingAndDeleteStopsIt() {
        long scenario = f.scenario("Patch").id();
        long a = f.machine("/lab", "pc-a", 1).id();
        long b = f.machine("/lab", "pc-b", 2).id();
        Schedule s = f.service.create(once("s", ScheduleKind.EXECUTE, scenario, List.of(a), null, false,
                inSeconds(3600)), "alice");
        Schedule changed = f.service.update(s.id(), once("s2", ScheduleKind.EXECUTE, scenario, List.of(b), null,
                false, inSeconds(2)));
        assertThat(changed.name()).isEqualTo("s2");
        assertThat(changed.machineIds()).containsExactly(b);
        assertThat(changed.createdBy()).isEqualTo("alice");
        await("the new time fires", 10, () -> f.service.schedule(s.id()).lastFiredAt().isPresent());
        assertThat(f.executions.machinesBy("schedule:" + s.id())).containsExactly(b);

        Schedule gone = f.service.create(once("gone", ScheduleKind.EXECUTE, scenario, List.of(a), null, false,
                inSeconds(2)), "alice");
        f.service.delete(gone.id());
        assertThat(f.service.timed()).doesNotContain(gone.id());
        assertThat(f.count("schedule_machine")).isEqualTo(1);
        assertThatThrownBy(() -> f.service.delete(gone.id())).isInstanceOf(NotFoundException.class);
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
