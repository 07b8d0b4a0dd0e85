/**
 * Schedules (SCH-1 to SCH-3): a scenario executed on machines or on every machine of a group, and machines powered on
 * or shut down, once at a date and time or repeating, in an explicit time zone, through
 * {@link org.opendpm.api.schedule.ScheduleService}.
 */
@Version("1.0.0")
@Export
package org.opendpm.api.schedule;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
