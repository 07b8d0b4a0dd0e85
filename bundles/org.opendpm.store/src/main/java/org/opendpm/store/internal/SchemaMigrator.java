package org.opendpm.store.internal;

import java.sql.Connection;
import java.util.Map;

import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

/** Brings the schema up to date with the changelog shipped in this bundle. */
final class SchemaMigrator {

    static final String CHANGELOG = "org/opendpm/store/db/changelog.xml";

    void migrate(Connection connection) {
        ClassLoader loader = SchemaMigrator.class.getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Liquibase looks its parts up through the context class loader; inside OSGi that must be ours.
        thread.setContextClassLoader(loader);
        try {
            Map<String, Object> scope = Map.of(
                    Scope.Attr.classLoader.name(), loader,
                    Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(loader),
                    "liquibase.analytics.enabled", Boolean.FALSE,
                    "liquibase.showBanner", Boolean.FALSE,
                    "liquibase.secureParsing", Boolean.TRUE,
                    // Liquibase prints its progress to stdout unless told to log it.
                    Scope.Attr.ui.name(), new LoggerUIService());
            Scope.child(scope, () -> {
                Database database = DatabaseFactory.getInstance()
                        .findCorrectDatabaseImplementation(new JdbcConnection(connection));
                new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                        .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                        .execute();
            });
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Schema migration failed: " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
