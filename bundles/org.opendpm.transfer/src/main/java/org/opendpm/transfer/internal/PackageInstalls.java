package org.opendpm.transfer.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.PackageInstallRequest;
import org.opendpm.api.agent.PackageInstallResult;

/**
 * One package install through the link (PKG-2): {@code packageStage} gives the agent's folder for it, each file goes
 * there as file distribution sends files ({@link AgentLink#sendFile}, size and SHA-256 checked by the agent), then
 * {@code packageInstall} runs the installer. Cancelling the returned future cancels whichever request is open.
 */
final class PackageInstalls {

    private final AgentSessions sessions;
    private final AgentLink link;
    private final Supplier<Duration> requestTimeout;

    PackageInstalls(AgentSessions sessions, AgentLink link, Supplier<Duration> requestTimeout) {
        this.sessions = sessions;
        this.link = link;
        this.requestTimeout = requestTimeout;
    }

    CompletableFuture<PackageInstallResult> install(long machineId, PackageInstallRequest request) {
        Run run = new Run();
        run.step(() -> sessions.onSession(machineId, s -> s.request(id -> new Message.PackageStage(id,
                request.name()), Message.PackageStaged.class, requestTimeout.get(),
                a -> ((Message.PackageStaged) a).folder())))
                .thenCompose(folder -> send(run, machineId, folder, request.files(), 0))
                .thenCompose(folder -> run.step(() -> sessions.onSession(machineId, s -> s.request(
                        new Message.PackageInstall(s.newId(), folder, wire(request.installer()), names(request
                                .files()), request.command(), request.timeout().toSeconds()),
                        Message.PackageResult.class, request.timeout().plus(AgentLinkService.COMMAND_GRACE),
                        org.opendpm.api.agent.ProgressListener.NONE, a -> {
                            Message.PackageResult r = (Message.PackageResult) a;
                            return new PackageInstallResult(r.exitCode(), r.output(), Duration.ofMillis(r
                                    .millis()));
                        }))))
                .whenComplete((r, t) -> {
                    if (t == null) {
                        run.out.complete(r);
                    } else {
                        run.out.completeExceptionally(t instanceof CompletionException && t.getCause() != null
                                ? t.getCause()
                                : t);
                    }
                });
        return run.out;
    }

    private CompletableFuture<String> send(Run run, long machineId, String folder, List<Path> files, int next) {
        if (next == files.size()) {
            return CompletableFuture.completedFuture(folder);
        }
        return run.step(() -> link.sendFile(machineId, files.get(next), folder, "600"))
                .thenCompose(v -> send(run, machineId, folder, files, next + 1));
    }

    private static String wire(PackageInstallRequest.Installer installer) {
        return installer.name().toLowerCase(Locale.ROOT);
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }

    /** The outer future and the request open now, which its cancellation cancels. */
    private static final class Run {
        final CompletableFuture<PackageInstallResult> out = new CompletableFuture<>();
        final AtomicReference<CompletableFuture<?>> current = new AtomicReference<>();

        Run() {
            out.whenComplete((r, t) -> {
                CompletableFuture<?> c = current.get();
                if (out.isCancelled() && c != null) {
                    c.cancel(true);
                }
            });
        }

        <T> CompletableFuture<T> step(Supplier<? extends CompletionStage<T>> request) {
            if (out.isDone()) {
                return CompletableFuture.failedFuture(new CancellationException("the package install was stopped"));
            }
            CompletableFuture<T> f = request.get().toCompletableFuture();
            current.set(f);
            if (out.isCancelled()) {
                f.cancel(true);
            }
            return f;
        }
    }
}
