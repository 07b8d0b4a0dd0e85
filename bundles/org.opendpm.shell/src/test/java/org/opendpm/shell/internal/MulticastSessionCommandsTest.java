package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.multicast.MulticastSessionInfo;
import org.opendpm.api.multicast.MulticastSessionInfo.Member;
import org.opendpm.api.multicast.MulticastSessionInfo.MemberState;
import org.opendpm.api.multicast.MulticastSessionInfo.State;
import org.opendpm.api.multicast.MulticastSessionService;

/** IMG-3: what dpm:multicast-session-list prints and what dpm:multicast-session-start refuses. */
public class MulticastSessionCommandsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static MulticastSessionInfo session(long id, State state, OptionalInt targets, Optional<Duration> wait,
            List<Member> members) {
        return new MulticastSessionInfo(id, 7, "Restore lab", "base.img", state, targets, wait,
                Optional.of("239.255.26.1:26530"), T0, Optional.of(T0.plusSeconds(60)), Optional.empty(),
                state == State.RUNNING ? 40L << 20 : 0, Optional.empty(), "", members);
    }

    private static final MulticastSessionInfo RUNNING = session(1, State.RUNNING, OptionalInt.of(2),
            Optional.of(Duration.ofMinutes(30)), List.of(
                    new Member(101, 1, "pc1", MemberState.RUNNING, T0, 3, 3L << 30, 8L << 30, ""),
                    new Member(102, 2, "pc2", MemberState.DROPPED, T0, 1, 1L << 30, 8L << 30,
                            "no chunk confirmed for 60 s")));

    @Test
    public void theListShowsConditionRateMembersProgressAndDropReasons() {
        var out = new ByteArrayOutputStream();
        MulticastSessionInfo waiting = session(2, State.WAITING, OptionalInt.empty(), Optional.empty(), List.of(
                new Member(103, 3, "pc3", MemberState.WAITING, T0, 0, 0, 8L << 30, "")));
        MulticastSessionCommands.table(List.of(waiting, RUNNING)).print(new PrintStream(out, true,
                StandardCharsets.UTF_8), true);
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("Execute Now only", "2 targets, 30 min", "40.0 MiB/s",
                "pc1 3.0 GiB of 8.0 GiB (37%); pc2 dropped 1.0 GiB of 8.0 GiB (12%): no chunk confirmed for 60 s",
                "pc3 waiting");
    }

    @Test
    public void startRefusesARunningOrUnknownSessionWithTheServicesMessage() {
        MulticastSessionCommands.MulticastSessionStart start = new MulticastSessionCommands.MulticastSessionStart();
        start.sessions = new MulticastSessionService() {
            @Override
            public List<MulticastSessionInfo> sessions() {
                return List.of(RUNNING);
            }

            @Override
            public MulticastSessionInfo session(long id) {
                if (id != 1) {
                    throw new NotFoundException("No multicast session with id " + id);
                }
                return RUNNING;
            }

            @Override
            public MulticastSessionInfo start(long id, String by) {
                session(id);
                throw new ConflictException("Multicast session 1 is running; only a waiting session can be started");
            }
        };
        start.id = 1;
        assertThatThrownBy(start::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Multicast session 1 is running; only a waiting session can be started");
        start.id = 9;
        assertThatThrownBy(start::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No multicast session with id 9");
    }
}
