package org.opendpm.plugin.scenario.hwsetting.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.plugin.scenario.hwsetting.internal.images.JdbcHwImages;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered HW setting images at {@code /opendpm/hw-setting/<name>.img} (floppy) and {@code <name>.efi} (EFI
 * application), read-only and unauthenticated as boot firmware fetches them, like the boot root's files. Only a
 * registered image's own file is served; nothing is listed. Each file served is logged with the address that asked,
 * which is the request log of HW setting boots.
 */
@Component(service = Servlet.class, property = { "osgi.http.whiteboard.servlet.pattern=/opendpm/hw-setting/*",
        "osgi.http.whiteboard.servlet.name=opendpm-hw-setting" })
public final class HwImageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** Where the images are, below the server's HTTP root. */
    public static final String PATH = "/opendpm/hw-setting/";
    private static final Logger LOG = LoggerFactory.getLogger(HwImageServlet.class);
    private static final Pattern FILE = Pattern.compile("/([A-Za-z0-9._-]{1,8})\\.(img|efi)");

    private final transient JdbcHwImages images;

    @Activate
    public HwImageServlet(@Reference JdbcHwImages images) {
        this.images = images;
    }

    /** The path of an image below the server's HTTP root. */
    public static String path(HwImage image) {
        return PATH + image.name().toLowerCase(java.util.Locale.ROOT)
                + (image.kind() == HwImageKind.FLOPPY ? ".img" : ".efi");
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean head = req.getMethod().equals("HEAD");
        if (!head && !req.getMethod().equals("GET")) {
            text(resp, 405, "read-only\n");
            return;
        }
        Matcher m = FILE.matcher(req.getPathInfo() == null ? "" : req.getPathInfo());
        if (!m.matches()) {
            text(resp, 404, "not found\n");
            return;
        }
        HwImageKind kind = m.group(2).equals("img") ? HwImageKind.FLOPPY : HwImageKind.EFI_APPLICATION;
        Optional<Path> file;
        HwImage image;
        try {
            image = images.find(m.group(1)).filter(i -> i.kind() == kind).orElse(null);
            file = image == null ? Optional.empty() : images.file(image);
        } catch (OpenDpmException e) {
            LOG.warn("HW setting HTTP: {}", e.getMessage());
            text(resp, 503, "unavailable\n");
            return;
        }
        if (file.isEmpty()) {
            LOG.info("HW setting HTTP: no registered image for {}", m.group(0));
            text(resp, 404, "not found\n");
            return;
        }
        long size = Files.size(file.get());
        resp.setStatus(200);
        resp.setContentType("application/octet-stream");
        resp.setContentLengthLong(size);
        if (!head) {
            try (InputStream in = Files.newInputStream(file.get()); OutputStream out = resp.getOutputStream()) {
                in.transferTo(out);
            }
            LOG.info("served HW setting image {} ({} bytes) to {}", image.name(), size, req.getRemoteAddr());
        }
    }

    private static void text(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/plain; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(b.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(b);
        }
    }
}
