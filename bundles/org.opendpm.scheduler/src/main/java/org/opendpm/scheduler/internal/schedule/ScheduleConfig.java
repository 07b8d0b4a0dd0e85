package org.opendpm.scheduler.internal.schedule;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration {@code org.opendpm.schedules}. */
@ObjectClassDefinition(name = "OpenDPM schedules", description = "Timing of scheduled executions and power actions")
public @interface ScheduleConfig {

    String PID = "org.opendpm.schedules";

    @AttributeDefinition(name = "Misfire grace (seconds)", description = "A schedule whose time passed while the"
            + " server was down fires once at start when it is at most this late; later, it is recorded as missed.",
            min = "0")
    long misfireGraceSeconds() default 3600;

    @AttributeDefinition(name = "Timer threads", description = "Schedules that can fire at the same moment; more"
            + " wait for a thread.", min = "1", max = "16")
    int timerThreads() default 2;
}
