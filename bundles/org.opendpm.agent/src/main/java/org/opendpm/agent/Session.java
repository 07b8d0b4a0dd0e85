package org.opendpm.agent;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A welcomed connection: reads the server's frames and answers its requests. Commands and power actions run on
 * worker threads so that heartbeats and other requests continue meanwhile; file data is written on the reader
 * thread, in order.
 */
final class Session implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Session.class.getName());
    static final String SIMULATED_OUTPUT = "simulated";

    private final AgentContext ctx;
    private final FrameChannel channel;
    private final boolean simulated;
    private final boolean execute;
    private final FileReceiver files;

    Session(AgentContext ctx, FrameChannel channel, boolean simulated) {
        this.ctx = ctx;
        this.channel = channel;
        this.simulated = simulated;
        this.execute = !simulated || ctx.config.simulateExec();
        this.files = new FileReceiver(execute);
    }

    /** Returns when the server closes the connection; throws when it breaks or falls silent. */
    void readLoop() throws IOException {
        FrameChannel.Frame f;
        while ((f = channel.read()) != null) {
            if (f.type() == FrameChannel.DATA) {
                data(f.payload());
            } else {
                control(Json.parse(f.payload()));
            }
        }
    }

    void heartbeat() {
        try {
            channel.trySend(Json.object("heartbeat"));
        } catch (IOException e) {
            // The reader sees the broken connection too and reconnects.
            channel.close();
        }
    }

    private void data(byte[] payload) {
        long transferId = FrameChannel.transferId(payload);
        try {
            if (!files.data(transferId, payload, 8, payload.length - 8)) {
                LOG.warning("Data frame for transfer " + transferId + ", which is not open; ignored");
            }
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileBegin", e.getMessage());
        }
    }

    private void control(ObjectNode m) throws ProtocolException {
        String type = m.get("type").asText();
        switch (type) {
            case "heartbeat":
                return;
            case "error":
                LOG.warning("The server reported an error: " + m.path("code").asText("?") + ": "
                        + m.path("message").asText(""));
                return;
            case "welcome":
            case "registered":
                throw new ProtocolException("'" + type + "' in an open session");
            default:
                break;
        }
        JsonNode idNode = m.get("id");
        if (idNode == null || !idNode.isIntegralNumber() || !idNode.canConvertToLong()) {
            LOG.warning("Ignored a '" + type + "' message without a numeric id");
            return;
        }
        long id = idNode.asLong();
        LOG.fine(() -> "Request " + id + ": " + m);
        try {
            switch (type) {
                case "command":
                    command(id, Json.text(m, "commandLine"), Json.number(m, "timeoutSeconds"));
                    break;
                case "power":
                    power(id, Json.text(m, "action"));
                    break;
                case "fileBegin":
                    fileBegin(id, m);
                    break;
                case "fileEnd":
                    fileEnd(id, Json.number(m, "transferId"));
                    break;
                case "deleteFile":
                    FileOperations.deleteFile(Json.text(m, "path"), execute);
                    send(ackMessage(id), id);
                    break;
                case "listFolder":
                    send(FileOperations.listFolder(id, Json.text(m, "path")), id);
                    break;
                default:
                    // A newer server may ask for more; it learns we cannot, and the link stays.
                    error(id, type, "unsupported request type " + type);
                    break;
            }
        } catch (Json.BadRequestException e) {
            error(id, type, type + ": " + e.getMessage());
        } catch (FileOperations.OperationFailure e) {
            error(id, type, e.getMessage());
        }
    }

    private void command(long id, String commandLine, long timeoutSeconds) throws Json.BadRequestException {
        if (timeoutSeconds < 1) {
            throw new Json.BadRequestException("timeoutSeconds must be at least 1");
        }
        if (!execute) {
            commandResult(id, 0, SIMULATED_OUTPUT);
            return;
        }
        try {
            ctx.workers.execute(() -> {
                CommandRunner.Result r;
                try {
                    r = ctx.commands.run(commandLine, timeoutSeconds);
                } catch (IOException e) {
                    error(id, "command", "cannot run '" + commandLine + "': " + e.getMessage());
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                commandResult(id, r.exitCode(), r.output());
            });
        } catch (RejectedExecutionException e) {
            error(id, "command", "the agent is shutting down");
        }
    }

    private void commandResult(long id, int exitCode, String output) {
        ObjectNode r = Json.object("commandResult");
        r.put("id", id);
        r.put("exitCode", exitCode);
        r.put("output", output);
        if (send(r, id)) {
            ctx.stats.commandsAnswered.incrementAndGet();
        }
    }

    private void power(long id, String action) throws Json.BadRequestException {
        if (!ctx.power.knows(action)) {
            throw new Json.BadRequestException("unknown action '" + action + "' (shutdown or reboot)");
        }
        if (!send(ackMessage(id), id)) {
            return;
        }
        if (simulated) {
            LOG.fine("Simulated agent: power action " + action + " acknowledged only");
            return;
        }
        // A moment for the acknowledgement to leave before the system goes down.
        ctx.timer.schedule(() -> ctx.workers.execute(() -> ctx.power.carryOut(action)), 500,
                TimeUnit.MILLISECONDS);
    }

    private void fileBegin(long id, ObjectNode m) throws Json.BadRequestException {
        long transferId = Json.number(m, "transferId");
        String folder = Json.text(m, "folder");
        String name = Json.text(m, "name");
        long size = Json.number(m, "size");
        String sha256 = Json.text(m, "sha256");
        JsonNode p = m.get("permissions");
        if (p != null && !p.isNull() && !p.isTextual()) {
            throw new Json.BadRequestException("member 'permissions' is not a string");
        }
        try {
            files.begin(id, transferId, folder, name, size, sha256, p == null || p.isNull() ? null : p.asText());
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileBegin", e.getMessage());
        }
    }

    private void fileEnd(long id, long transferId) {
        try {
            long answered = files.end(id, transferId);
            if (answered >= 0 && send(ackMessage(answered), answered)) {
                ctx.stats.filesReceived.incrementAndGet();
            }
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileEnd", e.getMessage());
        }
    }

    private static ObjectNode ackMessage(long id) {
        ObjectNode a = Json.object("ack");
        a.put("id", id);
        return a;
    }

    private void error(long id, String requestType, String message) {
        LOG.info("Request " + id + " (" + requestType + ") refused: " + message);
        ObjectNode e = Json.object("error");
        e.put("id", id);
        e.put("code", "failed");
        e.put("message", message);
        send(e, id);
    }

    private boolean send(ObjectNode message, long id) {
        try {
            channel.send(message);
            return true;
        } catch (IOException e) {
            LOG.log(Level.INFO, "The answer to request " + id + " could not be sent: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        files.abortAll();
    }
}
