//! Server commands: DBSIZE, TIME, LASTSAVE, CONFIG GET/SET, COMMAND introspection and INFO keyspace. Values
//! that differ between two servers by nature (clock, ports, directories) are compared by shape or avoided.

use super::{diff_resp3_script, diff_script};

#[test]
fn time_lastsave_dbsize() {
    diff_script(
        "time_lastsave",
        r#"
        ~ TIME
        ~ LASTSAVE
        TIME x
        LASTSAVE x
        DBSIZE
        SET a 1
        DBSIZE
        "#,
    );
}

#[test]
fn config_get_exact_names_and_globs() {
    // Only settings both servers share: dir, port and friends differ by construction.
    diff_script(
        "config_get",
        r#"
        CONFIG GET maxclients
        CONFIG GET databases
        CONFIG GET timeout
        CONFIG GET MAXCLIENTS
        CONFIG GET proto-max-bulk-len
        CONFIG GET client-query-buffer-limit
        CONFIG GET hz
        CONFIG GET save
        CONFIG GET appendonly
        CONFIG GET enable-debug-command
        CONFIG GET protected-mode
        CONFIG GET requirepass
        CONFIG GET nonexistent
        sorted CONFIG GET maxclients databases timeout
        sorted CONFIG GET timeout timeout
        sorted CONFIG GET max*
        sorted CONFIG GET *databases*
        sorted CONFIG GET data?ases
        CONFIG GET
        "#,
    );
}

#[test]
fn config_set_validates_values() {
    diff_script(
        "config_set",
        r#"
        CONFIG SET timeout 10
        CONFIG GET timeout
        CONFIG SET timeout -1
        CONFIG SET timeout abc
        CONFIG SET timeout ""
        CONFIG SET maxclients abc
        CONFIG SET hz 0
        CONFIG GET hz
        CONFIG SET hz 1000
        CONFIG GET hz
        CONFIG SET hz 10
        CONFIG SET proto-max-bulk-len 100
        CONFIG SET proto-max-bulk-len 1mb
        CONFIG GET proto-max-bulk-len
        CONFIG SET protected-mode maybe
        CONFIG SET databases 10
        CONFIG SET nonexistent 1
        CONFIG SET timeout 1 hz 20
        CONFIG GET timeout
        CONFIG GET hz
        CONFIG SET timeout 2 timeout 3
        CONFIG SET timeout 0 nonexistent 1
        CONFIG GET timeout
        CONFIG SET TIMEOUT 5
        CONFIG GET timeout
        CONFIG SET timeout
        CONFIG SET
        "#,
    );
}

#[test]
fn command_introspection() {
    diff_script(
        "command_info",
        r#"
        ~ COMMAND COUNT
        COMMAND COUNT x
        COMMAND INFO GET SET
        COMMAND INFO get
        COMMAND INFO nonexistent GET
        ~ COMMAND DOCS GET
        COMMAND DOCS nonexistent
        COMMAND GETKEYS SET a b
        COMMAND GETKEYS GET k
        COMMAND GETKEYS MSET a 1 b 2
        COMMAND GETKEYS MGET a b c
        COMMAND GETKEYS COPY a b
        COMMAND GETKEYS RENAME a b
        COMMAND GETKEYS EXISTS a a
        COMMAND GETKEYS ECHO x
        COMMAND GETKEYS FOO bar
        COMMAND GETKEYS GET a b
        COMMAND GETKEYS SET a
        COMMAND GETKEYS GET
        COMMAND GETKEYS
        "#,
    );
}

#[test]
fn info_keyspace_counts_keys_and_expires() {
    // avg_ttl is a running estimate from the expiry cycle: masked.
    diff_script(
        "info_keyspace",
        r#"
        INFO keyspace
        SET a 1
        SET b 2 EX 100
        mask(avg_ttl=) INFO keyspace
        SELECT 3
        SET c 3 PX 200000
        SET d 4
        mask(avg_ttl=) INFO KEYSPACE
        FLUSHALL
        INFO keyspace
        INFO nosuchsection
        "#,
    );
}

#[test]
fn resp3_replies_of_server_commands() {
    diff_resp3_script(
        "server_resp3",
        r#"
        ~ TIME
        sorted CONFIG GET maxclients databases
        sorted CONFIG GET max*
        CONFIG GET nonexistent
        COMMAND INFO GET
        COMMAND GETKEYS SET a b
        ~ COMMAND DOCS GET
        SET a 1
        mask(avg_ttl=) INFO keyspace
        "#,
    );
}

#[test]
fn shutdown_and_debug_argument_errors() {
    diff_script(
        "shutdown_debug_errors",
        r#"
        SHUTDOWN foo
        SHUTDOWN SAVE NOSAVE
        SHUTDOWN ABORT
        SHUTDOWN NOW foo
        SHUTDOWN ABORT NOW
        DEBUG SLEEP 0
        DEBUG SLEEP abc
        DEBUG foo
        DEBUG
        DEBUG SLEEP
        "#,
    );
}

#[test]
fn command_getkeys_with_numkeys() {
    diff_script(
        "getkeys_numkeys",
        r#"
        COMMAND GETKEYS SINTERCARD 2 a b
        COMMAND GETKEYS SINTERCARD 2 a b LIMIT 5
        COMMAND GETKEYS SINTERCARD 0 a
        COMMAND GETKEYS SINTERCARD x a
        COMMAND GETKEYS SINTERCARD 3 a b
        COMMAND GETKEYS MSET a 1 b 2
        COMMAND GETKEYS SET a
        "#,
    );
}

/// WAIT without replicas: a request for none (or a negative number) is answered 0 at once, argument errors in
/// Redis's order, and inside MULTI it never blocks (nor aborts the transaction).
#[test]
fn wait_without_replicas() {
    diff_script(
        "wait",
        r#"
        WAIT 0 0
        WAIT -5 10
        WAIT 0 100
        WAIT x 0
        WAIT 1 x
        WAIT 1 -1
        WAIT 1 1.5
        WAIT
        WAIT 1
        MULTI
        WAIT 1 0
        WAIT 5 100
        SET k v
        EXEC
        EVAL "return redis.call('wait', '1', '0')" 0
        "#,
    );
}
