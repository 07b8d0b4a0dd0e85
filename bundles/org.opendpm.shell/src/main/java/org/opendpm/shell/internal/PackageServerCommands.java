package org.opendpm.shell.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.packages.DownloadReport;
import org.opendpm.api.packages.DownloadSettings;
import org.opendpm.api.packages.PackageWebServer;
import org.opendpm.api.packages.PackageWebServers;

/**
 * dpm:package-server-*: Package Web Servers (PKG-3), the download settings, "download now" and the Latest Download
 * Information.
 */
public final class PackageServerCommands {

    private PackageServerCommands() {
    }

    static String list(List<PackageWebServer> servers, PackageWebServers all) {
        if (servers.isEmpty()) {
            return "No Package Web Server is registered\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s %-8s %-9s %s%n", "Server ID", "Enabled",
                "Latest", "URL"));
        for (PackageWebServer s : servers) {
            String latest = all.latest(s.id()).map(r -> r.success() ? "success" : "FAILED").orElse("-");
            sb.append(String.format(Locale.ROOT, "%-32s %-8s %-9s %s%n", s.id(), s.enabled() ? "yes" : "no", latest,
                    s.url()));
        }
        return sb.toString();
    }

    static String report(Optional<DownloadReport> report) {
        if (report.isEmpty()) {
            return "No download has run yet\n";
        }
        DownloadReport r = report.get();
        StringBuilder sb = new StringBuilder();
        sb.append(r.success() ? "Success" : "FAILED").append(" at ").append(r.finishedAt()).append(" (started ")
                .append(r.startedAt()).append("): ").append(r.message()).append('\n');
        sb.append("  added:   ").append(String.join(", ", r.added())).append('\n');
        sb.append("  updated: ").append(String.join(", ", r.updated())).append('\n');
        sb.append("  deleted: ").append(String.join(", ", r.deleted())).append('\n');
        return sb.toString();
    }

    static URI url(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a URL: " + e.getMessage());
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-list", description = "Lists the Package Web Servers in download"
            + " order (server ID, numbers before letters)")
    public static class ServerList implements Action {
        @Reference
        PackageWebServers servers;

        @Override
        public Object execute() {
            try {
                System.out.print(list(servers.list(), servers));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-add", description = "Adds a Package Web Server (PKG-3)")
    public static class ServerAdd implements Action {
        @Reference
        PackageWebServers servers;

        @Argument(index = 0, name = "id", required = true, description = "1 to 32 letters and digits")
        String id;

        @Argument(index = 1, name = "url", required = true, description = "The repository's folder, http:// or"
                + " https://")
        String url;

        @Option(name = "--disabled", description = "Added but not visited by downloads")
        boolean disabled;

        @Override
        public Object execute() {
            try {
                PackageWebServer s = servers.add(new PackageWebServer(id, url(url), !disabled, null));
                System.out.println("Package Web Server " + s.id() + " added: " + s.url());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-set", description = "Changes a Package Web Server's URL or"
            + " whether it is enabled; options left out keep their value")
    public static class ServerSet implements Action {
        @Reference
        PackageWebServers servers;

        @Argument(index = 0, name = "id", required = true, description = "The server ID")
        String id;

        @Option(name = "--url", description = "The repository's folder")
        String url;

        @Option(name = "--enabled", description = "true or false")
        String enabled;

        @Override
        public Object execute() {
            try {
                PackageWebServer old = servers.get(id);
                boolean on = enabled == null ? old.enabled() : parseBoolean(enabled);
                PackageWebServer s = servers.update(new PackageWebServer(old.id(), url == null ? old.url() : url(url),
                        on, null));
                System.out.println("Package Web Server " + s.id() + ": " + s.url() + (s.enabled()
                        ? ", enabled"
                        : ", disabled"));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    static boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("true or false, not " + text);
    }

    @Service
    @Command(scope = "dpm", name = "package-server-remove", description = "Removes a Package Web Server; the packages"
            + " it registered stay")
    public static class ServerRemove implements Action {
        @Reference
        PackageWebServers servers;

        @Argument(index = 0, name = "id", required = true, description = "The server ID")
        String id;

        @Override
        public Object execute() {
            try {
                servers.delete(id);
                System.out.println("Package Web Server " + id + " removed");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-settings", description = "Shows or changes the package download"
            + " settings (automatic download and its daily time)")
    public static class ServerSettings implements Action {
        @Reference
        PackageWebServers servers;

        @Option(name = "--automatic", description = "true or false")
        String automatic;

        @Option(name = "--time", description = "The daily time, HH:MM in the server's time zone")
        String time;

        @Override
        public Object execute() {
            try {
                DownloadSettings s = servers.settings();
                if (automatic != null || time != null) {
                    s = servers.changeSettings(new DownloadSettings(automatic == null
                            ? s.automatic()
                            : parseBoolean(automatic), time == null ? s.time() : DownloadSettings.time(time)));
                }
                System.out.println("Automatic download: " + (s.automatic() ? "daily at " + s.time() : "off")
                        + (servers.downloading() ? "; a download is running" : ""));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-download", description = "Downloads now from every enabled"
            + " Package Web Server, in server ID order")
    public static class ServerDownload implements Action {
        @Reference
        PackageWebServers servers;

        @Override
        public Object execute() {
            try {
                servers.downloadNow();
                System.out.println("Download started; dpm:package-server-latest shows its outcome once it ends");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-server-latest", description = "Shows the Latest Download Information of"
            + " one server, or of the whole download")
    public static class ServerLatest implements Action {
        @Reference
        PackageWebServers servers;

        @Argument(index = 0, name = "id", description = "The server ID; the whole download when left out")
        String id;

        @Override
        public Object execute() {
            try {
                if (id != null) {
                    servers.get(id);
                }
                if (servers.downloading()) {
                    System.out.println("A download is running now; the latest that ended:");
                }
                System.out.print(report(servers.latest(id == null ? PackageWebServers.OVERALL : id)));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }
}
