/**
 * The OpenDPM plugin SPI.
 *
 * <p>A plugin is an OSGi service of one of the kinds below, selected by a service property whose name is a
 * constant of its interface:
 * <ul>
 * <li>{@link org.opendpm.spi.ScenarioType} ({@value org.opendpm.spi.ScenarioType#PROPERTY}) — a scenario tab and
 * the steps that carry it out;</li>
 * <li>{@link org.opendpm.spi.DeployOsModel} ({@value org.opendpm.spi.DeployOsModel#PROPERTY}) — which Deploy-OS a
 * machine model boots;</li>
 * <li>{@link org.opendpm.spi.BootProtocol} ({@value org.opendpm.spi.BootProtocol#PROPERTY}) — what a booting client
 * is sent;</li>
 * <li>{@link org.opendpm.spi.PowerControl} ({@value org.opendpm.spi.PowerControl#PROPERTY}) — power on, off, reset
 * and status.</li>
 * </ul>
 *
 * <h2>Selection</h2>
 * When several services claim the same key, the one with the highest {@code service.ranking} wins; on equal ranking
 * the lowest {@code service.id} (the one registered first) wins. A machine's Deploy-OS is resolved in one order
 * everywhere: the machine's explicit Deploy-OS setting, then an exact model match, then a pattern match, then the
 * server default.
 *
 * <p>Plugins own no threads or sockets and their calls return quickly: they return data and plans, and the core
 * carries them out.
 */
@Version("1.0.0")
@Export
package org.opendpm.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
