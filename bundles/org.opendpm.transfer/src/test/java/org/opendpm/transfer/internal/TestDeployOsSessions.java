package org.opendpm.transfer.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.api.boot.DeployOsSessions;

/** Tokens a test issues by hand: each is bound to one MAC and execution and redeemed once. */
final class TestDeployOsSessions implements DeployOsSessions {

    private record Issued(String mac, long executionId) {
    }

    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

    /** Issues {@code token} for the machine owning {@code mac}. */
    void issue(String token, String mac, long executionId) {
        tokens.put(token, new Issued(mac, executionId));
    }

    @Override
    public void issue(long machineId, long executionId, Instant expiresAt) {
        throw new UnsupportedOperationException("tests issue tokens by MAC");
    }

    @Override
    public Optional<String> token(long machineId) {
        return Optional.empty();
    }

    @Override
    public Optional<Long> redeem(String mac, String token) {
        Issued i = tokens.get(token);
        if (i == null || !i.mac().equals(mac) || !tokens.remove(token, i)) {
            return Optional.empty();
        }
        return Optional.of(i.executionId());
    }

    @Override
    public void revoke(long machineId) {
        throw new UnsupportedOperationException("tests issue tokens by MAC");
    }
}
