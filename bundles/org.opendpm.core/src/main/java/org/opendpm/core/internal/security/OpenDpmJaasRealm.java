package org.opendpm.core.internal.security;

import java.util.HashMap;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.opendpm.api.security.LoginThrottle;
import org.opendpm.api.security.UserService;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The JAAS realm {@value #NAME}: users of the OpenDPM database. The REST API and the Karaf shell (over SSH) log in
 * through it, each login passing the {@link LoginThrottle} first.
 */
@Component(service = JaasRealm.class)
public class OpenDpmJaasRealm implements JaasRealm {

    public static final String NAME = "opendpm";

    private final AppConfigurationEntry[] entries;

    @Activate
    public OpenDpmJaasRealm(@Reference UserService users, @Reference LoginThrottle throttle, BundleContext context) {
        Map<String, Object> options = new HashMap<>();
        // Karaf's proxy loads the module class from this bundle; the module reads its collaborator from the options.
        options.put(ProxyLoginModule.PROPERTY_MODULE, UserServiceLoginModule.class.getName());
        options.put(ProxyLoginModule.PROPERTY_BUNDLE, Long.toString(context.getBundle().getBundleId()));
        options.put(UserServiceLoginModule.USER_SERVICE_OPTION, users);
        options.put(UserServiceLoginModule.THROTTLE_OPTION, throttle);
        entries = new AppConfigurationEntry[]{
                new AppConfigurationEntry(ProxyLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED, options) };
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getRank() {
        return 0;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        return entries.clone();
    }
}
