package org.opendpm.transfer.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.ProgressListener;

/** A request sent to an agent and not answered yet. */
final class Pending<T> {

    /** Turns the agent's answer into the request's result; a malformed answer is a protocol violation. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Message.Answer answer) throws LinkViolation;
    }

    final long id;
    final String requestType;
    final Class<? extends Message.Answer> answerType;
    final Reader<T> reader;
    final ProgressListener progress;
    final CompletableFuture<T> future = new CompletableFuture<>();
    /** Set on the event loop once the request's clock starts. */
    ScheduledFuture<?> timeout;
    /** Set on the event loop once the request is written. */
    boolean sent;

    Pending(long id, String requestType, Class<? extends Message.Answer> answerType, Reader<T> reader,
            ProgressListener progress) {
        this.id = id;
        this.requestType = requestType;
        this.answerType = answerType;
        this.reader = reader;
        this.progress = progress;
    }

    void complete(Message.Answer answer) throws LinkViolation {
        future.complete(reader.read(answer));
    }

    void fail(Throwable t) {
        future.completeExceptionally(t);
    }

    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
