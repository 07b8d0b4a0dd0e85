/**
 * The inventory of managed machines (INV-1 to INV-10): machine groups, machines, the New Machine list, the
 * registration rule files and the CSV import/export. REST, the shell, network boot and the agent use it through
 * {@link org.opendpm.api.inventory.InventoryService}.
 */
@Version("1.3.0")
@Export
package org.opendpm.api.inventory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
