package org.opendpm.scheduler.internal.schedule;

import java.text.ParseException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;

import org.opendpm.api.ValidationException;
import org.quartz.CronExpression;

/** The time rules of schedules: zones, one-off times and cron expressions, each refused with its field named. */
final class Timing {

    static final int MAX_CRON_LENGTH = 200;

    private Timing() {
    }

    /** An IANA zone id; offsets such as {@code +02:00} are refused because they ignore daylight saving. */
    static ZoneId zone(String id) {
        if (id == null || id.isBlank()) {
            throw new ValidationException("timeZone", "timeZone is required: an IANA time zone id such as"
                    + " Europe/Berlin, Asia/Tokyo or UTC");
        }
        String text = id.strip();
        if (!ZoneId.getAvailableZoneIds().contains(text)) {
            throw new ValidationException("timeZone", "Unknown time zone '" + text + "': give an IANA time zone id"
                    + " such as Europe/Berlin, Asia/Tokyo or UTC");
        }
        return ZoneId.of(text);
    }

    /**
     * The instant of a one-off time in its zone. A wall-clock time that does not exist there (skipped when the clocks
     * go forward) is refused; one that occurs twice (when they go back) is the earlier.
     */
    static Instant instant(LocalDateTime at, ZoneId zone) {
        if (zone.getRules().getValidOffsets(at).isEmpty()) {
            throw new ValidationException("at", "at " + at + " does not exist in " + zone + ": the clocks go forward"
                    + " over it; choose another time");
        }
        return ZonedDateTime.ofLocal(at, zone, null).toInstant();
    }

    /** {@link #instant} for a new time, which must be in the future. */
    static Instant future(LocalDateTime at, ZoneId zone, Instant now) {
        Instant i = instant(at, zone);
        if (!i.isAfter(now)) {
            throw new ValidationException("at", "at " + at + " (" + zone + ") is in the past; it is now "
                    + now.atZone(zone).toLocalDateTime().withNano(0) + " there");
        }
        return i;
    }

    /** A Quartz cron expression evaluated in the zone; one that never fires after {@code now} is refused. */
    static CronExpression cron(String text, ZoneId zone, Instant now) {
        CronExpression e = parse(text, zone);
        if (next(e, now).isEmpty()) {
            throw new ValidationException("cron", "cron '" + e.getCronExpression() + "' never fires after now");
        }
        return e;
    }

    /** Parses without the "fires again" check (for stored expressions). */
    static CronExpression parse(String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            throw new ValidationException("cron", "cron is empty");
        }
        String t = text.strip().replaceAll("\\s+", " ");
        if (t.length() > MAX_CRON_LENGTH) {
            throw new ValidationException("cron", "cron is longer than " + MAX_CRON_LENGTH + " characters");
        }
        int fields = t.split(" ").length;
        if (fields < 6 || fields > 7) {
            throw new ValidationException("cron", "cron '" + t + "' has " + fields + " fields; a Quartz cron"
                    + " expression has 6 or 7: seconds minutes hours day-of-month month day-of-week [year], e.g."
                    + " '0 30 7 ? * MON-FRI' for every weekday at 07:30");
        }
        try {
            CronExpression e = new CronExpression(t);
            e.setTimeZone(TimeZone.getTimeZone(zone));
            return e;
        } catch (ParseException | RuntimeException ex) {
            throw new ValidationException("cron", "cron '" + t + "' is not a valid Quartz cron expression: "
                    + ex.getMessage() + " (format: seconds minutes hours day-of-month month day-of-week [year],"
                    + " one of day-of-month and day-of-week '?', e.g. '0 30 7 ? * MON-FRI')");
        }
    }

    /** The first time the expression fires strictly after {@code after}. */
    static Optional<Instant> next(CronExpression e, Instant after) {
        Date d = e.getNextValidTimeAfter(Date.from(after));
        return d == null ? Optional.empty() : Optional.of(d.toInstant());
    }

    /** The last time the expression fired in the interval (from, to], if any. */
    static Optional<Instant> lastBetween(CronExpression e, Instant from, Instant to) {
        Optional<Instant> last = Optional.empty();
        Optional<Instant> n = next(e, from);
        // Bounded by the interval, which is at most the misfire grace: at one firing per second, an hour is 3600 steps.
        while (n.isPresent() && !n.get().isAfter(to)) {
            last = n;
            n = next(e, n.get());
        }
        return last;
    }

    /** An instant as the wall-clock time of the zone with its offset, {@code 2026-03-30T07:30:00+02:00}. */
    static String show(Instant i, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(i.atZone(zone).toOffsetDateTime());
    }
}
