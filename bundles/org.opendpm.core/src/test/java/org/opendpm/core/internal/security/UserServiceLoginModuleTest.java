package org.opendpm.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;

import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.junit.Test;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;

/**
 * Logins through the realm's module pass the throttle first: a throttled login is refused without its password being
 * checked, whatever the password; the address counts when the caller tells it (REST) or Karaf's SSH and JMX servers
 * put it in the subject, the name alone when neither does.
 */
public class UserServiceLoginModuleTest {

    private static final String RIGHT = "the right password";

    private final AtomicLong nanos = new AtomicLong();
    private final InMemoryLoginThrottle throttle = new InMemoryLoginThrottle(
            InMemoryLoginThrottleTest.config(5, 20, 1, 900, 3600, 10_000), nanos::get);
    private final UserService users = mock(UserService.class);

    public UserServiceLoginModuleTest() {
        when(users.authenticate(anyString(), any())).thenAnswer(call -> RIGHT.equals(new String(
                (char[]) call.getArgument(1)))
                        ? Optional.of(new User(call.getArgument(0), EnumSet.of(Role.VIEWER)))
                        : Optional.empty());
    }

    /** Logs in from this address, or as over SSH (no address known) when it is null. */
    private Subject login(String name, String password, String address) throws LoginException {
        return login(users, name, password, address);
    }

    private Subject login(UserService service, String name, String password, String address) throws LoginException {
        return login(service, new Subject(), name, password, address);
    }

    /** Logs in as Karaf's SSH or JMX server does: the address only in the subject's client principal. */
    private Subject loginAsKaraf(String method, String karafAddress, String name, String password)
            throws LoginException {
        var subject = new Subject();
        subject.getPrincipals().add(new ClientPrincipal(method, karafAddress));
        return login(users, subject, name, password, null);
    }

    private Subject login(UserService service, Subject subject, String name, String password, String address)
            throws LoginException {
        var module = new UserServiceLoginModule();
        module.initialize(subject, credentials(name, password, address), Map.of(),
                Map.of(UserServiceLoginModule.USER_SERVICE_OPTION, service,
                        UserServiceLoginModule.THROTTLE_OPTION, throttle));
        module.login();
        module.commit();
        return subject;
    }

    /**
     * Answers the module's callbacks as REST's handler does when {@code address} is given, as Karaf's SSH and JMX
     * ones do (refusing the address callback) when it is null.
     */
    static CallbackHandler credentials(String name, String password, String address) {
        return callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof NameCallback n) {
                    n.setName(name);
                } else if (cb instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                } else if (cb instanceof ClientAddressCallback a && address != null) {
                    a.setAddress(address);
                } else {
                    throw new UnsupportedCallbackException(cb);
                }
            }
        };
    }

    @Test
    public void aThrottledLoginWithTheRightPasswordIsRefusedWithoutCheckingIt() throws Exception {
        for (int i = 0; i < 5; i++) {
            String wrong = "wrong password " + i;
            assertThatThrownBy(() -> login("alice", wrong, "192.0.2.1"))
                    .isExactlyInstanceOf(FailedLoginException.class);
        }
        assertThatThrownBy(() -> login("alice", RIGHT, "192.0.2.1"))
                .isInstanceOfSatisfying(LoginThrottledException.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(e.retryAfterSeconds()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("Too many failed logins").doesNotContain("password");
                });
        verify(users, times(5)).authenticate(anyString(), any());

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(login("alice", RIGHT, "192.0.2.1").getPrincipals(UserPrincipal.class))
                .extracting(UserPrincipal::getName).containsExactly("alice");
        // The success reset alice's count: four failures now are not throttled.
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> login("alice", "wrong", "192.0.2.1")).isExactlyInstanceOf(
                    FailedLoginException.class);
        }
        assertThat(login("alice", RIGHT, "192.0.2.1").getPrincipals()).isNotEmpty();
    }

    @Test
    public void theAddressCountsWhenTheCallerTellsIt() throws Exception {
        for (int i = 0; i < 20; i++) {
            String name = "guess" + i;
            assertThatThrownBy(() -> login(name, "wrong", "192.0.2.66")).isInstanceOf(FailedLoginException.class);
        }
        assertThatThrownBy(() -> login("bob", RIGHT, "192.0.2.66")).isInstanceOf(LoginThrottledException.class);
        verify(users, never()).authenticate(org.mockito.ArgumentMatchers.eq("bob"), any());
        assertThat(login("bob", RIGHT, "198.51.100.9").getPrincipals()).isNotEmpty();
        // With no address known the address does not count, the name does.
        assertThat(login("bob", RIGHT, null).getPrincipals()).isNotEmpty();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> login("carol", "wrong", null)).isInstanceOf(FailedLoginException.class);
        }
        assertThatThrownBy(() -> login("carol", RIGHT, null)).isInstanceOf(LoginThrottledException.class);
    }

    @Test
    public void aLoginThatCouldNotBeCheckedIsNoFailure() {
        UserService away = mock(UserService.class);
        when(away.authenticate(anyString(), any())).thenThrow(new StoreUnavailableException("no DataSource"));
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> login(away, "alice", "wrong", "192.0.2.1"))
                    .isExactlyInstanceOf(LoginException.class).hasMessageContaining("no DataSource");
        }
        assertThat(throttle.size()).isZero();
    }

    @Test
    public void karafsSshAndJmxLoginsCountTheirClientAddress() throws Exception {
        for (int i = 0; i < 10; i++) {
            String name = "ssh-guess" + i;
            assertThatThrownBy(() -> loginAsKaraf("ssh", "/192.0.2.77:" + (40000 + name.length()), name, "wrong"))
                    .isInstanceOf(FailedLoginException.class);
        }
        for (int i = 0; i < 10; i++) {
            String name = "jmx-guess" + i;
            assertThatThrownBy(() -> loginAsKaraf("jmx", "192.0.2.77", name, "wrong"))
                    .isInstanceOf(FailedLoginException.class);
        }
        // Twenty failures from one address over SSH and JMX together: that address waits, over REST too.
        assertThatThrownBy(() -> loginAsKaraf("ssh", "/192.0.2.77:40999", "dave", RIGHT))
                .isInstanceOf(LoginThrottledException.class);
        assertThatThrownBy(() -> login("dave", RIGHT, "192.0.2.77")).isInstanceOf(LoginThrottledException.class);
        verify(users, never()).authenticate(org.mockito.ArgumentMatchers.eq("dave"), any());
        assertThat(loginAsKaraf("ssh", "/198.51.100.3:40001", "dave", RIGHT).getPrincipals(UserPrincipal.class))
                .isNotEmpty();
    }

    @Test
    public void theHostIsReadFromEachFormKarafWrites() {
        assertThat(UserServiceLoginModule.host("/192.0.2.1:40022")).isEqualTo("192.0.2.1");
        assertThat(UserServiceLoginModule.host("admin.example/192.0.2.1:40022")).isEqualTo("192.0.2.1");
        assertThat(UserServiceLoginModule.host("/[2001:db8::1]:40022")).isEqualTo("2001:db8::1");
        assertThat(UserServiceLoginModule.host("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(UserServiceLoginModule.host("2001:db8::1")).isEqualTo("2001:db8::1");
        assertThat(UserServiceLoginModule.host("")).isNull();
        assertThat(UserServiceLoginModule.host(null)).isNull();
    }
}
