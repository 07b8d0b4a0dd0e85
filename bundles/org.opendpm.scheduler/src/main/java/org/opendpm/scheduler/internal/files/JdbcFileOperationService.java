package org.opendpm.scheduler.internal.files;

import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.files.FileOperation;
import org.opendpm.api.files.FileOperationKind;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.api.files.FileOperationState;
import org.opendpm.api.files.ServerFile;
import org.opendpm.scheduler.internal.engine.ExecutionTable;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File distribution (FIL-1, FIL-2) over the agent link. An operation is recorded as running before it is sent and
 * ended by the agent's answer, so the result list shows every operation, also those the agent never answered (they
 * end with the link's error).
 */
@Component(service = FileOperationService.class, immediate = true)
public class JdbcFileOperationService implements FileOperationService {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcFileOperationService.class);
    private static final Pattern PERMISSIONS = Pattern.compile("[0-7]{3}");
    private static final int MAX_PATH = 1024;
    private static final String COLUMNS = "id, machine_id, machine_name, kind, source, target, permissions, state, "
            + "requested_by, started_at, ended_at, message";

    private final Database database;
    private final InventoryService inventory;
    private final AgentLink agents;
    private final ServerFiles files;

    @Activate
    public JdbcFileOperationService(@Reference Database database, @Reference InventoryService inventory,
            @Reference AgentLink agents, @Reference ServerFiles files) {
        this.database = database;
        this.inventory = inventory;
        this.agents = agents;
        this.files = files;
        endInterrupted();
    }

    /** Operations a previous run of the server sent and never heard back about end as failed. */
    private void endInterrupted() {
        try {
            int n = database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE file_operation SET state = 'FAILED', "
                        + "ended_at = ?, message = ? WHERE state = 'RUNNING'")) {
                    ps.setTimestamp(1, Timestamp.from(Instant.now()));
                    ps.setString(2, "The server stopped before the agent answered");
                    return ps.executeUpdate();
                }
            });
            if (n > 0) {
                LOG.warn("{} file operation(s) were running when the server stopped; ended as failed", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not end file operations left running: {}", e.getMessage());
        }
    }

    @Override
    public List<ServerFile> serverFiles() {
        return files.list();
    }

    @Override
    public ServerFile storeServerFile(String name, InputStream content) {
        ServerFile stored = files.store(name, content);
        LOG.info("Server file {} stored ({} bytes)", stored.name(), stored.size());
        return stored;
    }

    @Override
    public boolean deleteServerFile(String name) {
        return files.delete(name);
    }

    @Override
    public List<FileOperation> send(List<Long> machineIds, String serverFile, String targetFolder,
            String permissions, String requestedBy) {
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(machineIds));
        if (ids.isEmpty()) {
            throw new ValidationException("machineIds", "At least one machine is required");
        }
        Path source = files.resolve(serverFile);
        checkPath("targetFolder", targetFolder);
        if (permissions == null || !PERMISSIONS.matcher(permissions).matches()) {
            throw new ValidationException("permissions", "must be three octal digits such as 640, not "
                    + permissions);
        }
        List<Machine> machines = ids.stream().map(inventory::machine).toList();
        List<FileOperation> started = new ArrayList<>();
        for (Machine m : machines) {
            FileOperation op = record(m, FileOperationKind.SEND, serverFile, targetFolder, permissions, requestedBy);
            started.add(op);
            follow(op, agents.sendFile(m.id(), source, targetFolder, permissions));
        }
        return started;
    }

    @Override
    public FileOperation delete(long machineId, String path, String requestedBy) {
        checkPath("path", path);
        Machine m = inventory.machine(machineId);
        FileOperation op = record(m, FileOperationKind.DELETE, "", path, "", requestedBy);
        follow(op, agents.deleteFile(machineId, path));
        return op;
    }

    @Override
    public List<RemoteFile> list(long machineId, String folder) {
        checkPath("folder", folder);
        inventory.machine(machineId);
        try {
            return agents.listFolder(machineId, folder).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentUnavailableException("Interrupted while waiting for the agent");
        } catch (TimeoutException e) {
            throw new AgentUnavailableException("The agent did not list " + folder + " within 30 s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OpenDpmException) {
                throw (OpenDpmException) cause;
            }
            throw new AgentRequestException("Listing " + folder + " failed: " + cause);
        }
    }

    @Override
    public FileOperation operation(long id) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM file_operation WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<FileOperation>empty();
                }
            }
        }).orElseThrow(() -> new NotFoundException("No file operation with id " + id));
    }

    @Override
    public List<FileOperation> operations(Optional<Long> machineId, int offset, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("limit", "must be from 1 to 1000, not " + limit);
        }
        if (offset < 0) {
            throw new ValidationException("offset", "must not be negative");
        }
        return database.inTransaction(c -> {
            List<FileOperation> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM file_operation"
                    + (machineId.isPresent() ? " WHERE machine_id = ?" : "") + " ORDER BY id DESC OFFSET " + offset
                    + " ROWS FETCH NEXT " + limit + " ROWS ONLY")) {
                if (machineId.isPresent()) {
                    ps.setLong(1, machineId.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(row(rs));
                    }
                }
            }
            return rows;
        });
    }

    private static void checkPath(String field, String path) {
        if (path == null || path.isBlank()) {
            throw new ValidationException(field, "A path on the machine is required");
        }
        if (path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
            throw new ValidationException(field, "must be at most " + MAX_PATH + " characters without NUL");
        }
        boolean absolute = path.startsWith("/") || path.matches("^[A-Za-z]:[\\\\/].*");
        if (!absolute) {
            throw new ValidationException(field, "must be an absolute path (/srv/app or C:\\app), not " + path);
        }
    }

    private FileOperation record(Machine m, FileOperationKind kind, String source, String target, String permissions,
            String requestedBy) {
        Instant now = Instant.now();
        long id = database.inTransaction(c -> {
            long next = ExecutionTable.lockAndReserve(c, 1);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO file_operation (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '')")) {
                ps.setLong(1, next);
                ps.setLong(2, m.id());
                ps.setString(3, m.name());
                ps.setString(4, kind.name());
                ps.setString(5, source);
                ps.setString(6, target);
                ps.setString(7, permissions);
                ps.setString(8, FileOperationState.RUNNING.name());
                ps.setString(9, ExecutionTable.cut(requestedBy, 255));
                ps.setTimestamp(10, Timestamp.from(now));
                ps.executeUpdate();
            }
            return next;
        });
        return new FileOperation(id, m.id(), m.name(), kind, source, target, permissions, FileOperationState.RUNNING,
                requestedBy, now, Optional.empty(), "");
    }

    private void follow(FileOperation op, CompletionStage<?> answer) {
        answer.whenComplete((v, t) -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            String message = cause == null
                    ? ""
                    : cause instanceof OpenDpmException ? cause.getMessage() : cause.toString();
            try {
                database.inTransaction(c -> end(c, op.id(),
                        cause == null ? FileOperationState.SUCCEEDED : FileOperationState.FAILED, message));
            } catch (RuntimeException e) {
                LOG.error("File operation {} could not be recorded as ended: {}", op.id(), e.getMessage());
            }
            if (cause != null) {
                LOG.warn("File operation {} ({} {} on {}) failed: {}", op.id(), op.kind(), op.target(),
                        op.machineName(), message);
            }
        });
    }

    private static int end(Connection c, long id, FileOperationState state, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE file_operation SET state = ?, ended_at = ?, message = ? WHERE id = ? AND state = 'RUNNING'")) {
            ps.setString(1, state.name());
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setString(3, ExecutionTable.cut(message, ExecutionTable.MAX_MESSAGE));
            ps.setLong(4, id);
            return ps.executeUpdate();
        }
    }

    private static FileOperation row(ResultSet rs) throws SQLException {
        Timestamp ended = rs.getTimestamp(11);
        return new FileOperation(rs.getLong(1), rs.getLong(2), rs.getString(3),
                FileOperationKind.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                FileOperationState.valueOf(rs.getString(8)), rs.getString(9), rs.getTimestamp(10).toInstant(),
                ended == null ? Optional.empty() : Optional.of(ended.toInstant()), rs.getString(12));
    }
}
