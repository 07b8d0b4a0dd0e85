package org.opendpm.spi.descriptor;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.opendpm.spi.DeployOs;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** Reads Deploy-OS descriptors. */
public final class DeployOsDescriptor {

    private DeployOsDescriptor() {
    }

    /**
     * Parses a descriptor.
     *
     * @param source the XML
     * @param name where it came from, used in error messages
     * @return its entries in document order
     * @throws InvalidDescriptorException when the XML is malformed or an entry is incomplete
     */
    public static List<DeployOsEntry> parse(InputStream source, String name) throws IOException {
        Element root;
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            var builder = factory.newDocumentBuilder();
            // The default handler prints to stderr; errors are reported through the exception instead.
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            root = builder.parse(source).getDocumentElement();
        } catch (SAXParseException e) {
            throw new InvalidDescriptorException(name + ":" + e.getLineNumber() + ": " + e.getMessage());
        } catch (SAXException | ParserConfigurationException e) {
            throw new InvalidDescriptorException(name + ": " + e.getMessage());
        }
        if (!"deployos-models".equals(root.getTagName())) {
            throw new InvalidDescriptorException(name + ": root element must be <deployos-models>, not <"
                    + root.getTagName() + ">");
        }
        var entries = new ArrayList<DeployOsEntry>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element e)) {
                continue;
            }
            index++;
            String where = name + ": <" + e.getTagName() + "> #" + index;
            if (!"deployos".equals(e.getTagName())) {
                throw new InvalidDescriptorException(where + ": only <deployos> elements are allowed here");
            }
            String id = e.getAttribute("id").strip();
            if (id.isEmpty()) {
                throw new InvalidDescriptorException(where + ": attribute id is missing");
            }
            if (!ids.add(id)) {
                throw new InvalidDescriptorException(where + ": Deploy-OS " + id + " is declared twice");
            }
            int ranking = 0;
            if (e.hasAttribute("ranking")) {
                try {
                    ranking = Integer.parseInt(e.getAttribute("ranking").strip());
                } catch (NumberFormatException ex) {
                    throw new InvalidDescriptorException(where + ": ranking '" + e.getAttribute("ranking")
                            + "' is not a whole number");
                }
            }
            List<String> arch = List.of(e.getAttribute("architectures").strip().split("\\s+")).stream()
                    .filter(s -> !s.isEmpty()).toList();
            var models = new ArrayList<String>();
            var patterns = new ArrayList<String>();
            for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c instanceof Element m) {
                    String text = m.getTextContent().strip();
                    if (text.isEmpty()) {
                        throw new InvalidDescriptorException(where + ": empty <" + m.getTagName() + ">");
                    }
                    switch (m.getTagName()) {
                    case "model" -> models.add(text);
                    case "pattern" -> patterns.add(text);
                    default -> throw new InvalidDescriptorException(where + ": unknown element <"
                            + m.getTagName() + ">; expected <model> or <pattern>");
                    }
                }
            }
            if (models.isEmpty() && patterns.isEmpty()) {
                throw new InvalidDescriptorException(where + ": Deploy-OS " + id + " names no <model> or <pattern>");
            }
            var deployOs = new DeployOs(id, e.getAttribute("kernel"), e.getAttribute("initrd"),
                    e.getAttribute("arguments"), arch);
            entries.add(new DeployOsEntry(deployOs, models, patterns, ranking));
        }
        return List.copyOf(entries);
    }

    /** Whether a model name matches a glob pattern ({@code *} any run, {@code ?} one character), ignoring case. */
    public static boolean matches(String pattern, String model) {
        return globMatch(pattern.toLowerCase(java.util.Locale.ROOT), 0, model.toLowerCase(java.util.Locale.ROOT), 0);
    }

    /** Whether a key is a pattern rather than an exact model name. */
    public static boolean isPattern(String key) {
        return key.indexOf('*') >= 0 || key.indexOf('?') >= 0;
    }

    private static boolean globMatch(String p, int pi, String s, int si) {
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
