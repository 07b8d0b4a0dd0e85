package org.opendpm.scheduler.internal.images.transfer;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.images.ImageFolder;
import org.opendpm.spi.AgentHandle.Backup;
import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.AgentHandle.Restore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Backups and restores over the agent link (IMG-1, IMG-2, IMG-5, IMG-6): the agent in the machine's Deploy-OS reads
 * and compresses, or checks and writes, and the server places or sends the chunks. A link lost for less than
 * {@code resumeSeconds} is survived: the transfer asks the returning agent again from the next chunk.
 *
 * <p>
 * The link's threads only hand chunks over; what takes long (creating, verifying and committing an image, opening
 * one strictly) runs on this component's own threads.
 */
@Component(service = ImageTransfers.class, configurationPid = ImageTransfers.PID)
@Designate(ocd = ImageTransfers.Config.class)
public class ImageTransfers {

    static final String PID = "org.opendpm.images";

    @ObjectClassDefinition(name = "OpenDPM image transfers", description = "Backup and restore over the agent link")
    public @interface Config {
        @AttributeDefinition(min = "1", max = "3600", description = "How long a backup or restore waits for the"
                + " machine's Deploy-OS agent to come back after the link was lost, in seconds")
        int resumeSeconds() default 120;

        @AttributeDefinition(description = "Write new backups as manifests whose chunks are stored once in the image"
                + " folder's chunk store and shared between images; false writes each backup as one self-contained"
                + " file of format 1.0 (to copy images to another system)")
        boolean shareChunks() default true;
    }

    /** The chunk size of new images. */
    static final int CHUNK_SIZE = 4 * 1024 * 1024;
    /** zstd level of new images: the machine compresses at the speed of its disk. */
    static final int COMPRESSION_LEVEL = 1;

    final AgentLink agents;
    final ImageFolder images;
    private final PluginRegistry plugins;
    private final ServerSettingsService settings;
    final Clock clock;
    final ExecutorService executor;
    private volatile Duration resume;
    private volatile boolean shareChunks;

    @Activate
    public ImageTransfers(@Reference AgentLink agents, @Reference ImageFolder images,
            @Reference PluginRegistry plugins, @Reference ServerSettingsService settings, Config config) {
        this(agents, images, plugins, settings, Duration.ofSeconds(config.resumeSeconds()), Clock.systemUTC());
        shareChunks = config.shareChunks();
    }

    public ImageTransfers(AgentLink agents, ImageFolder images, PluginRegistry plugins,
            ServerSettingsService settings, Duration resume, Clock clock) {
        this.agents = agents;
        this.images = images;
        this.plugins = plugins;
        this.settings = settings;
        this.resume = resume;
        this.shareChunks = true;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        // Few threads: each transfer uses one only while it creates, verifies, commits or opens an image.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "opendpm-image-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    @Modified
    void modified(Config config) {
        resume = Duration.ofSeconds(config.resumeSeconds());
        shareChunks = config.shareChunks();
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    public Duration resumeWindow() {
        return resume;
    }

    /** Whether new backups are manifests sharing the folder's chunk store (the default) or single files. */
    public boolean shareChunks() {
        return shareChunks;
    }

    /** For tests and the administrator's {@code shareChunks} setting. */
    void shareChunks(boolean share) {
        shareChunks = share;
    }

    /** What an image records of the machine, with the Deploy-OS it resolves to now. */
    public MachineFacts facts(Machine m) {
        String deployOs = plugins.resolveDeployOs(m.deployOs(), m.model(), settings.get().defaultDeployOs())
                .deployOs().id();
        return new MachineFacts(m.id(), m.name(), m.primaryMac(), m.uuid().orElse(""), m.model().orElse(""),
                deployOs);
    }

    /** Backs up disk ranges of the machine into a new image; see {@link org.opendpm.spi.AgentHandle#backup}. */
    public CompletionStage<ImageResult> backup(MachineFacts machine, Backup backup, TransferStep step,
            AgentReturn returns) {
        return new BackupTransfer(this, machine, backup, step, returns).start();
    }

    /** Restores an image onto the machine's disks; see {@link org.opendpm.spi.AgentHandle#restore}. */
    public CompletionStage<ImageResult> restore(MachineFacts machine, Restore restore, TransferStep step,
            AgentReturn returns) {
        return new RestoreTransfer(this, machine, restore, step, returns, null).start();
    }

    /**
     * Restores an image onto the machine's disks by multicast (IMG-3): the same checks and partition tables as
     * {@link #restore}, then the machine joins a session through {@code session} instead of being sent the chunks.
     */
    public CompletionStage<ImageResult> restoreByMulticast(MachineFacts machine, Restore restore, TransferStep step,
            MulticastJoin session) {
        return new RestoreTransfer(this, machine, restore, step, null, session).start();
    }

    /** The cause behind the wrappers a completion stage adds. */
    static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static String describe(Throwable t) {
        Throwable c = cause(t);
        return Optional.ofNullable(c.getMessage()).orElse(c.getClass().getSimpleName());
    }
}
