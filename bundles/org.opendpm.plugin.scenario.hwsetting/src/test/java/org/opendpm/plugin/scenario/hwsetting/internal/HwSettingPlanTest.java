package org.opendpm.plugin.scenario.hwsetting.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.plugin.scenario.hwsetting.internal.images.JdbcHwImages;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;
import org.opendpm.spi.testkit.ScenarioTypeChecks;
import org.opendpm.spi.testkit.TestStepContext;

/** HWS-1, HWS-2: the HW Setting tab's plan, its boot once into the image, BIOS against UEFI, and the time-out. */
public class HwSettingPlanTest {

    private static final String URL = "http://192.0.2.1:8181";
    private static final long MACHINE = 1; // TestStepContext's machine

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final Fixtures.Intents intents = new Fixtures.Intents();
    private final MachineReturns returns = new MachineReturns(intents);
    private JdbcHwImages images;

    @Before
    public void setUp() throws Exception {
        images = new JdbcHwImages(Fixtures.database(), Fixtures.settings(tmp.newFolder().toPath(), 1));
        images.create("bios21", HwImageKind.FLOPPY, new ByteArrayInputStream(Fixtures.floppy(1_474_560)));
        images.create("fwupd", HwImageKind.EFI_APPLICATION, new ByteArrayInputStream(Fixtures.pe(0x8664, 10)));
    }

    @Test
    public void theTabPlansOneStepAndChecksItsSettings() {
        HwSettingScenarioType type = new HwSettingScenarioType();
        ScenarioTypeChecks.assertSchema(type);
        ScenarioTypeChecks.assertPlans(type, Map.of("image", "bios21"));
        ScenarioTypeChecks.assertRejects(type, Map.of("image", "a/b"), "image");
        assertThat(type.validate(Map.of())).extracting(v -> v.field()).containsExactly("image");
        assertThat(type.validate(Map.of("image", "ninechars"))).extracting(v -> v.field()).containsExactly("image");
        assertThat(type.validate(Map.of("image", "a", "extra", 1))).extracting(v -> v.field())
                .containsExactly("extra");
        var steps = type.plan(Map.of("image", "bios21"), ScenarioTypeChecks.target());
        assertThat(steps).containsExactly(Step.of(HwBootStep.KEY, "HW setting bios21", Map.of("image", "bios21")));
        assertThat(type.needsDeployOs()).isFalse();
    }

    @Test
    public void aFloppyBootsOnceThroughMemdiskAndTheNextNetworkBootEndsTheStep() throws Exception {
        TestStepContext ctx = context("bios21");
        CompletionStage<Void> done = step(URL).execute(ctx);
        String image = URL + "/opendpm/hw-setting/bios21.img";
        assertThat(ctx.bootEvents()).containsExactly(
                new TestStepContext.BootEvent("next", new BootIntent.MemdiskFloppy("memdisk", image), true));
        assertThat(ctx.powerOperations()).containsExactly(PowerOperation.ON);
        intents.set(MACHINE, NextBoot.memdiskFloppy("memdisk", image, true), "execution");

        returns.booting(MACHINE, bios()); // the boot that uses the intent
        returns.connected(agent()); // an agent still up before the reboot is not a return
        assertThat(done.toCompletableFuture().isDone()).isFalse();
        intents.clear(MACHINE); // the machine fetched its boot file: the one-shot intent is used
        returns.booting(MACHINE, bios());
        done.toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(ctx.logLines()).anyMatch(l -> l.contains("came back: the machine network-booted again"));
    }

