package org.opendpm.api.packages;

/**
 * One file of a package, stored in the package area of the Folder for Image.
 *
 * @param name a plain file name
 * @param size its size in bytes
 * @param sha256 its SHA-256, lower-case hex, computed when it was uploaded and checked again before it is sent
 */
public record PackageFile(String name, long size, String sha256) {
}
