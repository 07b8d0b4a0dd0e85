package org.opendpm.transfer.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.api.boot.DeployOsSessions;

/**
 * Tokens a test issues by hand: each is bound to one MAC and execution and redeemed once; a redeemed one gives a
 * resume key until the test revokes it.
 */
final class TestDeployOsSessions implements DeployOsSessions {

    private record Issued(String mac, long executionId) {
    }

    private record Redeemed(long executionId, String resumeKey) {
    }

    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final Map<String, Redeemed> redeemed = new ConcurrentHashMap<>();
    private volatile Duration redeemTakes = Duration.ZERO;

    /** Issues {@code token} for the machine owning {@code mac}. */
    void issue(String token, String mac, long executionId) {
        tokens.put(token, new Issued(mac, executionId));
    }

    /** Makes every redeem take this long, as a busy database does. */
    void redeemTakes(Duration d) {
        redeemTakes = d;
    }

    /** Ends the session of {@code mac}: its resume key stops working. */
    void revoke(String mac) {
        redeemed.remove(mac);
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
        try {
            Thread.sleep(redeemTakes.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        Issued i = tokens.get(token);
        if (i == null || !i.mac().equals(mac) || !tokens.remove(token, i)) {
            return Optional.empty();
        }
        redeemed.put(mac, new Redeemed(i.executionId(), keyOf(token)));
        return Optional.of(i.executionId());
    }

    @Override
    public Optional<String> resumeKey(String mac) {
        return Optional.ofNullable(redeemed.get(mac)).map(Redeemed::resumeKey);
    }

    @Override
    public Optional<Long> resume(String mac, String resumeKey) {
        Redeemed r = redeemed.get(mac);
        return r != null && r.resumeKey().equals(resumeKey) ? Optional.of(r.executionId()) : Optional.empty();
    }

    /** 43 characters of base64url, as the protocol requires of a resume key. */
    private static String keyOf(String token) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(("resume " + token).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void revoke(long machineId) {
        throw new UnsupportedOperationException("tests issue tokens by MAC");
    }
}
