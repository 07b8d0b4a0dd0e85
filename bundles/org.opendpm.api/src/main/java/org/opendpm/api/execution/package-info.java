/**
 * Scenario execution (EXE-1 to EXE-11): starting the assigned scenario on machines, the Scenario Execution List, the
 * Scenario Execution Result List and Remove Error, through {@link org.opendpm.api.execution.ExecutionService}.
 */
@Version("1.3.0")
@Export
package org.opendpm.api.execution;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
