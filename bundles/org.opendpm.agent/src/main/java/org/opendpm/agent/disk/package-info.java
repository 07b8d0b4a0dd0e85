/**
 * The disk check (IMG-4) on the managed machine: {@link org.opendpm.agent.disk.LinuxDiskScanner} lists the disks,
 * reads their MBR or GPT partition tables from the devices and recognises the file systems in the partitions.
 */
package org.opendpm.agent.disk;
