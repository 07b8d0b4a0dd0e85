package org.opendpm.core.internal.security;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.opendpm.api.security.LoginThrottle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoginThrottle} of this process: failed logins counted per user name and per client address in memory.
 * This is rate state, like a connection counter: a restart forgetting it costs an attacker's next few guesses only,
 * and the entry cap bounds it. Servers sharing one database would have to share it as well.
 *
 * <p>A user name is delayed after {@code userFailures} consecutive failures and a success resets it. An address is
 * delayed after {@code addressFailures} failures for any names, and a success does not reset it: an attacker holding
 * one account could otherwise clear the count of their address between guesses. Its threshold is higher, since many
 * users may share an address (a NAT, a proxy, everything on the server itself). Both are forgotten after
 * {@code forgetAfterSeconds} without a failure. Attempts refused while delayed are not counted and not checked.
 *
 * <p>Concurrent attempts that all pass {@link #delay} before the first failure is counted are each checked, so an
 * attacker gains at most as many extra guesses per delay as it runs requests in parallel.
 */
@Component(service = LoginThrottle.class, configurationPid = InMemoryLoginThrottle.PID)
@Designate(ocd = InMemoryLoginThrottle.Config.class)
public class InMemoryLoginThrottle implements LoginThrottle {

    static final String PID = "org.opendpm.security";

    /**
     * Keys longer than this are cut: no user name is longer than 64 characters, so names that long cannot exist and
     * sharing one entry costs nothing, while a header full of junk does not enlarge an entry.
     */
    static final int MAX_KEY_LENGTH = 128;

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryLoginThrottle.class);

    @ObjectClassDefinition(name = "OpenDPM login throttling", description = "Delays logins after failed ones, per "
            + "user name and per client address; a delay runs out by itself")
    public @interface Config {
        @AttributeDefinition(description = "Consecutive failed logins for one user name before its logins are "
                + "delayed; a successful login resets the count", min = "1")
        int userFailures() default 5;

        @AttributeDefinition(description = "Failed logins from one client address, for any user names, before "
                + "logins from it are delayed; successes do not reset it, so keep it above userFailures", min = "1")
        int addressFailures() default 20;

        @AttributeDefinition(description = "Seconds of the first delay; each further failure doubles it", min = "1")
        int initialDelaySeconds() default 1;

        @AttributeDefinition(description = "Seconds the delay grows to at most", min = "1")
        int maxDelaySeconds() default 900;

        @AttributeDefinition(description = "Seconds without a failed login after which a user name or address "
                + "starts again from zero (at least maxDelaySeconds)", min = "1")
        int forgetAfterSeconds() default 3600;

        @AttributeDefinition(description = "User names, and separately addresses, remembered at most; over it the "
                + "ones whose last failure is oldest are forgotten", min = "100")
        int maxEntries() default 10_000;
    }

    private final LongSupplier nanoTime;
    private final FailureCounts users = new FailureCounts();
    private final FailureCounts addresses = new FailureCounts();
    private volatile LoginThrottleLimits limits;

    @Activate
    public InMemoryLoginThrottle(Config config) {
        this(config, System::nanoTime);
    }

    /** {@code nanoTime} is a monotonic clock, replaced in tests. */
    InMemoryLoginThrottle(Config config, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        modified(config);
    }

    @Modified
    void modified(Config config) {
        limits = LoginThrottleLimits.of(config);
    }

    @Override
    public Duration delay(String user, String address) {
        long now = nanoTime.getAsLong();
        LoginThrottleLimits l = limits;
        Duration byUser = users.delay(key(user), now, l);
        Duration byAddress = address == null ? Duration.ZERO : addresses.delay(key(address), now, l);
        return byUser.compareTo(byAddress) >= 0 ? byUser : byAddress;
    }

    @Override
    public void failed(String user, String address) {
        long now = nanoTime.getAsLong();
        LoginThrottleLimits l = limits;
        String u = key(user);
        FailureCounts.Outcome byUser = users.failed(u, now, l.userFailures(), l);
        if (!byUser.delay().isZero()) {
            LOG.warn("Logins for user '{}' delayed {} s after {} consecutive failed logins, the last from {}",
                    printable(u), byUser.delay().toSeconds(), byUser.failures(), printableAddress(address));
        }
        if (address != null) {
            FailureCounts.Outcome byAddress = addresses.failed(key(address), now, l.addressFailures(), l);
            if (!byAddress.delay().isZero()) {
                LOG.warn("Logins from {} delayed {} s after {} failed logins, the last for user '{}'",
                        printableAddress(address), byAddress.delay().toSeconds(), byAddress.failures(), printable(u));
            }
        }
    }

    @Override
    public void reset(String user) {
        users.reset(key(user));
    }

    /** Entries remembered now, user names and addresses together (for tests of the cap). */
    int size() {
        return users.size() + addresses.size();
    }

    private static String key(String s) {
        String k = s == null ? "" : s;
        return k.length() > MAX_KEY_LENGTH ? k.substring(0, MAX_KEY_LENGTH) : k;
    }

    private static String printableAddress(String address) {
        return address == null ? "an unknown address" : printable(key(address));
    }

    /** A name from the network may hold line breaks meant to forge log lines. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
