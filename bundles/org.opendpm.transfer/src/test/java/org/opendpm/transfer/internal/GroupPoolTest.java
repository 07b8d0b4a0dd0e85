package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The group addresses of multicast sessions (docs/multicast.md, "Addresses"). */
public class GroupPoolTest {

    @Test
    public void anAddressGivenBackRestsTenSecondsBeforeAnotherSessionGetsIt() throws Exception {
        AtomicLong now = new AtomicLong();
        GroupPool pool = new GroupPool("239.255.26.0/30", now::get);
        InetAddress a = pool.take();
        assertThat(a.getHostAddress()).isEqualTo("239.255.26.0");
        assertThat(pool.take().getHostAddress()).isEqualTo("239.255.26.1");
        assertThat(pool.take().getHostAddress()).isEqualTo("239.255.26.2");
        assertThat(pool.take().getHostAddress()).isEqualTo("239.255.26.3");
        pool.release(a);
        assertThatThrownBy(pool::take).isInstanceOf(GroupPool.NoAddressException.class)
                .hasMessageContaining("no group address of the pool 239.255.26.0/30 is free (3 in use, 1 resting");
        now.addAndGet(GroupPool.QUARANTINE_NANOS - 1);
        assertThatThrownBy(pool::take).isInstanceOf(GroupPool.NoAddressException.class);
        now.incrementAndGet();
        assertThat(pool.take()).isEqualTo(a);
    }

    @Test
    public void aPoolIsAMulticastRangeGivenAsALiteral() {
        assertThatThrownBy(() -> new GroupPool("10.0.0.0/24", System::nanoTime)).hasMessageContaining(
                "is not a multicast range");
        assertThatThrownBy(() -> new GroupPool("239.255.26.0", System::nanoTime)).hasMessageContaining(
                "is not an address/prefix");
        assertThatThrownBy(() -> new GroupPool("groups.example.org/24", System::nanoTime)).hasMessageContaining(
                "does not start with an address");
        assertThatThrownBy(() -> new GroupPool("239.255.26.0/33", System::nanoTime)).hasMessageContaining(
                "prefix 33 is outside 0..32");
        assertThatThrownBy(() -> new GroupPool("224.0.0.0/2", System::nanoTime)).hasMessageContaining(
                "reaches past the multicast range");
    }

    @Test
    public void ipv6GroupsToo() throws Exception {
        GroupPool pool = new GroupPool("ff15::1:0/112", System::nanoTime);
        assertThat(pool.take().getHostAddress()).isEqualTo("ff15:0:0:0:0:0:1:0");
    }
}
