package org.opendpm.netboot.internal.session;

import java.io.IOException;
import java.nio.file.Path;

import org.opendpm.netboot.internal.intent.IntentFixture;

/** Gives tests in other packages a Deploy-OS session service over a fixture's database and clock. */
public final class SessionsFixture {

    private SessionsFixture() {
    }

    public static JdbcDeployOsSessions over(IntentFixture f, Path keyFile) throws IOException {
        return new JdbcDeployOsSessions(f.database, SessionKey.loadOrCreate(keyFile), f.clock);
    }
}
