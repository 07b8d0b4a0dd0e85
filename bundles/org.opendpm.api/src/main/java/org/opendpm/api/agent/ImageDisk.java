package org.opendpm.api.agent;

/**
 * A disk an image read or write involves, as the agent found it.
 *
 * @param number the disk's number as the agent numbers disks (IMG-4)
 * @param sizeBytes its size in bytes
 * @param sectorSize its logical sector size in bytes
 */
public record ImageDisk(int number, long sizeBytes, int sectorSize) {
}
