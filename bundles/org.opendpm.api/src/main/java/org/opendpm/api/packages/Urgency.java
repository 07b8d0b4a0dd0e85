package org.opendpm.api.packages;

/** How urgent a package is (PKG-1); automatic update (PKG-4) applies high and highest. */
public enum Urgency {
    HIGHEST, HIGH, NORMAL, LOW
}
