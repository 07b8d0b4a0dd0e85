package org.opendpm.api.packages;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Package Web Servers (PKG-3): signed repositories the packages are downloaded from, every day at the time of the
 * {@link DownloadSettings} and on demand. Servers are visited in the order of their IDs ({@link #ID_ORDER}), one at a
 * time; a server's download is verified whole (the index's Ed25519 signature by a trusted key, every file's size and
 * SHA-256) before any of it is registered. Packages a server no longer lists are deleted, but only those that server
 * registered.
 *
 * <p>While a download runs, the servers and the settings cannot be changed ({@link org.opendpm.api.ConflictException});
 * {@link org.opendpm.api.ValidationException} names the field of a refused server or setting.
 */
@ProviderType
public interface PackageWebServers {

    /** Longest server ID. */
    int MAX_ID = 32;

    /** Most servers. */
    int MAX_SERVERS = 64;

    /** The scope of the Latest Download Information of the whole download. */
    String OVERALL = "*";

    /** The guide's order of server IDs: numbers before letters, ignoring case, then by code point. */
    Comparator<String> ID_ORDER = Comparator.<String, String>comparing(s -> s.toLowerCase(Locale.ROOT))
            .thenComparing(Comparator.naturalOrder());

    /** Every server, in the order of their IDs. */
    List<PackageWebServer> list();

    PackageWebServer get(String id);

    /** Adds a server; its {@code addedAt} is set here. */
    PackageWebServer add(PackageWebServer server);

    /** Changes the URL and whether it is enabled; the ID stays. */
    PackageWebServer update(PackageWebServer server);

    /** Removes a server; the packages it registered stay, as if an administrator had registered them. */
    void delete(String id);

    DownloadSettings settings();

    DownloadSettings changeSettings(DownloadSettings settings);

    /** Whether a download runs now. */
    boolean downloading();

    /** Starts a download of every enabled server in the background; refused while one runs. */
    void downloadNow();

    /** The Latest Download Information of one server ({@link #OVERALL} for the whole download). */
    Optional<DownloadReport> latest(String scope);
}