    @Test
    public void anEfiApplicationIsChainLoadedAndItsAgentConnectingEndsTheStep() throws Exception {
        TestStepContext ctx = context("fwupd").agentConnected(AgentHandle.Kind.INSTALLED_OS);
        CompletionStage<Void> done = step(URL).execute(ctx);
        String app = URL + "/opendpm/hw-setting/fwupd.efi";
        assertThat(ctx.bootEvents())
                .containsExactly(new TestStepContext.BootEvent("next", new BootIntent.EfiApplication(app, ""), true));
        assertThat(ctx.powerOperations()).isEmpty(); // the agent reboots it
        intents.set(MACHINE, NextBoot.efiApplication(app, "", true), "execution");
        returns.booting(MACHINE, uefi());
        assertThat(done.toCompletableFuture().isDone()).isFalse();
        intents.clear(MACHINE);
        returns.connected(agent());
        done.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    public void aFloppyOnUefiAndAnEfiApplicationOnBiosAreRefusedAndTheOneShotBootRemoved() {
        TestStepContext floppy = context("bios21");
        CompletionStage<Void> f = step(URL).execute(floppy);
        intents.set(MACHINE, NextBoot.memdiskFloppy("memdisk", URL + "/opendpm/hw-setting/bios21.img", true), "x");
        returns.booting(MACHINE, uefi());
        assertFails(f, "booted with UEFI firmware", "a floppy image boots only on BIOS");
        assertThat(intents.byMachine).isEmpty();

        TestStepContext efi = context("fwupd");
        CompletionStage<Void> e = step(URL).execute(efi);
        intents.set(MACHINE, NextBoot.efiApplication(URL + "/opendpm/hw-setting/fwupd.efi", "", true), "x");
        returns.booting(MACHINE, bios());
        assertFails(e, "booted with BIOS firmware", "an EFI application boots only on UEFI");
        assertThat(intents.byMachine).isEmpty();
    }

    @Test
    public void anEfiApplicationBootsOnlyOnTheUefiOfItsMachineType() {
        HwImage x64 = images.find("fwupd").orElseThrow();
        HwImage aa64 = new HwImage("arm", HwImageKind.EFI_APPLICATION, 1, "00", Optional.of("aa64"), Instant.now());
        HwImage floppy = images.find("bios21").orElseThrow();
        for (int arch : new int[]{ 7, 9, 16 }) {
            assertThat(MachineReturns.wrongFirmware(x64, arch)).isEmpty();
            assertThat(MachineReturns.wrongFirmware(aa64, arch)).hasValueSatisfying(m -> assertThat(m).contains(
                    "is for aa64"));
            assertThat(MachineReturns.wrongFirmware(floppy, arch)).isPresent();
        }
        assertThat(MachineReturns.wrongFirmware(aa64, 11)).isEmpty();
        assertThat(MachineReturns.wrongFirmware(x64, 11)).isPresent();
        assertThat(MachineReturns.wrongFirmware(x64, 6)).as("32-bit UEFI").isPresent();
        assertThat(MachineReturns.wrongFirmware(floppy, 0)).isEmpty();
        assertThat(MachineReturns.wrongFirmware(x64, 0)).hasValueSatisfying(m -> assertThat(m).contains(
                "BIOS firmware"));
    }

    @Test
    public void aMachineThatNeverComesBackEndsAtTheTimeOutWhichSaysItMayStillBeUpdating_HWS2() {
        TestStepContext ctx = context("fwupd");
        CompletionStage<Void> done = step(URL).execute(ctx);
        assertThat(ctx.timeoutExplanation()).isEqualTo(HwBootStep.TIMEOUT_EXPLANATION)
                .contains("may still be updating", "do not power it off");
        String app = URL + "/opendpm/hw-setting/fwupd.efi";
        intents.set(MACHINE, NextBoot.efiApplication(app, "", true), "execution");
        returns.booting(MACHINE, uefi());
        intents.clear(MACHINE); // fetched, then stalled in the application
        ctx.stop(); // the execution's time-out
        assertThat(done.toCompletableFuture()).as("the engine ends it TIMED_OUT, not the step").isNotDone();
        assertThat(ctx.logLines()).noneMatch(l -> l.contains("never fetched"));
        // A later boot belongs to no step.
        returns.booting(MACHINE, uefi());

        // Set before the step starts, as the step's own boot().next would; the machine never fetches it.
        intents.set(MACHINE, NextBoot.memdiskFloppy("memdisk", URL + "/opendpm/hw-setting/bios21.img", true), "x");
        TestStepContext never = context("bios21");
        step(URL).execute(never);
        never.stop();
        assertThat(never.logLines()).anyMatch(l -> l.contains("never fetched the boot file of bios21"));
        assertThat(intents.byMachine).as("the unused one-shot boot is removed").isEmpty();
    }

    @Test
    public void aCancelledStepRemovesTheUnusedOneShotBootButNotAnotherIntent() {
        intents.set(MACHINE, NextBoot.memdiskFloppy("memdisk", URL + "/opendpm/hw-setting/bios21.img", true), "x");
        TestStepContext ctx = context("bios21");
        step(URL).execute(ctx);
        ctx.stop();
        assertThat(intents.byMachine).isEmpty();

        TestStepContext again = context("bios21");
        step(URL).execute(again);
        intents.set(MACHINE, NextBoot.localDisk(false), "alice"); // set by hand meanwhile
        again.stop();
        assertThat(intents.byMachine).containsKey(MACHINE);
    }

    @Test
    public void anUnknownImageOrNoServerUrlFailsBeforeTheMachineIsTouched() {
        TestStepContext ctx = context("nothere");
        assertThatThrownBy(() -> step(URL).execute(ctx)).isInstanceOf(StepFailedException.class)
                .hasMessageContaining("No HW setting image named nothere");
        TestStepContext noUrl = context("bios21");
        ServerUrls nothingKnown = machine -> {
            throw new ValidationException("advertisedAddress", "No address by which m reaches this server is known."
                    + " Set advertisedAddress in etc/org.opendpm.netboot.http.cfg");
        };
        assertThatThrownBy(() -> step("", nothingKnown).execute(noUrl)).isInstanceOf(StepFailedException.class)
                .hasMessageContaining("Set advertisedAddress in etc/org.opendpm.netboot.http.cfg (or serverUrl in"
                        + " etc/org.opendpm.hwsetting.cfg)");
        assertThatThrownBy(() -> step("file:///etc").execute(noUrl)).isInstanceOf(StepFailedException.class)
                .hasMessageContaining("not an http URL");
        assertThat(ctx.bootEvents()).isEmpty();
        assertThat(noUrl.bootEvents()).isEmpty();
        assertThat(noUrl.powerOperations()).isEmpty();
    }

    private TestStepContext context(String image) {
        return TestStepContext.of(Step.of(HwBootStep.KEY, "HW setting " + image, Map.of("image", image)),
                tmp.getRoot().toPath());
    }

    @Test
    public void withoutServerUrlTheImageUrlIsTheOneNetworkBootKnowsForTheMachine() {
        TestStepContext ctx = context("bios21");
        step("", machine -> "http://198.51.100.1:8181").execute(ctx);
        assertThat(ctx.bootEvents()).containsExactly(new TestStepContext.BootEvent("next",
                new BootIntent.MemdiskFloppy("memdisk", "http://198.51.100.1:8181/opendpm/hw-setting/bios21.img"),
                true));
        ctx.stop();
    }

    private HwBootStep step(String serverUrl) {
        return step(serverUrl, machine -> {
            throw new AssertionError("serverUrl is configured, network boot is not asked");
        });
    }

    private HwBootStep step(String serverUrl, ServerUrls urls) {
        return new HwBootStep(config(serverUrl), images, returns, urls);
    }

    private static BootClient bios() {
        return new BootClient("52:54:00:00:00:01", java.util.Optional.empty(), BootClient.ARCH_BIOS,
                java.util.Optional.of("iPXE"));
    }

    private static BootClient uefi() {
        return new BootClient("52:54:00:00:00:01", java.util.Optional.empty(), BootClient.ARCH_EFI_X86_64,
                java.util.Optional.of("iPXE"));
    }

    private static AgentInfo agent() {
        return new AgentInfo(java.util.Optional.of(MACHINE), "52:54:00:00:00:01", java.util.Optional.empty(),
                "192.0.2.9", "m", "Linux", "1", false, Instant.now(), Instant.now(), java.util.Optional.empty());
    }

    private static void assertFails(CompletionStage<Void> stage, String... texts) {
        assertThatThrownBy(() -> stage.toCompletableFuture().get(Duration.ofSeconds(10).toMillis(),
                TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(StepFailedException.class).satisfies(e -> {
                    for (String t : texts) {
                        assertThat(e.getMessage()).contains(t);
                    }
                });
    }

    private static HwSettingConfig config(String serverUrl) {
        return new HwSettingConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HwSettingConfig.class;
            }

            @Override
            public String serverUrl() {
                return serverUrl;
            }

            @Override
            public String memdisk() {
                return "memdisk";
            }
        };
    }
}
