package org.opendpm.core.internal.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.opendpm.spi.DeployOs;
import org.opendpm.spi.DeployOsModel;
import org.opendpm.spi.descriptor.DeployOsDescriptor;
import org.opendpm.spi.descriptor.DeployOsEntry;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the Deploy-OS descriptor of each active vendor bundle into {@link DeployOsModel} services registered in that
 * bundle's name, so a vendor ships a descriptor and no code, and the services come and go with the bundle.
 */
@Component(immediate = true)
public class DeployOsDescriptorExtender {

    private static final Logger LOG = LoggerFactory.getLogger(DeployOsDescriptorExtender.class);

    private final BundleTracker<List<ServiceRegistration<DeployOsModel>>> tracker;

    @Activate
    public DeployOsDescriptorExtender(BundleContext context) {
        tracker = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public List<ServiceRegistration<DeployOsModel>> addingBundle(Bundle bundle, BundleEvent event) {
                String path = bundle.getHeaders("").get(DeployOsModel.DESCRIPTOR_HEADER);
                return path == null ? null : register(bundle, path.strip());
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event,
                    List<ServiceRegistration<DeployOsModel>> registrations) {
                unregister(bundle, registrations);
            }
        };
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    private static List<ServiceRegistration<DeployOsModel>> register(Bundle bundle, String path) {
        URL url = bundle.getEntry(path);
        if (url == null) {
            LOG.error("Bundle {} names Deploy-OS descriptor {} in {}, but has no such entry", bundle.getSymbolicName(),
                    path, DeployOsModel.DESCRIPTOR_HEADER);
            return null;
        }
        List<DeployOsEntry> entries;
        try (InputStream in = url.openStream()) {
            entries = DeployOsDescriptor.parse(in, bundle.getSymbolicName() + "/" + path);
        } catch (IOException e) {
            LOG.error("Deploy-OS descriptor of bundle {} is not used: {}", bundle.getSymbolicName(), e.getMessage());
            return null;
        }
        BundleContext ctx = bundle.getBundleContext();
        var registrations = new ArrayList<ServiceRegistration<DeployOsModel>>();
        for (DeployOsEntry entry : entries) {
            var props = new Hashtable<String, Object>();
            props.put(DeployOsModel.PROPERTY, entry.keys().toArray(String[]::new));
            props.put(Constants.SERVICE_RANKING, entry.ranking());
            props.put("opendpm.deployos.id", entry.deployOs().id());
            registrations.add(ctx.registerService(DeployOsModel.class, new DescribedDeployOs(entry.deployOs()),
                    props));
        }
        LOG.info("Bundle {} {} provides {} Deploy-OS entries from {}", bundle.getSymbolicName(), bundle.getVersion(),
                entries.size(), path);
        return registrations;
    }

    private static void unregister(Bundle bundle, List<ServiceRegistration<DeployOsModel>> registrations) {
        for (ServiceRegistration<DeployOsModel> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework unregisters a stopping bundle's services itself.
            }
        }
        LOG.info("Deploy-OS entries of bundle {} withdrawn", bundle.getSymbolicName());
    }

    /** A Deploy-OS read from a descriptor. */
    private record DescribedDeployOs(DeployOs deployOs) implements DeployOsModel {
    }
}
