package org.opendpm.scheduler.internal.engine.steps;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The built-in step {@value StepExecutor#DISK_INVENTORY} (IMG-4): asks the agent in the machine's Deploy-OS for its
 * disks and partitions and stores them on the machine, replacing what an earlier check found. Only reads, so it may
 * run again after a restart.
 */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.DISK_INVENTORY)
public class DiskInventoryStep implements StepExecutor {

    private final AgentLink agents;
    private final InventoryService inventory;

    @Activate
    public DiskInventoryStep(@Reference AgentLink agents, @Reference InventoryService inventory) {
        this.agents = agents;
        this.inventory = inventory;
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        if (!context.agent().isConnected(AgentHandle.Kind.DEPLOY_OS)) {
            throw new StepFailedException("the Deploy-OS agent of machine " + context.target().machineName()
                    + " is not connected");
        }
        CompletableFuture<List<DiskInfo>> disks = agents.disks(context.machineId()).toCompletableFuture();
        context.onStop(() -> disks.cancel(true));
        // Stored off the link's threads: the inventory writes to the database.
        return disks.thenAcceptAsync(found -> {
            inventory.recordDisks(context.machineId(), found, Instant.now());
            context.progress(found.size(), found.size(), "disks");
            context.log(found.isEmpty()
                    ? "No disks found"
                    : found.stream().map(d -> "disk " + d.number() + " " + d.device() + " " + d.sizeBytes()
                            + " bytes, " + d.partitionTable() + ", " + d.partitions().size() + " partition(s)")
                            .collect(Collectors.joining("; ")));
        }, ForkJoinPool.commonPool());
    }
}
