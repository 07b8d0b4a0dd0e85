package org.opendpm.netboot.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.opendpm.netboot.internal.http.HttpBoot;
import org.opendpm.netboot.internal.http.PublishedLookup;
import org.opendpm.netboot.internal.tftp.FileJail;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The HTTP boot endpoint at {@value #PATTERN} on Karaf's HTTP whiteboard (see {@link HttpBoot} for what it serves).
 * It carries no authentication: boot firmware cannot log in, and nothing here changes state except that a machine
 * is reported as seen, which is what a PXE DHCP packet does too. Published files are reached by their unguessable
 * token only. A configuration change re-creates the component.
 */
@Component(service = Servlet.class, configurationPid = HttpBootServlet.PID,
        property = { "osgi.http.whiteboard.servlet.pattern=" + HttpBootServlet.PATTERN,
                "osgi.http.whiteboard.servlet.name=opendpm-boot" })
@Designate(ocd = HttpBootServlet.Config.class)
public final class HttpBootServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    public static final String PID = "org.opendpm.netboot.http";
    static final String PATTERN = "/opendpm/boot/*";

    @ObjectClassDefinition(name = "OpenDPM HTTP boot", description = "iPXE scripts and boot files over HTTP")
    public @interface Config {
        @AttributeDefinition(name = "Root folder",
                description = "The folder served (the same as TFTP's by default); nothing outside it is readable")
        String rootFolder() default "${karaf.data}/tftp";

        @AttributeDefinition(name = "Advertised address",
                description = "Host name or IP address machines reach this server at, given to the Deploy-OS on its kernel command line (opendpm.server); empty = the address each boot request came in on, unless that is a wildcard or loopback address")
        String advertisedAddress() default "";
    }

    private final transient HttpBoot http;

    @Activate
    public HttpBootServlet(Config config, @Reference BootService boot, @Reference PublishedLookup published)
            throws IOException {
        Path root = TftpServerComponent.resolveRoot(config.rootFolder(), System.getProperty("karaf.data"));
        Files.createDirectories(root);
        this.http = new HttpBoot(boot, new FileJail(root, ""), published);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        HttpBoot.Reply reply = http.handle(new HttpBoot.Request(req.getMethod(), path, req.getQueryString(),
                Optional.ofNullable(req.getHeader("Range")), localAddress(req),
                Optional.ofNullable(req.getHeader("Host"))));
        resp.setStatus(reply.status());
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            resp.setHeader(h.getKey(), h.getValue());
        }
        resp.setContentLengthLong(reply.contentLength());
        if (reply.hasBody()) {
            try (OutputStream out = resp.getOutputStream()) {
                reply.writeBody(out);
            }
        }
    }

    private static Optional<InetAddress> localAddress(HttpServletRequest req) {
        try {
            // An IP literal from the container: no name lookup happens.
            String local = req.getLocalAddr();
            return local == null ? Optional.empty() : Optional.of(InetAddress.getByName(local));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
