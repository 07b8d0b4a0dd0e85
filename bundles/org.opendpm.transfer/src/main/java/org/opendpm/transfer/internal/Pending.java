package org.opendpm.transfer.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A request sent to an agent and not answered yet. */
final class Pending<T> {

    /** Turns the agent's answer into the request's result; a malformed answer is a protocol violation. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ObjectNode answer) throws ProtocolException;
    }

    final long id;
    final String requestType;
    final String answerType;
    final Reader<T> reader;
    final CompletableFuture<T> future = new CompletableFuture<>();
    /** Set on the event loop once the request's clock starts. */
    ScheduledFuture<?> timeout;

    Pending(long id, String requestType, String answerType, Reader<T> reader) {
        this.id = id;
        this.requestType = requestType;
        this.answerType = answerType;
        this.reader = reader;
    }

    void complete(ObjectNode answer) throws ProtocolException {
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
