package org.opendpm.api.boot;

import org.osgi.annotation.versioning.ProviderType;

/** The network boot servers' counters, for the REST status endpoint and the shell. */
@ProviderType
public interface BootStatusService {

    /** The counters now; cheap enough to call per request. */
    BootStatus status();
}
