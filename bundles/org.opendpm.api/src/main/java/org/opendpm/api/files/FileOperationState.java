package org.opendpm.api.files;

/** Where a file operation is. */
public enum FileOperationState {
    RUNNING, SUCCEEDED, FAILED
}
