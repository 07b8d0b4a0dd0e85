package org.opendpm.plugin.scenario.oslinux.internal.answer;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import org.opendpm.api.ValidationException;
import org.opendpm.api.os.OsType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import freemarker.cache.FileTemplateLoader;
import freemarker.core.InvalidReferenceException;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateNotFoundException;

/**
 * The answer file templates in their folder, rendered with FreeMarker in its strict ways: a variable that does not
 * exist stops the rendering (FreeMarker's default, kept), errors are thrown and never written into the output, and
 * templates cannot reach Java classes ({@code ?new} and {@code ?api} are off), since an administrator's file is not
 * code. An edited file is read again at its next use.
 */
public final class Templates {

    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);
    /** Where the shipped defaults are in this bundle. */
    static final String SHIPPED = "/org/opendpm/plugin/scenario/oslinux/templates/";
    /** Longest template file read, in bytes; answer files are a few kilobytes. */
    static final long MAX_TEMPLATE_BYTES = 256 * 1024;

    private final Path folder;
    private final Configuration config;

    public Templates(Path folder) throws IOException {
        this.folder = Files.createDirectories(folder);
        this.config = new Configuration(Configuration.VERSION_2_3_34);
        // FileTemplateLoader refuses names that resolve outside the folder, symbolic links included.
        config.setTemplateLoader(new FileTemplateLoader(folder.toFile()));
        config.setDefaultEncoding("UTF-8");
        config.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        config.setLogTemplateExceptions(false);
        config.setWrapUncheckedExceptions(true);
        config.setFallbackOnNullLoopVariable(false);
        config.setAPIBuiltinEnabled(false);
        config.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        config.setNumberFormat("computer");
        config.setLocalizedLookup(false);
        config.setTemplateUpdateDelayMilliseconds(0);
    }

    public Path folder() {
        return folder;
    }

    /**
     * Copies each shipped template the folder does not have yet; an administrator's file is never overwritten.
     * Returns how many were copied.
     */
    public int installDefaults() throws IOException {
        int copied = 0;
        for (OsType type : OsType.values()) {
            Path target = folder.resolve(type.templateName());
            if (Files.exists(target)) {
                continue;
            }
            try (InputStream in = Templates.class.getResourceAsStream(SHIPPED + type.templateName())) {
                if (in == null) {
                    continue; // no default for this type: an administrator writes one
                }
                Path tmp = Files.createTempFile(folder, "." + type.templateName(), ".partial");
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                copied++;
            }
        }
        if (copied > 0) {
            LOG.info("Installed {} default answer file templates in {}", copied, folder);
        }
        return copied;
    }

    /** Renders the type's template with the model; a broken template or an unknown variable names file and line. */
    public String render(OsType type, Map<String, Object> model) {
        String name = type.templateName();
        Path file = folder.resolve(name);
        try {
            if (Files.isRegularFile(file) && Files.size(file) > MAX_TEMPLATE_BYTES) {
                throw new ValidationException("template", "Template " + file + " has more than "
                        + MAX_TEMPLATE_BYTES + " bytes");
            }
            Template template = config.getTemplate(name);
            StringWriter out = new StringWriter();
            template.process(model, out);
            return out.toString();
        } catch (TemplateNotFoundException e) {
            throw new ValidationException("template", "No answer file template for " + type.displayName() + ": "
                    + file + " does not exist");
        } catch (ParseException e) {
            throw new ValidationException("template", "Template " + file + " line " + e.getLineNumber()
                    + " does not parse: " + firstLine(e.getEditorMessage()));
        } catch (InvalidReferenceException e) {
            throw new ValidationException("template", "Template " + file + " line " + e.getLineNumber() + " uses "
                    + e.getBlamedExpressionString() + ", which is not defined");
        } catch (TemplateException e) {
            throw new ValidationException("template", "Template " + file + " line " + e.getLineNumber() + ": "
                    + firstLine(e.getMessageWithoutStackTop()));
        } catch (IOException e) {
            throw new ValidationException("template", "Template " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
