package org.opendpm.shell.internal;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.security.LoginThrottle;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;

/** dpm:user-* commands. Passwords are read from the terminal without echo, never from the command line. */
public final class UserCommands {

    private UserCommands() {
    }

    static Set<Role> roles(List<String> names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String n : names) {
            roles.add(Role.parse(n).orElseThrow(() -> new IllegalArgumentException(
                    "Unknown role '" + n + "'; roles are admin, operator and viewer")));
        }
        return roles;
    }

    static char[] readPassword(Session session) throws java.io.IOException {
        String first = session.readLine("Password: ", '*');
        String second = session.readLine("Password again: ", '*');
        if (first == null || !first.equals(second)) {
            throw new IllegalArgumentException("The passwords differ");
        }
        return first.toCharArray();
    }

    static RuntimeException clear(OpenDpmException e) {
        return new IllegalArgumentException(e.getMessage(), e);
    }

    @Service
    @Command(scope = "dpm", name = "user-list", description = "Lists users and their roles")
    public static class UserList implements Action {
        @Reference
        UserService users;

        @Override
        public Object execute() {
            var table = new ShellTable();
            table.column("User");
            table.column("Roles");
            for (User u : users.list()) {
                table.addRow().addContent(u.name(), String.join(",", u.roles().stream().sorted().map(Role::id)
                        .toList()));
            }
            table.print(System.out);
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "user-add", description = "Creates a user; asks for its password")
    public static class UserAdd implements Action {
        @Reference
        UserService users;
        @Reference
        Session session;

        @Argument(index = 0, name = "name", required = true)
        String name;

        @Argument(index = 1, name = "roles", required = true, multiValued = true,
                description = "admin, operator or viewer")
        @Completion(RoleCompleter.class)
        List<String> roleNames;

        @Override
        public Object execute() throws Exception {
            try {
                users.create(name, readPassword(session), roles(roleNames));
            } catch (OpenDpmException e) {
                throw clear(e);
            }
            System.out.println("User " + name + " created");
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "user-password", description = "Sets a user's password; asks for it")
    public static class UserPassword implements Action {
        @Reference
        UserService users;
        @Reference
        Session session;

        @Argument(index = 0, name = "name", required = true)
        @Completion(UserCompleter.class)
        String name;

        @Override
        public Object execute() throws Exception {
            try {
                users.setPassword(name, readPassword(session));
            } catch (OpenDpmException e) {
                throw clear(e);
            }
            System.out.println("Password of " + name + " changed");
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "user-roles", description = "Sets a user's roles")
    public static class UserRoles implements Action {
        @Reference
        UserService users;

        @Argument(index = 0, name = "name", required = true)
        @Completion(UserCompleter.class)
        String name;

        @Argument(index = 1, name = "roles", required = true, multiValued = true)
        @Completion(RoleCompleter.class)
        List<String> roleNames;

        @Override
        public Object execute() {
            try {
                users.setRoles(name, roles(roleNames));
            } catch (OpenDpmException e) {
                throw clear(e);
            }
            System.out.println("Roles of " + name + ": " + String.join(",", roleNames));
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "user-delete", description = "Deletes a user")
    public static class UserDelete implements Action {
        @Reference
        UserService users;

        @Argument(index = 0, name = "name", required = true)
        @Completion(UserCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                users.delete(name);
            } catch (OpenDpmException e) {
                throw clear(e);
            }
            System.out.println("User " + name + " deleted");
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "user-login-delay", description = "Shows how long logins for a user name must "
            + "still wait after failed ones; --clear forgets its failures")
    public static class UserLoginDelay implements Action {
        @Reference
        LoginThrottle throttle;

        @Option(name = "--clear", description = "Forget the failed logins of this user name, ending its delay")
        boolean clear;

        @Argument(index = 0, name = "name", required = true, description = "A user name (it need not exist)")
        @Completion(UserCompleter.class)
        String name;

        @Override
        public Object execute() {
            if (clear) {
                throttle.reset(name);
                System.out.println("Failed logins of " + name + " forgotten; its logins are checked again");
            } else {
                System.out.println(describeDelay(name, throttle.delay(name, null)));
            }
            return null;
        }
    }

    /** What dpm:user-login-delay says of a user name's delay. */
    static String describeDelay(String name, Duration delay) {
        if (delay.isZero()) {
            return "Logins for " + name + " are not delayed";
        }
        return "Logins for " + name + " are refused for " + LoginThrottledException.secondsRoundedUp(delay)
                + " s more after failed ones"
                + " (dpm:user-login-delay --clear " + name + " ends it)";
    }

    @Service
    public static class RoleCompleter implements Completer {
        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(List.of("admin", "operator", "viewer")).complete(session, commandLine,
                    candidates);
        }
    }

    @Service
    public static class UserCompleter implements Completer {
        @Reference
        UserService users;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(users.list().stream().map(User::name).toList()).complete(session,
                    commandLine, candidates);
        }
    }
}
