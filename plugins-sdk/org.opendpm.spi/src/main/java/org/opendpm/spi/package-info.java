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
 * <li>{@link org.opendpm.spi.StepExecutor} ({@value org.opendpm.spi.StepExecutor#PROPERTY}) — carries out the
 * named steps scenario types plan, with a {@link org.opendpm.spi.StepContext} the core provides;</li>
 * <li>{@link org.opendpm.spi.PowerDriver} ({@value org.opendpm.spi.PowerDriver#PROPERTY}) — power state and power
 * on, off, reset of a machine, with its driver info.</li>
 * </ul>
 *
 * <h2>Selection</h2>
 * When several services claim the same key, the one with the highest {@code service.ranking} wins; on equal ranking
 * the lowest {@code service.id} (the one registered first) wins. A machine's Deploy-OS is resolved in one order
 * everywhere: the machine's explicit Deploy-OS setting, then an exact model match, then a pattern match, then the
 * server default.
 *
 * <p>Plugins own no threads. The core calls them off its own threads, under a time bound and never inside a
 * database transaction: a plugin that throws or hangs fails only the execution it was called for. Waiting is done
 * in the stages the core's handles return.
 *
 * <h2>Versions</h2>
 * 2.0 replaced 1.0's closed set of step kinds with step executors, gave scenario types a settings schema, made power
 * controls active drivers ({@code PowerDriver} replaces {@code PowerControl} and {@code PowerCommand}), let boot
 * protocols decline an intent and added chain-loading intents. No plugin outside the project depended on 1.0, so
 * the baseline starts again at 2.0.
 */
@Version("2.4.0")
@Export
package org.opendpm.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
