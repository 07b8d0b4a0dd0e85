/**
 * Scenarios (SCN-1 to SCN-5): nested scenario groups, scenarios made of plugin tabs and the core Option tab, the
 * Built-in Scenarios, and the assignment of one scenario per machine. REST, the shell and (later) the execution
 * engine use it through {@link org.opendpm.api.scenario.ScenarioService}.
 */
@Version("1.1.0")
@Export
package org.opendpm.api.scenario;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
