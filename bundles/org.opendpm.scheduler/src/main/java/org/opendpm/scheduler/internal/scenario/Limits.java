package org.opendpm.scheduler.internal.scenario;

/**
 * The scenario group limits (SCN-1 [2.3]). Always {@link #GUIDE} in service; tests pass smaller ones so the code at
 * the limit runs in milliseconds.
 */
public record Limits(int maxGroups, int maxLayers) {

    public static final Limits GUIDE = new Limits(1000, 20);

    String groups() {
        return "the limit of " + maxGroups + " scenario groups in total (sub-groups included)";
    }

    String layers() {
        return "the limit of " + maxLayers + " layers of scenario groups";
    }
}
