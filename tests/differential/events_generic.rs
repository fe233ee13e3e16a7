//! Keyspace events of this family's commands against redis-server (see keyspace_events.rs for the harness).
//! Strings and generic key commands: one event per real change (several for RENAME, MOVE, MSET...), none for a
//! no-op or an error; `expired` of keys found expired on the way comes before the command's own events.

use super::{diff_events, diff_script};

#[test]
fn events_set_family() {
    diff_events(
        "events_set_family",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET k v
        SET k v NX
        SET k v2 XX
        SET missing v XX
        SET k v3 GET
        SET k v4 NX GET
        SET k v5 KEEPTTL
        SET k v EXAT 99999999999
        SET k v PXAT 99999999999999
        SET k v EX 0
        SET k v EX notanumber
        SET k v BADOPT
        SETNX k v
        SETNX fresh v
        SETEX k 100 v
        SETEX k 0 v
        PSETEX k 100000 v
        PSETEX k -1 v
        GETSET k new
        GETSET nokey v
        HSET h f v
        GETSET h v
        SET h v GET
        SET h v
        MSET a 1 b 2 a 3
        MSET a 1 b
        MSETNX a 1 c 2
        MSETNX c 1 d 2
        MSETNX c 1 c 2
        "#,
    );
}

#[test]
fn events_get_variants() {
    diff_events(
        "events_get_variants",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET k v
        GET k
        GETDEL k
        GETDEL k
        HSET h f v
        GETDEL h
        SET k v
        GETEX k
        GETEX k PERSIST
        GETEX k EX 100
        GETEX k PX 100000
        GETEX k EXAT 99999999999
        GETEX k PXAT 99999999999999
        GETEX k PERSIST
        GETEX k PERSIST
        GETEX k EX 0
        GETEX k EX x
        GETEX k PERSIST EX 10
        GETEX nokey EX 10
        GETEX h EX 10
        GETEX k EXAT 1
        EXISTS k
        SET k v
        GETEX k PXAT 1
        GETEX k PXAT 1
        "#,
    );
}

#[test]
fn events_counters_and_ranges() {
    diff_events(
        "events_counters_and_ranges",
        r#"
        CONFIG SET notify-keyspace-events KEA
        INCR n
        INCR n
        DECR n
        INCRBY n 10
        DECRBY n 10
        INCRBY n notanumber
        DECRBY n -9223372036854775808
        SET n 9223372036854775807
        INCR n
        SET s abc
        INCR s
        DECR s
        HSET h f v
        INCR h
        INCRBYFLOAT f 1.5
        INCRBYFLOAT f 0.25
        INCRBYFLOAT f x
        INCRBYFLOAT s 1
        INCRBYFLOAT h 1
        SET big 1e308
        INCRBYFLOAT big 1e308
        APPEND a x
        APPEND a yz
        APPEND a ""
        APPEND empty ""
        EXISTS empty
        APPEND h x
        SETRANGE r 0 ""
        EXISTS r
        SETRANGE r 2 ab
        SETRANGE r 0 ""
        SETRANGE r 0 x
        SETRANGE r -1 x
        SETRANGE h 0 x
        SETRANGE h 0 ""
        SETRANGE r 536870912 x
        STRLEN r
        GETRANGE r 0 -1
        MGET r a nosuch
        "#,
    );
}

#[test]
fn events_del_and_unlink() {
    diff_events(
        "events_del_and_unlink",
        r#"
        CONFIG SET notify-keyspace-events KEA
        MSET a 1 b 2 c 3
        DEL a nosuch b
        DEL nosuch
        UNLINK c
        UNLINK c
        SADD s m
        HSET h f v
        DEL s h a
        EXISTS a b
        TOUCH a b
        TYPE a
        "#,
    );
}

