package org.opendpm.spi.testkit;

/** A plugin broke a rule of the SPI; the message says which. */
public class PluginAssertionError extends AssertionError {
    private static final long serialVersionUID = 1L;

    public PluginAssertionError(String message) {
        super(message);
    }

    public PluginAssertionError(String message, Throwable cause) {
        super(message, cause);
    }
}
