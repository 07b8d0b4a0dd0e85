package org.opendpm.scheduler.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.quartz.CronExpression;

/** Zones, one-off times and cron expressions of schedules (SCH-1, SCH-2), independent of the clock. */
public class TimingTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant utc(String text) {
        return Instant.parse(text);
    }

    @Test
    public void sch2WeekdayCronFollowsTheSpringDaylightSavingChangeInBerlin() {
        CronExpression weekdays = Timing.cron("0 30 7 ? * MON-FRI", BERLIN, utc("2026-03-01T00:00:00Z"));
        // Thursday and Friday before the change at 07:30 CET (UTC+1) ...
        assertThat(Timing.next(weekdays, utc("2026-03-26T00:00:00Z"))).contains(utc("2026-03-26T06:30:00Z"));
        assertThat(Timing.next(weekdays, utc("2026-03-26T06:30:00Z"))).contains(utc("2026-03-27T06:30:00Z"));
        // ... the weekend of Sunday 29 March is skipped, and Monday is 07:30 CEST (UTC+2).
        assertThat(Timing.next(weekdays, utc("2026-03-27T06:30:00Z"))).contains(utc("2026-03-30T05:30:00Z"));
        assertThat(Timing.show(utc("2026-03-30T05:30:00Z"), BERLIN)).isEqualTo("2026-03-30T07:30:00+02:00");
    }

    @Test
    public void sch2DailyCronKeepsItsWallClockTimeAcrossTheAutumnChange() {
        CronExpression daily = Timing.cron("0 30 7 * * ?", BERLIN, utc("2026-10-01T00:00:00Z"));
        assertThat(Timing.next(daily, utc("2026-10-24T00:00:00Z"))).contains(utc("2026-10-24T05:30:00Z"));
        assertThat(Timing.next(daily, utc("2026-10-24T05:30:00Z"))).contains(utc("2026-10-25T06:30:00Z"));
        // The same expression in another zone fires at that zone's 07:30.
        CronExpression tokyo = Timing.cron("0 30 7 * * ?", ZoneId.of("Asia/Tokyo"), utc("2026-10-01T00:00:00Z"));
        assertThat(Timing.next(tokyo, utc("2026-10-24T00:00:00Z"))).contains(utc("2026-10-24T22:30:00Z"));
    }

    @Test
    public void sch1OneOffTimeIsTheWallClockOfItsZone() {
        assertThat(Timing.instant(LocalDateTime.parse("2026-07-01T09:00:00"), BERLIN))
                .isEqualTo(utc("2026-07-01T07:00:00Z"));
        // 02:30 happens twice on 25 October: the earlier (CEST) is meant.
        assertThat(Timing.instant(LocalDateTime.parse("2026-10-25T02:30:00"), BERLIN))
                .isEqualTo(utc("2026-10-25T00:30:00Z"));
    }

    @Test
    public void sch1TimeInsideTheSpringGapIsRefusedNamingAt() {
        assertThatThrownBy(() -> Timing.instant(LocalDateTime.parse("2026-03-29T02:30:00"), BERLIN))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("at"))
                .hasMessageContaining("does not exist in Europe/Berlin");
    }

    @Test
    public void sch1PastTimeIsRefusedNamingAt() {
        Instant now = utc("2026-07-01T07:00:00Z");
        assertThatThrownBy(() -> Timing.future(LocalDateTime.parse("2026-07-01T09:00:00"), BERLIN, now))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("at"))
                .hasMessageContaining("is in the past").hasMessageContaining("it is now 2026-07-01T09:00 there");
        assertThat(Timing.future(LocalDateTime.parse("2026-07-01T09:00:01"), BERLIN, now))
                .isEqualTo(utc("2026-07-01T07:00:01Z"));
    }

    @Test
    public void zoneMustBeAnIanaIdAndIsNamedTimeZone() {
        assertThat(Timing.zone(" Europe/Berlin ")).isEqualTo(BERLIN);
        assertThat(Timing.zone("UTC")).isEqualTo(ZoneId.of("UTC"));
        for (String bad : new String[]{ "Europe/Berln", "+02:00", "CEST", "", null }) {
            assertThatThrownBy(() -> Timing.zone(bad)).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("timeZone"))
                    .hasMessageContaining("IANA");
        }
    }

    @Test
    public void badCronIsRefusedNamingCron() {
        Instant now = utc("2026-07-01T07:00:00Z");
        assertThatThrownBy(() -> Timing.cron("30 7 * * 1-5", BERLIN, now)).isInstanceOfSatisfying(
                ValidationException.class, e -> assertThat(e.field()).isEqualTo("cron"))
                .hasMessageContaining("has 5 fields").hasMessageContaining("0 30 7 ? * MON-FRI");
        assertThatThrownBy(() -> Timing.cron("0 61 7 ? * *", BERLIN, now)).isInstanceOfSatisfying(
                ValidationException.class, e -> assertThat(e.field()).isEqualTo("cron"))
                .hasMessageContaining("not a valid Quartz cron expression");
        assertThatThrownBy(() -> Timing.cron("0 0 0 1 1 ? 2001", BERLIN, now)).isInstanceOfSatisfying(
                ValidationException.class, e -> assertThat(e.field()).isEqualTo("cron"))
                .hasMessageContaining("never fires after now");
        assertThatThrownBy(() -> Timing.cron(" ", BERLIN, now)).isInstanceOf(ValidationException.class);
        assertThat(Timing.cron("  0  30 7 ? *   MON-FRI ", BERLIN, now).getCronExpression())
                .isEqualTo("0 30 7 ? * MON-FRI");
    }

    @Test
    public void lastOccurrenceWithinAnIntervalIsFoundForCatchUp() {
        CronExpression hourly = Timing.cron("0 0 * * * ?", BERLIN, utc("2026-07-01T00:00:00Z"));
        assertThat(Timing.lastBetween(hourly, utc("2026-07-01T05:30:00Z"), utc("2026-07-01T07:10:00Z")))
                .contains(utc("2026-07-01T07:00:00Z"));
        assertThat(Timing.lastBetween(hourly, utc("2026-07-01T07:00:00Z"), utc("2026-07-01T07:59:59Z"))).isEmpty();
    }

    @Test
    public void outcomeLinesAreCountedAndCut() {
        Outcome o = new Outcome("execution started", "executions started", "refused");
        o.ok(12);
        for (int i = 0; i < 7; i++) {
            o.failed("pc-" + i, "busy");
        }
        assertThat(o.text()).isEqualTo("12 executions started, 7 refused: pc-0: busy; pc-1: busy; pc-2: busy;"
                + " pc-3: busy; pc-4: busy; and 2 more");
        Outcome one = new Outcome("machine powered on", "machines powered on", "failed");
        one.ok(1);
        assertThat(one.text()).isEqualTo("1 machine powered on");
        assertThat(Outcome.cut("x".repeat(5000))).hasSize(Outcome.MAX_LENGTH).endsWith("\u2026");
    }
}
