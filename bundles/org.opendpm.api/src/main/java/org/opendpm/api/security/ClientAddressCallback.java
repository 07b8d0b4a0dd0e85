package org.opendpm.api.security;

import javax.security.auth.callback.Callback;

/**
 * Asked by the {@code opendpm} JAAS login module for the address of the client that logs in, so that failed logins
 * are also counted per address by the {@link LoginThrottle}. A callback handler that does not know it (Karaf's SSH and
 * JMX ones) refuses it with {@link javax.security.auth.callback.UnsupportedCallbackException}, and then only the user
 * name counts.
 */
public class ClientAddressCallback implements Callback {

    private String address;

    /** The client's IP address as text, e.g. {@code 192.0.2.7}; null when unknown. */
    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }
}
