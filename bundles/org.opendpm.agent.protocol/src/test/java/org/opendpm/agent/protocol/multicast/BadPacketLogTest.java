package org.opendpm.agent.protocol.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.opendpm.agent.protocol.multicast.BadPacketException.Reason;

/** Dropped datagrams are counted, and logged at most once per reason every 10 s (docs/multicast.md). */
public class BadPacketLogTest {

    private long now = 1_000;
    private final List<String> lines = new ArrayList<>();
    private final BadPacketLog log = new BadPacketLog("multicast session 7", lines::add, () -> now);

    private void advanceSeconds(long s) {
        now += TimeUnit.SECONDS.toNanos(s);
    }

    @Test
    public void oneLinePerReasonPerTenSecondsWithTheCountLeftOut() {
        BadPacketException magic = new BadPacketException(Reason.MAGIC, "magic 00000000 is not 894f444d");
        for (int i = 0; i < 1000; i++) {
            log.dropped(magic, "10.99.0.12:40000");
        }
        assertThat(lines).containsExactly("multicast session 7: dropped a datagram from 10.99.0.12:40000 (magic): "
                + "magic 00000000 is not 894f444d");
        advanceSeconds(9);
        log.dropped(magic, "10.99.0.12:40000");
        assertThat(lines).hasSize(1);
        advanceSeconds(1);
        log.dropped(magic, "10.99.0.13:40000");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo("multicast session 7: dropped a datagram from 10.99.0.13:40000 (magic): "
                + "magic 00000000 is not 894f444d; 1000 more of this reason since the last such line");
        assertThat(log.count(Reason.MAGIC)).isEqualTo(1001 + 1);
        assertThat(log.count(Reason.SHORT)).isZero();
    }

    @Test
    public void reasonsAreLimitedApart() {
        log.dropped(new BadPacketException(Reason.MAGIC, "m"), "a");
        log.dropped(new BadPacketException(Reason.VERSION, "version 2 is not 1"), "a");
        log.dropped(new BadPacketException(Reason.MAGIC, "m"), "a");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith("(version): version 2 is not 1");
    }
}