#[test]
fn events_expire_family() {
    diff_events(
        "events_expire_family",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET k v
        EXPIRE k 100
        PEXPIRE k 100000
        EXPIREAT k 99999999999
        PEXPIREAT k 99999999999999
        EXPIRE k 100 NX
        EXPIRE k 200 XX
        EXPIRE k 50 GT
        EXPIRE k 500 GT
        EXPIRE k 800 LT
        EXPIRE k 10 LT
        EXPIRE nokey 100
        EXPIRE k notanumber
        EXPIRE k 100 BAD
        EXPIRE k 100 NX XX
        EXPIRE k 9223372036854775807
        PERSIST k
        PERSIST k
        PERSIST nokey
        EXPIRE k 100 XX
        EXPIRE k 100 GT
        EXPIRE k 100 LT
        EXPIRE k 100 NX
        TTL k
        ~ PTTL k
        ~ EXPIRETIME k
        EXPIRE k 0
        EXISTS k
        SET k v
        EXPIRE k -5
        SET k v
        PEXPIRE k 0
        SET k v
        EXPIREAT k 1
        SET k v
        PEXPIREAT k 1
        SET k v EX 100
        EXPIRE k -1 LT
        EXISTS k
        "#,
    );
}

#[test]
fn events_rename() {
    diff_events(
        "events_rename",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET a 1
        RENAME a b
        RENAME a b
        RENAME b b
        RENAMENX b b
        SET c 3
        RENAME b c
        RENAMENX c d
        SET e 5
        RENAMENX d e
        RENAMENX nosuch e
        SET t v EX 100
        RENAME t u
        TTL u
        HSET h f v
        RENAME h u
        TYPE u
        "#,
    );
}

#[test]
fn events_copy_and_move() {
    diff_events(
        "events_copy_and_move",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET a 1
        COPY a b
        COPY a b
        COPY a b REPLACE
        COPY a a
        COPY nosuch b
        COPY a b DB 1
        COPY a b DB 1
        COPY a b DB 1 REPLACE
        COPY a b DB 99
        COPY a b BAD
        SADD s x y
        COPY s s2
        MOVE a 1
        MOVE a 1
        MOVE a 0
        MOVE a 99
        SET a 2
        MOVE a 1
        SELECT 1
        DEL a
        SELECT 0
        MOVE a 1
        MOVE nosuch 1
        SELECT 1
        MOVE a 0
        SELECT 0
        GET a
        "#,
    );
}

#[test]
fn events_flush_and_swapdb() {
    diff_events(
        "events_flush_and_swapdb",
        r#"
        CONFIG SET notify-keyspace-events KEA
        MSET a 1 b 2
        FLUSHDB
        FLUSHDB
        SET a 1
        SWAPDB 0 1
        SWAPDB 0 0
        SWAPDB 0 99
        SWAPDB x 1
        FLUSHALL
        FLUSHALL ASYNC
        FLUSHDB BAD
        SET a 1
        "#,
    );
}

/// Keys found expired on the way (lazy expiry, active expiry off) announce `expired` before the command's
/// events, and a deleted expired key is not announced again as `del`.
#[test]
fn events_lazy_expiry_order() {
    diff_events(
        "events_lazy_expiry_order",
        r#"
        CONFIG SET notify-keyspace-events KEA
        DEBUG SET-ACTIVE-EXPIRE 0
        SET k v PX 1
        !sleep 20
        SET k v2
        SET k v PX 1
        !sleep 20
        SET k v NX
        SET k v PX 1
        !sleep 20
        SET k v XX
        SET k v PX 1
        !sleep 20
        INCR k
        SET k v PX 1
        !sleep 20
        APPEND k x
        SET k v PX 1
        !sleep 20
        DEL k other
        MSET a 1 b 2
        PEXPIRE a 1
        PEXPIRE b 1
        !sleep 20
        MSET a 1 x 1 b 2
        PEXPIRE a 1
        !sleep 20
        MSETNX x 1 a 2
        MSETNX a 2 x 1
        PEXPIRE a 1
        !sleep 20
        DEL x a
        SET a 1
        SET b 2 PX 1
        !sleep 20
        RENAME a b
        SET a 1 PX 1
        !sleep 20
        RENAME a b
        SET a 1 PX 1
        !sleep 20
        EXPIRE a 100
        SET a 1 PX 1
        !sleep 20
        PERSIST a
        SET a 1 PX 1
        !sleep 20
        GETDEL a
        SET a 1 PX 1
        !sleep 20
        GETEX a PERSIST
        SET a 1
        SELECT 1
        SET a 1 PX 1
        SELECT 0
        !sleep 20
        MOVE a 1
        SELECT 1
        SET c 1 PX 1
        SELECT 0
        !sleep 20
        COPY b c DB 1
        SET k v PX 1
        !sleep 20
        SETRANGE k 0 x
        SET k v PX 1
        !sleep 20
        INCRBYFLOAT k 1
        "#,
    );
}

