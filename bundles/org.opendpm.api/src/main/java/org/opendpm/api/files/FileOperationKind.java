package org.opendpm.api.files;

/** What a file operation does on the machine. */
public enum FileOperationKind {
    SEND, DELETE
}
