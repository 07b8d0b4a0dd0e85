package org.opendpm.packages.internal.webserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.ConflictException;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.packages.internal.repository.RepositoryClient;
import org.opendpm.packages.internal.repository.RepositoryIndex;
import org.opendpm.packages.internal.repository.TrustedKeys;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Package Web Server's download (PKG-3): the index is fetched and its signature verified, the changes are
 * planned against the packages this server registered before, every new or changed file is fetched into the staging
 * folder and checked, and only then is anything registered, through the registry's own path (which hashes each file
 * again on its way in). Packages the server no longer lists are deleted; an administrator's own packages are never
 * touched, and one of the same name refuses the download.
 */
final class ServerDownload {

    /** What one download changed, by package name. */
    record Changes(List<String> added, List<String> updated, List<String> deleted) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServerDownload.class);

    private record Owned(long packageId, String digest) {
    }

    private final Database database;
    private final PackageService registry;
    private final RepositoryClient client;
    private final List<TrustedKeys.Key> keys;
    private final Path staging;
    private final String serverId;

    ServerDownload(Database database, PackageService registry, RepositoryClient client, List<TrustedKeys.Key> keys,
            Path staging, String serverId) {
        this.database = database;
        this.registry = registry;
        this.client = client;
        this.keys = keys;
        this.staging = staging;
        this.serverId = serverId;
    }

    Changes run() throws IOException, InterruptedException {
        RepositoryIndex index = client.index(keys);
        Map<String, Owned> owned = owned();
        Set<String> listed = new HashSet<>();
        List<RepositoryIndex.Entry> toAdd = new ArrayList<>();
        List<RepositoryIndex.Entry> toUpdate = new ArrayList<>();
        for (RepositoryIndex.Entry e : index.packages()) {
            String key = e.spec().name().toLowerCase(Locale.ROOT);
            listed.add(key);
            Owned o = owned.get(key);
            if (o == null) {
                if (registry.find(e.spec().name()).isPresent()) {
                    throw new ConflictException("package " + e.spec().name() + " is already registered here and did"
                            + " not come from " + serverId + "; rename or delete one of them");
                }
                toAdd.add(e);
            } else if (!o.digest().equals(e.digest())) {
                toUpdate.add(e);
            }
        }
        Files.createDirectories(staging);
        Path folder = Files.createTempDirectory(staging, serverId + "-");
        try {
            Map<String, Path> staged = new HashMap<>();
            for (List<RepositoryIndex.Entry> list : List.of(toAdd, toUpdate)) {
                for (RepositoryIndex.Entry e : list) {
                    for (PackageFile f : e.files()) {
                        if (!staged.containsKey(f.sha256())) {
                            Path target = folder.resolve(f.sha256());
                            client.file(f, target);
                            staged.put(f.sha256(), target);
                        }
                    }
                }
            }
            Changes changes = new Changes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (RepositoryIndex.Entry e : toAdd) {
                add(e, staged);
                changes.added().add(e.spec().name());
            }
            for (RepositoryIndex.Entry e : toUpdate) {
                update(owned.get(e.spec().name().toLowerCase(Locale.ROOT)).packageId(), e, staged);
                changes.updated().add(e.spec().name());
            }
            for (Map.Entry<String, Owned> o : owned.entrySet()) {
                if (!listed.contains(o.getKey())) {
                    RegisteredPackage gone = registry.get(o.getValue().packageId());
                    registry.delete(gone.id());
                    changes.deleted().add(gone.name());
                }
            }
            return changes;
        } finally {
            deleteTree(folder);
        }
    }

    private void add(RepositoryIndex.Entry e, Map<String, Path> staged) throws IOException {
        RegisteredPackage p = registry.create(e.spec());
        try {
            addFiles(p.id(), e, staged);
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO package_origin (package_id, server_id,"
                        + " entry_sha256) VALUES (?, ?, ?)")) {
                    ps.setLong(1, p.id());
                    ps.setString(2, serverId);
                    ps.setString(3, e.digest());
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (IOException | RuntimeException failure) {
            // A half-registered package would look complete to a scenario: take it out again.
            registry.delete(p.id());
            throw failure;
        }
    }

    private void update(long id, RepositoryIndex.Entry e, Map<String, Path> staged) throws IOException {
        RegisteredPackage old = registry.update(id, e.spec());
        for (PackageFile f : old.files()) {
            registry.deleteFile(id, f.name());
        }
        addFiles(id, e, staged);
        // The digest changes last: a failure above leaves the old one, so the next download updates it again.
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE package_origin SET entry_sha256 = ?"
                    + " WHERE package_id = ?")) {
                ps.setString(1, e.digest());
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void addFiles(long id, RepositoryIndex.Entry e, Map<String, Path> staged) throws IOException {
        for (PackageFile f : e.files()) {
            try (InputStream in = Files.newInputStream(staged.get(f.sha256()))) {
                registry.addFile(id, f.name(), in, Optional.of(f.sha256()));
            }
        }
    }

    private Map<String, Owned> owned() {
        return database.inTransaction(c -> {
            Map<String, Owned> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT o.package_id, o.entry_sha256, p.name_key"
                    + " FROM package_origin o JOIN software_package p ON p.id = o.package_id WHERE o.server_id = ?")) {
                ps.setString(1, serverId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(3), new Owned(rs.getLong(1), rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    private static void deleteTree(Path folder) {
        try (var files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // Left behind, it costs only disk space; the download's own outcome matters more.
            LOG.warn("Cannot clean the staging folder {}: {}", folder, e.getMessage());
        }
    }
}
