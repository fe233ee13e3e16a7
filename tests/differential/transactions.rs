//! MULTI / EXEC / DISCARD / WATCH / UNWATCH against redis-server: queuing, aborts, runtime errors in their
//! slot, and what breaks a watch (a change, a deletion, an expiry, FLUSHDB/FLUSHALL, SWAPDB).

use super::{diff_resp3_script, diff_script, diff_script_with};

#[test]
fn multi_exec_discard_and_their_errors() {
    diff_script(
        "multi_exec",
        r#"
        EXEC
        DISCARD
        MULTI
        MULTI
        SET a 1
        INCR a
        INCRBY a b
        GET a
        EXEC
        GET a
        MULTI
        SET a 1
        FOO bar
        GET
        EXEC
        GET a
        MULTI
        SET s text
        HSET s f v
        INCR s
        APPEND s !
        EXEC
        MULTI
        SHUTDOWN
        EXEC
        MULTI
        PING
        UNWATCH
        ECHO hi
        DISCARD
        EXEC
        MULTI
        EXEC
        MULTI
        QUIT
        "#,
    );
}

#[test]
fn watch_is_broken_by_changes_and_kept_otherwise() {
    diff_script(
        "watch",
        r#"
        WATCH
        WATCH x
        SET x 1
        MULTI
        EXEC
        WATCH x
        MULTI
        SET x 2
        EXEC
        WATCH x y
        GET x
        MULTI
        GET y
        EXEC
        WATCH x
        MULTI
        WATCH y
        EXEC
        WATCH x
        DEL x
        MULTI
        EXEC
        SET x 1
        WATCH x
        EXPIRE x 100
        MULTI
        EXEC
        WATCH x
        RENAME x x2
        MULTI
        EXEC
        WATCH x2
        UNWATCH
        SET x2 changed
        MULTI
        EXEC
        WATCH x2
        MULTI
        DISCARD
        SET x2 again
        MULTI
        EXEC
        WATCH nothere
        FLUSHDB
        MULTI
        EXEC
        SET here 1
        WATCH here
        FLUSHALL
        MULTI
        EXEC
        WATCH a b
        SWAPDB 0 1
        MULTI
        EXEC
        SET a 1
        WATCH a
        SWAPDB 0 1
        MULTI
        EXEC
        SELECT 1
        SET other 1
        SELECT 0
        WATCH other
        SELECT 1
        SET other 2
        SELECT 0
        MULTI
        EXEC
        "#,
    );
}

#[test]
fn watched_keys_and_expiry() {
    diff_script(
        "watch_expiry",
        r#"
        SET k v PX 100
        WATCH k
        !sleep 200
        MULTI
        GET k
        EXEC
        SET j v PX 50
        !sleep 100
        WATCH j
        MULTI
        GET j
        EXEC
        SET j v PX 50
        !sleep 100
        WATCH j
        GET j
        SET j 2
        MULTI
        GET j
        EXEC
        "#,
    );
}

/// FLUSHDB and SWAPDB break only the watches of keys whose visible state changes: a key already expired
/// when watched (still present: active expiry is off) that is flushed, or swapped with another expired key,
/// changes nothing; a live key flushed or swapped does.
#[test]
fn flushdb_and_swapdb_spare_watches_on_already_expired_keys() {
    diff_script(
        "watch_expired_flush_swap",
        r#"
        DEBUG SET-ACTIVE-EXPIRE 0
        SET gone v PX 20
        !sleep 60
        WATCH gone
        FLUSHDB
        MULTI
        PING
        EXEC
        SET gone v PX 20
        SELECT 1
        SET gone v PX 20
        SELECT 0
        !sleep 60
        WATCH gone
        SWAPDB 0 1
        MULTI
        PING
        EXEC
        FLUSHALL
        SELECT 1
        SET late v PX 20
        SELECT 0
        !sleep 60
        WATCH late
        SWAPDB 0 1
        MULTI
        PING
        EXEC
        FLUSHALL
        SET live v
        WATCH live
        FLUSHDB
        MULTI
        PING
        EXEC
        SELECT 1
        SET live v
        SELECT 0
        WATCH live
        SWAPDB 0 1
        MULTI
        PING
        EXEC
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}

#[test]
fn resp3_transaction_replies() {
    diff_resp3_script(
        "multi_resp3",
        r#"
        MULTI
        SET a 1
        GET nope
        HGETALL h
        EXEC
        SET w 1
        WATCH w
        SET w 2
        MULTI
        EXEC
        "#,
    );
}

/// A gate refusing EXEC discards the transaction with the gate's reason (Redis's execCommandAbort), inside
/// MULTI or not: extra arguments, the RESP2 subscribed context.
#[test]
fn a_refused_exec_aborts_and_discards_the_transaction() {
    diff_script(
        "exec_refused_by_a_gate",
        r#"
        EXEC x
        WATCH w
        MULTI
        SET a 1
        EXEC x
        EXEC
        DISCARD
        GET a
        SET w changed
        MULTI
        SET a 2
        EXEC
        GET a
        MULTI
        SUBSCRIBE ch
        EXEC
        PING
        EXEC
        MULTI
        DISCARD
        RESET
        "#,
    );
}

#[test]
fn an_exec_refused_by_a_gate_aborts_the_transaction() {
    // Redis's execCommandAbort: the gate's error, without its `ERR `, after "EXECABORT ... because of: ", and
    // the transaction is gone.
    diff_script(
        "exec_refused_by_gate",
        r#"
        EXEC x
        MULTI
        SET k v
        EXEC x
        EXEC
        GET k
        SUBSCRIBE c
        EXEC
        "#,
    );
    diff_script_with(
        "exec_refused_before_auth",
        &crate::support::ServerOptions { requirepass: Some("pw".into()) },
        r#"
        EXEC
        MULTI
        EXEC
        AUTH pw
        EXEC
        "#,
    );
}
