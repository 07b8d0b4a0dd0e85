package org.opendpm.plugin.scenario.oslinux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;
import org.opendpm.plugin.scenario.oslinux.internal.answer.AnswerFiles;
import org.opendpm.plugin.scenario.oslinux.internal.answer.Templates;
import org.opendpm.plugin.scenario.oslinux.internal.built.JdbcOsInstallations;
import org.opendpm.plugin.scenario.oslinux.internal.os.JdbcOperatingSystems;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.testkit.PluginAssertionError;
import org.opendpm.spi.testkit.ScenarioTypeChecks;
import org.opendpm.spi.testkit.TestStepContext;

/** The OS tab and its install step (OSI-2): what it publishes and boots, and that only the built call ends it. */
public class InstallStepTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String HASH = "$6$0123456789abcdef$" + "x".repeat(86);
    private static final Pattern BUILT = Pattern.compile("http://192\\.0\\.2\\.1:8181/opendpm/os/built/"
            + "([A-Za-z0-9_-]{43})");

    private final OsLinuxScenarioType type = new OsLinuxScenarioType();
    private record Parts(JdbcOperatingSystems systems, JdbcOsInstallations installations, InstallStep step) {
    }

    private Parts parts(String serverUrl, NetworkSetting groupNetwork) throws Exception {
        return parts(serverUrl, machineId -> {
            throw new AssertionError("serverUrl is configured, network boot is not asked");
        }, groupNetwork);
    }

    private Parts parts(String serverUrl, ServerUrls urls, NetworkSetting groupNetwork) throws Exception {
        var db = TestDatabase.create();
        JdbcOperatingSystems systems = new JdbcOperatingSystems(db);
        JdbcOsInstallations installations = new JdbcOsInstallations(db);
        Machine machine = new Machine(1, "web01", 3, "/Lab", List.of("52:54:00:12:34:56"), "52:54:00:12:34:56",
                Optional.empty(), Optional.of("10.1.2.3"), Optional.empty(), Optional.empty(), PowerState.OFF,
                MachineStatus.NONE);
        MachineGroup group = new MachineGroup(3, "/Lab", "Lab", Optional.empty(), 1, groupNetwork, 1);
        InventoryService inventory = (InventoryService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ InventoryService.class }, (proxy, method, args) -> switch (method.getName()) {
                case "machine" -> machine;
                case "group" -> group;
                default -> throw new AssertionError("the install step should not call " + method.getName());
                });
        Templates templates = new Templates(tmp.getRoot().toPath().resolve("templates"));
        templates.installDefaults();
        AnswerFiles answers = new AnswerFiles(templates, serverUrl, systems, inventory, null, urls);
        systems.create(new OperatingSystemSpec("Debian-12", OsType.DEBIAN_12, "pxelinux/debian12/linux",
                "pxelinux/debian12/initrd.gz", "debian12"));
        return new Parts(systems, installations, new InstallStep(systems, answers, installations, inventory));
    }

    private static Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("operatingSystem", "Debian-12");
        s.put("disk", "vda");
        s.put("rootPasswordHash", HASH);
        return s;
    }

    @Test
    public void theTabPlansTheInstallThenTheLocalDiskAndRefusesAClearTextPassword() {
        ScenarioTypeChecks.assertSchema(type);
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, settings());
        assertThat(plan).extracting(Step::executor).containsExactly(InstallStep.KEY, StepExecutor.LOCAL_BOOT);
        assertThat(plan).allMatch(Step::resumable);
        assertThat(plan.get(0).name()).isEqualTo("Install Debian-12");
        assertThat(OsLinuxScenarioType.stepName("x".repeat(126))).hasSize(Step.MAX_NAME);
        Map<String, Object> clear = settings();
        clear.put("rootPasswordHash", "secret");
        ScenarioTypeChecks.assertRejects(type, clear, "rootPasswordHash");
        assertThat(type.validate(clear).toString()).doesNotContain("secret");
        Map<String, Object> bad = settings();
        bad.put("disk", "/dev/sda");
        bad.put("network", "wifi");
        bad.put("gateway", "10.0.0.300");
        bad.put("colour", "blue");
        ScenarioTypeChecks.assertRejects(type, bad, "disk");
        ScenarioTypeChecks.assertRejects(type, bad, "network");
        ScenarioTypeChecks.assertRejects(type, bad, "gateway");
        ScenarioTypeChecks.assertRejects(type, bad, "colour");
        ScenarioTypeChecks.assertRejects(type, new HashMap<>(), "operatingSystem");
    }

    @Test
    public void theStepPublishesTheAnswerFileBootsTheInstallerAndEndsOnlyWithTheBuiltCall() throws Exception {
        Parts p = parts("http://192.0.2.1:8181", NetworkSetting.SAME_SUBNET);
        Step step = type.plan(settings(), ScenarioTypeChecks.target()).get(0);
        TestStepContext ctx = TestStepContext.of(step, tmp.newFolder().toPath());
        CompletableFuture<Void> done = p.step().execute(ctx).toCompletableFuture();

        assertThat(ctx.publishedFiles()).hasSize(1);
        TestStepContext.Published preseed = ctx.publishedFiles().get(0);
        assertThat(preseed.name()).isEqualTo("preseed.cfg");
        String content = new String(preseed.content(), StandardCharsets.UTF_8);
        assertThat(content).contains("d-i netcfg/get_hostname string web01", "/dev/vda");
        assertThat(ctx.bootEvents()).hasSize(1);
        assertThat(ctx.bootEvents().get(0).oneShot()).isTrue();
        BootIntent.OsInstaller installer = (BootIntent.OsInstaller) ctx.bootEvents().get(0).intent();
        assertThat(installer.kernel()).isEqualTo("pxelinux/debian12/linux");
        assertThat(installer.initrd()).isEqualTo("pxelinux/debian12/initrd.gz");
        assertThat(installer.bootArguments()).isEqualTo("auto=true priority=critical url=http://192.0.2.1:8181"
                + preseed.url() + " interface=auto");
        assertThat(ctx.powerOperations()).containsExactly(PowerOperation.ON);

        assertThat(done).isNotDone();
        Matcher built = BUILT.matcher(content);
        assertThat(built.find()).as(content).isTrue();
        assertThat(p.installations().built("A".repeat(43))).isFalse();
        assertThat(done).isNotDone();
        assertThat(p.installations().built(built.group(1))).isTrue();
        done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ctx.logLines()).anyMatch(l -> l.contains("called built"));
        assertThat(p.installations().builtAt(ctx.executionId())).isEmpty();
    }

    @Test
    public void aConnectedAgentRebootsTheMachineAndAStopEndsTheWait() throws Exception {
        Parts p = parts("http://192.0.2.1:8181", NetworkSetting.differentSubnet("10.1.2.254", "255.255.255.0"));
        Map<String, Object> s = settings();
        s.put("network", "static");
        s.put("nameserver", "10.1.2.53");
        Step step = type.plan(s, ScenarioTypeChecks.target()).get(0);
        TestStepContext ctx = TestStepContext.of(step, tmp.newFolder().toPath())
                .agentConnected(AgentHandle.Kind.INSTALLED_OS);
        CompletableFuture<Void> done = p.step().execute(ctx).toCompletableFuture();
        String content = new String(ctx.publishedFiles().get(0).content(), StandardCharsets.UTF_8);
        // The group's gateway and mask stand in for the tab's.
        assertThat(content).contains("get_ipaddress string 10.1.2.3", "get_netmask string 255.255.255.0",
                "get_gateway string 10.1.2.254", "get_nameservers string 10.1.2.53");
        assertThat(ctx.powerOperations()).isEmpty();
        ctx.stop();
        assertThat(done).isCompletedExceptionally();
        Matcher built = BUILT.matcher(content);
        assertThat(built.find()).isTrue();
        assertThat(p.installations().built(built.group(1))).as("withdrawn").isFalse();
    }

    @Test
    public void withoutServerUrlTheAnswerFileAndItsUrlUseTheAddressNetworkBootKnows() throws Exception {
        Parts p = parts("", machineId -> {
            assertThat(machineId).isEqualTo(1);
            return "http://198.51.100.1:8181";
        }, NetworkSetting.SAME_SUBNET);
        TestStepContext ctx = TestStepContext.of(type.plan(settings(), ScenarioTypeChecks.target()).get(0),
                tmp.newFolder().toPath());
        p.step().execute(ctx);
        TestStepContext.Published preseed = ctx.publishedFiles().get(0);
        assertThat(new String(preseed.content(), StandardCharsets.UTF_8))
                .contains("wget -q -O /dev/null http://198.51.100.1:8181/opendpm/os/built/")
                .doesNotContain("server.invalid");
        BootIntent.OsInstaller installer = (BootIntent.OsInstaller) ctx.bootEvents().get(0).intent();
        assertThat(installer.bootArguments()).isEqualTo("auto=true priority=critical url=http://198.51.100.1:8181"
                + preseed.url() + " interface=auto");
        ctx.stop();
    }

    @Test
    public void whatCannotWorkFailsBeforeTheMachineIsTouched() throws Exception {
        Parts unset = parts("", machineId -> {
            throw new ValidationException("advertisedAddress", "No address by which web01 reaches this server is"
                    + " known. Set advertisedAddress in etc/org.opendpm.netboot.http.cfg");
        }, NetworkSetting.SAME_SUBNET);
        TestStepContext ctx = TestStepContext.of(type.plan(settings(), ScenarioTypeChecks.target()).get(0),
                tmp.newFolder().toPath());
        assertThatThrownBy(() -> TestStepContext.run(unset.step(), ctx, Duration.ofSeconds(5)))
                .isInstanceOf(PluginAssertionError.class).hasMessageContaining("Set advertisedAddress in"
                        + " etc/org.opendpm.netboot.http.cfg (or serverUrl in etc/org.opendpm.osinstall.cfg)");
        assertThat(ctx.bootEvents()).isEmpty();

        Parts p = parts("http://192.0.2.1:8181", NetworkSetting.SAME_SUBNET);
        Map<String, Object> s = settings();
        s.put("operatingSystem", "Nope");
        TestStepContext missing = TestStepContext.of(type.plan(s, ScenarioTypeChecks.target()).get(0),
                tmp.newFolder().toPath());
        assertThatThrownBy(() -> TestStepContext.run(p.step(), missing, Duration.ofSeconds(5)))
                .hasMessageContaining("No operating system named Nope");

        Map<String, Object> fixed = settings();
        fixed.put("network", "static");
        TestStepContext noGateway = TestStepContext.of(type.plan(fixed, ScenarioTypeChecks.target()).get(0),
                tmp.newFolder().toPath());
        assertThatThrownBy(() -> TestStepContext.run(p.step(), noGateway, Duration.ofSeconds(5)))
                .hasMessageContaining("netmask");

        p.systems().create(new OperatingSystemSpec("Ubuntu", OsType.UBUNTU_24_04, "k", "i", "s"));
        Map<String, Object> ubuntu = settings();
        ubuntu.put("operatingSystem", "Ubuntu");
        TestStepContext notYet = TestStepContext.of(type.plan(ubuntu, ScenarioTypeChecks.target()).get(0),
                tmp.newFolder().toPath());
        assertThatThrownBy(() -> TestStepContext.run(p.step(), notYet, Duration.ofSeconds(5)))
                .hasMessageContaining("not supported yet");
        for (TestStepContext c : List.of(ctx, missing, noGateway, notYet)) {
            assertThat(c.bootEvents()).isEmpty();
            assertThat(c.powerOperations()).isEmpty();
        }
    }
}
