package org.opendpm.api.security;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered as a service once users can log in: the database has been ready and holds an administrator (on the
 * first start, once the first one is created). Until it is registered a login cannot succeed yet, so front ends
 * answer "starting" rather than refusing credentials that would be accepted a moment later. It stays registered
 * while the database goes away and comes back.
 */
@ProviderType
public interface LoginReady {
}