/// Class filtering: only the enabled classes (and channels K / E) publish.
#[test]
fn events_class_filtering() {
    diff_events(
        "events_class_filtering",
        r#"
        CONFIG SET notify-keyspace-events E$
        SET k 1
        INCR k
        APPEND k x
        EXPIRE k 100
        PERSIST k
        DEL k
        CONFIG SET notify-keyspace-events Kg
        SET k 1 EX 100
        INCRBYFLOAT k 1
        SETRANGE k 0 2
        RENAME k j
        COPY j k
        MOVE k 1
        GETEX j EX 10
        GETDEL j
        CONFIG SET notify-keyspace-events Ex
        DEBUG SET-ACTIVE-EXPIRE 0
        SET k v PX 1
        !sleep 20
        SET k v
        DEL k
        CONFIG SET notify-keyspace-events KEA
        SET k v
        "#,
    );
}

/// A real change breaks the WATCH on the key, in whichever database it happens (COPY ... DB, MOVE, SWAPDB,
/// FLUSHALL), and so does an empty APPEND.
#[test]
fn watch_broken_by_changes() {
    diff_script(
        "watch_broken_by_changes",
        r#"
        SET k v
        WATCH k
        APPEND k ""
        MULTI
        PING
        EXEC
        SET a 1
        SELECT 1
        WATCH b
        SELECT 0
        COPY a b DB 1
        MULTI
        PING
        EXEC
        SELECT 1
        WATCH a
        SELECT 0
        MOVE a 1
        MULTI
        PING
        EXEC
        WATCH k
        EXPIRE k 100
        MULTI
        PING
        EXEC
        WATCH k
        PERSIST k
        MULTI
        PING
        EXEC
        WATCH k
        GETEX k PX 100000
        MULTI
        PING
        EXEC
        WATCH k j
        RENAME k j
        MULTI
        PING
        EXEC
        SELECT 1
        WATCH a
        SELECT 0
        SWAPDB 0 1
        MULTI
        PING
        EXEC
        WATCH a
        FLUSHALL
        MULTI
        PING
        EXEC
        "#,
    );
}

/// A write that changed nothing leaves the WATCH alone, as in Redis (no signalModifiedKey).
#[test]
fn watch_kept_by_no_op_writes() {
    diff_script(
        "watch_kept_by_no_op_writes",
        r#"
        MSET k v e 1
        WATCH k nokey e
        SET k v NX
        SETNX k v
        SET nokey v XX
        MSETNX k 1 nokey 2
        DEL nokey
        UNLINK nokey
        EXPIRE nokey 100
        EXPIRE k 100 XX
        EXPIRE k 100 GT
        PERSIST k
        PERSIST nokey
        RENAME k k
        RENAMENX k e
        COPY k e
        MOVE nokey 1
        SETRANGE k 0 ""
        SETRANGE nokey 0 ""
        GETEX k
        GETEX k PERSIST
        GETDEL nokey
        INCR k
        SWAPDB 0 0
        MULTI
        PING
        EXEC
        "#,
    );
}
