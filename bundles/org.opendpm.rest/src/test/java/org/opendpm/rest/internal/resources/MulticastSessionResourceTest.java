package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.user;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.MulticastSessionDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** IMG-3: the multicast sessions and Execute Now over REST, against a test double. */
public class MulticastSessionResourceTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /** Session 1 runs with one member done and one dropped, session 2 waits; others are unknown. */
    static final class Sessions implements MulticastSessionService {
        final List<String> startedBy = new ArrayList<>();
        State second = State.WAITING;

        @Override
        public List<MulticastSessionInfo> sessions() {
            return List.of(session(2), session(1));
        }

        @Override
        public MulticastSessionInfo session(long id) {
            if (id == 1) {
                return new MulticastSessionInfo(1, 7, "Restore lab", "base.img", State.RUNNING, OptionalInt.of(2),
                        Optional.of(Duration.ofMinutes(30)), Optional.of("239.255.26.1:26530"), T0,
                        Optional.of(T0.plusSeconds(60)), Optional.empty(), 40_000_000, Optional.empty(), "",
                        List.of(new Member(101, 1, "pc1", MemberState.RUNNING, T0, 3, 12_582_912, 50_331_648, ""),
                                new Member(102, 2, "pc2", MemberState.DROPPED, T0.plusSeconds(5), 1, 4_194_304,
                                        50_331_648, "no chunk confirmed for 60 s (1 of 12 chunks written)")));
            }
            if (id == 2) {
                return new MulticastSessionInfo(2, 7, "Restore lab", "base.img", second, OptionalInt.of(2),
                        Optional.of(Duration.ofMinutes(30)), Optional.empty(), T0.plusSeconds(70), Optional.empty(),
                        Optional.empty(), 0, Optional.empty(), "",
                        List.of(new Member(103, 3, "pc3", MemberState.WAITING, T0.plusSeconds(70), 0, 0, 50_331_648,
                                "")));
            }
            throw new NotFoundException("No multicast session with id " + id);
        }

        @Override
        public MulticastSessionInfo start(long id, String by) {
            MulticastSessionInfo s = session(id);
            if (s.state() != State.WAITING) {
                throw new ConflictException("Multicast session " + id + " is " + s.state().name().toLowerCase()
                        + "; only a waiting session can be started");
            }
            startedBy.add(by);
            second = State.RUNNING;
            return session(id);
        }
    }

    private final Sessions service = new Sessions();
    private final MulticastSessionResource resource = new MulticastSessionResource(service);

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(MulticastSessionResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list",
                Roles.VIEWER, "get", Roles.VIEWER, "start", Roles.OPERATOR));
    }

    @Test
    public void img3TheListShowsMembersProgressRateAndDroppedMembersWithTheirReason() throws Exception {
        List<MulticastSessionDto> list = resource.list();
        assertThat(list).extracting(MulticastSessionDto::id).containsExactly(2L, 1L);
        MulticastSessionDto running = list.get(1);
        assertThat(running.state()).isEqualTo("RUNNING");
        assertThat(running.rateBytesPerSecond()).isEqualTo(40_000_000);
        assertThat(running.group()).isEqualTo("239.255.26.1:26530");
        assertThat(running.maximumTargets()).isEqualTo(2);
        assertThat(running.maximumWaitingMinutes()).isEqualTo(30);
        assertThat(running.startedAt()).isEqualTo("2026-03-01T10:01:00Z");
        assertThat(running.endedAt()).isNull();
        assertThat(running.members()).hasSize(2);
        assertThat(running.members().get(0).percent()).isEqualTo(25);
        assertThat(running.dropped()).singleElement().satisfies(m -> {
            assertThat(m.machineName()).isEqualTo("pc2");
            assertThat(m.reason()).contains("no chunk confirmed for 60 s");
        });
        String json = JsonProvider.mapper().writeValueAsString(running);
        assertThat(json).contains("\"state\":\"DROPPED\"", "\"rateBytesPerSecond\":40000000");
        assertThat(resource.get(" 1 ")).isEqualTo(running);
    }

    @Test
    public void img3ExecuteNowStartsAWaitingSessionAsTheUser() {
        MulticastSessionDto started = resource.start("2", user("alice"));
        assertThat(started.state()).isEqualTo("RUNNING");
        assertThat(service.startedBy).containsExactly("alice");
    }

    @Test
    public void badCasesAreUnknown404StartOfARunningSession409AndABadId400() {
        assertThat(problem(catchIt(() -> resource.get("99")), 404).detail())
                .isEqualTo("No multicast session with id 99");
        assertThat(problem(catchIt(() -> resource.start("99", user("alice"))), 404).detail()).contains("99");
        assertThat(problem(catchIt(() -> resource.start("1", user("alice"))), 409).detail())
                .isEqualTo("Multicast session 1 is running; only a waiting session can be started");
        assertThat(problem(catchIt(() -> resource.get("x")), 400).field()).isEqualTo("id");
        assertThat(service.startedBy).isEmpty();
    }
}
