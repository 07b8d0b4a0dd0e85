package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.Test;

/** What dpm:user-login-delay says: no delay, or the whole seconds left (rounded up) and how to end it. */
public class UserLoginDelayCommandTest {

    @Test
    public void saysTheSecondsLeftRoundedUpOrThatThereIsNoDelay() {
        assertThat(UserCommands.describeDelay("alice", Duration.ZERO)).isEqualTo("Logins for alice are not delayed");
        assertThat(UserCommands.describeDelay("alice", Duration.ofMillis(16_200))).isEqualTo("Logins for alice are "
                + "refused for 17 s more after failed ones (dpm:user-login-delay --clear alice ends it)");
        assertThat(UserCommands.describeDelay("alice", Duration.ofSeconds(900))).contains("900 s more");
    }
}
