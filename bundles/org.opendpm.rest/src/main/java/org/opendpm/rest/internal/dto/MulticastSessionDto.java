package org.opendpm.rest.internal.dto;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.opendpm.api.multicast.MulticastSessionInfo;

/**
 * A multicast restore session (IMG-3) as the Backup/Restore Execution List shows it. Times are ISO-8601 UTC; what
 * has not happened is null.
 *
 * @param state WAITING, RUNNING, DONE or FAILED
 * @param maximumTargets the scenario's Maximum Targets, null when not set
 * @param maximumWaitingMinutes the scenario's Maximum Waiting Time, null when not set
 * @param group the multicast group and port once it runs ({@code 239.255.26.7:26530})
 * @param rateBytesPerSecond the sender's rate, 0 before it runs
 * @param startedBy who pressed Execute Now, null when its condition started it
 * @param message why it failed, or how it ended
 * @param dropped the members dropped for staying behind, with their reason
 */
public record MulticastSessionDto(long id, long scenarioId, String scenarioName, String imageName, String state,
        Integer maximumTargets, Long maximumWaitingMinutes, String group, String createdAt, String startedAt,
        String endedAt, long rateBytesPerSecond, String startedBy, String message, List<MemberDto> members,
        List<MemberDto> dropped) {

    /**
     * @param state WAITING, RUNNING, DONE, DROPPED, FAILED or CANCELLED
     * @param percent of the image's disk bytes confirmed written, null when it has none
     * @param reason why it was dropped or failed, empty otherwise
     */
    public record MemberDto(long executionId, long machineId, String machineName, String state, String readyAt,
            long confirmedChunks, long confirmedBytes, long totalBytes, Integer percent, String reason) {

        static MemberDto of(MulticastSessionInfo.Member m) {
            return new MemberDto(m.executionId(), m.machineId(), m.machineName(), m.state().name(),
                    m.readyAt().toString(), m.confirmedChunks(), m.confirmedBytes(), m.totalBytes(),
                    m.totalBytes() > 0 ? (int) Math.min(100, m.confirmedBytes() * 100 / m.totalBytes()) : null,
                    m.reason());
        }
    }

    public static MulticastSessionDto of(MulticastSessionInfo s) {
        List<MemberDto> members = s.members().stream().map(MemberDto::of).toList();
        return new MulticastSessionDto(s.id(), s.scenarioId(), s.scenarioName(), s.imageName(), s.state().name(),
                s.maximumTargets().isPresent() ? s.maximumTargets().getAsInt() : null,
                s.maximumWaiting().map(Duration::toMinutes).orElse(null), s.group().orElse(null),
                s.created().toString(), s.started().map(Instant::toString).orElse(null),
                s.ended().map(Instant::toString).orElse(null), s.rateBytesPerSecond(), s.startedBy().orElse(null),
                s.message(), members,
                members.stream().filter(m -> m.state().equals(MulticastSessionInfo.MemberState.DROPPED.name()))
                        .toList());
    }
}
