package org.opendpm.scheduler.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.opendpm.spi.StepFailedException;

/** The guard around plugin calls: bursts wait their turn, hung calls fail within the bound, a full queue refuses. */
public class PluginCallsTest {

    private final CountDownLatch never = new CountDownLatch(1);
    private PluginCalls calls;

    @After
    public void tearDown() {
        never.countDown();
        calls.close();
    }

    private Integer hang() throws InterruptedException {
        never.await();
        return 0;
    }

    /** A plugin that ignores the interrupt its time-out brings, until {@code release} opens. */
    private static Integer deaf(CountDownLatch release) {
        boolean interrupted = false;
        while (release.getCount() > 0) {
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    @Test
    public void aBurstOfMoreCallsThanThreadsIsCarriedOutInTurn() throws Exception {
        calls = new PluginCalls("test", 2, 100, Duration.ofSeconds(10));
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            results.add(calls.call("call " + i, () -> {
                Thread.sleep(1);
                return n;
            }));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
    }

    @Test
    public void aCallWaitingBehindHungCallsFailsWithinItsOwnBound() throws Exception {
        calls = new PluginCalls("test", 1, 10, Duration.ofSeconds(1));
        // Deaf to the interrupt of its time-out, the hung call keeps the only thread, so the call behind it can only
        // end by its own bound (with an interruptible hang the pool may free in time to serve it).
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> hung = calls.call("hung plugin", () -> deaf(release));
        CompletableFuture<Integer> behind = calls.call("waiting plugin", () -> 1);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> behind.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StepFailedException.class).hasMessage("waiting plugin did not return within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> hung.get(5, TimeUnit.SECONDS)).cause().hasMessageContaining("hung plugin");
        // Once the plugin lets go of its thread, the pool serves again.
        release.countDown();
        assertThat(calls.call("next", () -> 2).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    public void aFullQueueRefusesNewCallsAtOnce() throws Exception {
        calls = new PluginCalls("test", 1, 1, Duration.ofSeconds(30));
        calls.call("hung plugin", this::hang);
        calls.call("queued plugin", this::hang);
        CompletableFuture<Integer> refused = calls.call("refused plugin", () -> 1);
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::get).cause().isInstanceOf(StepFailedException.class)
                .hasMessageContaining("refused plugin not called: 1 plugin calls are busy and 1 wait already");
    }
}
