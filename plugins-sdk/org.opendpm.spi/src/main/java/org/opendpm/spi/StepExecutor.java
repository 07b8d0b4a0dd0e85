package org.opendpm.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries out steps of one kind (the idea of Sling's {@code JobExecutor} and Ironic's steps).
 *
 * <p>Registered with the property {@value #PROPERTY} set to the executor key that {@link Step#executor()} names. Of
 * several services with the same key the highest {@code service.ranking} wins, then the lowest {@code service.id}.
 * The core registers the built-in executors whose keys are the constants below; a plugin may add its own keys (not
 * these).
 *
 * <p>The core calls {@link #execute} off its own threads and under a time bound: it must return quickly, handing
 * back a stage that completes when the step is done. Waiting happens in the stages the {@link StepContext}'s
 * handles return, never by blocking. A plugin owns no threads.
 */
@ConsumerType
public interface StepExecutor {

    /** Service property naming the executor key. */
    String PROPERTY = "opendpm.step.executor";

    /** Power the machine on and wait for its agent (the Deploy-OS's when the step needs it). */
    String POWER_ON = "power-on";
    /** Set the Deploy-OS as the machine's next boot, reboot or power it on, and wait for the Deploy-OS agent. */
    String REBOOT_INTO_DEPLOY_OS = "reboot-into-deploy-os";
    /** Run the parameter {@code command} through the agent; {@code expectedExitCode} (default 0) is success. */
    String AGENT_COMMAND = "agent-command";
    /** Send the server file {@code file} into the machine's folder {@code folder} with {@code permissions}. */
    String TRANSFER = "transfer";
    /** Wait for the agent: {@code deployOs} {@code true} the Deploy-OS's, {@code false} the installed OS's. */
    String WAIT_FOR_AGENT = "wait-for-agent";
    /** Make the local disk the next boot and leave the Deploy-OS. */
    String LOCAL_BOOT = "local-boot";
    /** Power the machine off. */
    String POWER_OFF = "power-off";
    /** Read the machine's disks and partitions in its Deploy-OS and store them on the machine (IMG-4). */
    String DISK_INVENTORY = "disk-inventory";

    /** Checks a step's parameters when it is planned; every problem, empty when it can be carried out. */
    default List<SettingViolation> validate(Step step) {
        return List.of();
    }

    /**
     * Starts carrying out the step. The returned stage completes normally when the step is done, or exceptionally
     * when it failed; a {@link StepFailedException}'s message is shown to the administrator as it is. Once
     * {@link StepContext#isStopped()} (cancel, time-out, shutdown) the core no longer waits for the stage.
     */
    CompletionStage<Void> execute(StepContext context);
}
