package org.opendpm.shell.internal;

import java.util.List;
import java.util.function.Supplier;

import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendpm.api.OpenDpmException;

/** What every completer of names shares: completion offers nothing while a service cannot answer (no database). */
final class Completions {

    private Completions() {
    }

    /** Completes from the names the supplier gives; none when it fails with an OpenDPM error. */
    static int of(Supplier<List<String>> names, Session session, CommandLine commandLine, List<String> candidates) {
        List<String> all;
        try {
            all = names.get();
        } catch (OpenDpmException e) {
            return -1;
        }
        return new StringsCompleter(all).complete(session, commandLine, candidates);
    }

    /** The part of the argument under the cursor that is typed so far. */
    static String typed(CommandLine commandLine) {
        return commandLine.getCursorArgument() == null
                ? ""
                : commandLine.getCursorArgument().substring(0, commandLine.getArgumentPosition());
    }
}
