package org.opendpm.api.boot;

import java.time.Instant;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One-time tokens with which a machine's Deploy-OS proves it was booted for one execution. The execution engine
 * issues a token before it boots the machine into its Deploy-OS; network boot puts it on the Deploy-OS kernel command
 * line; the agent link redeems it when the Deploy-OS agent says hello. A token is bound to its machine and execution,
 * is accepted once, and expires; only a hash of it (or a key to derive it) is stored, never the token itself.
 */
@ProviderType
public interface DeployOsSessions {

    /** Issues (or replaces) the token for the machine's next Deploy-OS boot in that execution. */
    void issue(long machineId, long executionId, Instant expiresAt);

    /** The token for the machine's kernel command line, while one is issued, unused and not expired. */
    Optional<String> token(long machineId);

    /**
     * Redeems a token presented by a Deploy-OS agent for the machine owning {@code mac}: the execution it was issued
     * for when it matches, is unused and has not expired, after which it is used up; empty otherwise.
     */
    Optional<Long> redeem(String mac, String token);

    /**
     * The key with which the Deploy-OS agent of the machine owning {@code mac} comes back after its connection was
     * lost ({@link #resume}): present while the machine's session is redeemed, not revoked and not expired. Derived,
     * not stored, and never to be logged. Empty from implementations that do not let Deploy-OS agents resume.
     *
     * @since 1.2
     */
    default Optional<String> resumeKey(String mac) {
        return Optional.empty();
    }

    /**
     * Admits the Deploy-OS agent of the machine owning {@code mac} again after its connection was lost: the execution
     * its session was redeemed for when {@code resumeKey} is the session's {@link #resumeKey} and the session is
     * still redeemed, not revoked and not expired; empty otherwise. Unlike a token, the key may be used any number of
     * times while the session lasts. Empty from implementations that do not let Deploy-OS agents resume.
     *
     * @since 1.2
     */
    default Optional<Long> resume(String mac, String resumeKey) {
        return Optional.empty();
    }

    /** Withdraws the machine's token, used or not (the execution ended); its resume key stops working too. */
    void revoke(long machineId);
}
