/**
 * The agent link (EXE-9, FIL-1, SCH-2): the server's side of the connections agents on managed machines keep open.
 * The execution engine, power control and file distribution reach a machine's agent through
 * {@link org.opendpm.api.agent.AgentLink}; {@link org.opendpm.api.agent.AgentListener} services hear agents come and
 * go.
 */
@Version("1.5.0")
@Export
package org.opendpm.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
