package org.opendpm.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one agent process, shown by the {@code --simulate} status line. */
final class Stats {
    final AtomicInteger connected = new AtomicInteger();
    final AtomicLong sessions = new AtomicLong();
    final AtomicLong registrations = new AtomicLong();
    final AtomicLong commandsAnswered = new AtomicLong();
    final AtomicLong filesReceived = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
}
