//! Keyspace events of this family's commands against redis-server (see keyspace_events.rs for the harness).
//! Hashes, sets, sorted sets and lists: one event per command that changed something, none for a no-op or an
//! error, the type's event then `del` when a command empties its key, and a store event or `del` for STORE
//! variants. A list move announces the push on the destination first, then the pop on the source (and its
//! `del` if that emptied it).
//! PEXPIRE lines run with notifications off, so these scripts only depend on this family's events.

use super::diff_events;

#[test]
fn events_hash_writes() {
    diff_events(
        "events_hash_writes",
        r#"
        CONFIG SET notify-keyspace-events KEA
        HSET h f1 v1 f2 v2
        HSET h f1 v1
        HSET h f1 other f3 v3
        HMSET h f4 v4
        HMSET h f4 v4 f5 v5
        HSET h f1
        HMSET h f1
        HSET h
        SET str x
        HSET str f v
        HMSET str f v
        HSETNX h f1 x
        HSETNX h f9 x
        HSETNX fresh f v
        HSETNX str f v
        HDEL h nosuch
        HDEL nokey f
        HDEL str f
        HDEL h f1 nosuch f1
        HDEL h f2 f3
        HINCRBY h n 5
        HINCRBY h n 0
        HINCRBY h n -5
        HINCRBY h f4 1
        HINCRBY h n x
        HINCRBY h n 9223372036854775807
        HINCRBY h n 1
        HINCRBY h n 9223372036854775807
        HINCRBY newcounter n 1
        HINCRBY str n 1
        HINCRBYFLOAT h fl 1.5
        HINCRBYFLOAT h fl 0
        HINCRBYFLOAT h fl abc
        HINCRBYFLOAT h f4 1
        HINCRBYFLOAT h fl inf
        HINCRBYFLOAT newfloat fl 2.5e3
        HINCRBYFLOAT str fl 1
        HGET h fl
        HGETALL h
        HLEN h
        HEXISTS h fl
        HSTRLEN h fl
        HKEYS h
        HVALS h
        HMGET h fl n
        ~ HRANDFIELD h -3
        HSCAN h 0
        HDEL h f4 f5 f9 n fl
        EXISTS h
        HDEL fresh f nosuch
        HDEL newcounter n
        HDEL newfloat fl
        DBSIZE
        "#,
    );
}

/// The table encoding announces the same events; deleting the last fields of a large hash deletes the key.
#[test]
fn events_hash_large_encoding() {
    diff_events(
        "events_hash_large_encoding",
        r#"
        CONFIG SET hash-max-listpack-entries 2
        CONFIG SET notify-keyspace-events KEA
        HSET h a 1 b 2 c 3
        OBJECT ENCODING h
        HSET h a 1
        HSETNX h a 1
        HINCRBY h a 1
        HINCRBYFLOAT h b 0.5
        HDEL h a b zz
        HDEL h c
        EXISTS h
        "#,
    );
}

/// Only the enabled classes are published: `h` events without the generic `del`, and the other way round.
#[test]
fn events_hash_class_filtering() {
    diff_events(
        "events_hash_class_filtering",
        r#"
        CONFIG SET notify-keyspace-events Kh
        HSET h a 1 b 2
        HINCRBY h c 1
        HDEL h a b c
        CONFIG SET notify-keyspace-events Eg
        HSET h a 1
        HINCRBYFLOAT h a 1
        HDEL h a
        CONFIG SET notify-keyspace-events Ez
        HSET h a 1
        HDEL h a
        "#,
    );
}

/// A hash whose TTL passed is announced `expired` before the write that finds it (lazy expiry).
#[test]
fn events_hash_lazy_expiry() {
    diff_events(
        "events_hash_lazy_expiry",
        r#"
        DEBUG SET-ACTIVE-EXPIRE 0
        HSET h a 1
        PEXPIRE h 1
        HSET h2 a 1
        PEXPIRE h2 1
        HSET h3 a 1
        PEXPIRE h3 1
        CONFIG SET notify-keyspace-events KEA
        !sleep 20
        HSET h b 2
        HDEL h2 a
        HINCRBY h3 a 1
        SET s v PX 1
        !sleep 20
        HSETNX s f v
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}

#[test]
fn events_set_writes() {
    diff_events(
        "events_set_writes",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SADD s a b c
        SADD s a
        SADD s a d a
        SET str x
        SADD str a
        SREM s nosuch
        SREM nokey a
        SREM str a
        SREM s a nosuch a
        SISMEMBER s b
        SMISMEMBER s b c
        sorted SMEMBERS s
        SCARD s
        ~ SRANDMEMBER s -2
        sorted SSCAN s 0
        SREM s b c d
        EXISTS s
        SADD ints 1 2 3
        SREM ints 1 2 3 4
        "#,
    );
}

#[test]
fn events_set_smove() {
    diff_events(
        "events_set_smove",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SADD src a b c
        SADD dst b
        SET str x
        SMOVE src dst a
        SMOVE src dst b
        SMOVE src dst nosuch
        SMOVE nosrc dst a
        SMOVE nosrc str a
        SMOVE src str c
        SMOVE str dst c
        SMOVE dst dst a
        SMOVE dst dst nosuch
        SMOVE src newdst c
        EXISTS src
        SMOVE dst newdst a
        SMOVE newdst dst a
        sorted SMEMBERS dst
        sorted SMEMBERS newdst
        "#,
    );
}

/// SPOP: `spop` (once, whatever the count), then `del` when the set is emptied; nothing for a missing key or a
/// count of 0. Random pops run inside a script so that only their events are compared.
#[test]
fn events_set_spop() {
    diff_events(
        "events_set_spop",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SPOP nokey
        SPOP nokey 3
        SET str x
        SPOP str
        SPOP str 2
        SADD p 1 2 3 4 5 6 7 8 9 10
        SPOP p 0
        SPOP p -1
        SPOP p 1 2
        SPOP p x
        EVAL "return #redis.call('spop', KEYS[1], ARGV[1])" 1 p 2
        EVAL "return #redis.call('spop', KEYS[1], ARGV[1])" 1 p 7
        SCARD p
        EVAL "redis.call('spop', KEYS[1]) return 1" 1 p
        SPOP p
        EXISTS p
        SADD q a b c
        sorted SPOP q 3
        SADD q a b c
        sorted SPOP q 100
        SADD q a b c d e f g h i j
        EVAL "return #redis.call('spop', KEYS[1], ARGV[1])" 1 q 9
        SCARD q
        "#,
    );
}

/// SINTERSTORE, SUNIONSTORE, SDIFFSTORE: the store event on a result, `del` for an empty result over an
/// existing key, nothing when there was nothing to delete.
#[test]
fn events_set_store() {
    diff_events(
        "events_set_store",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SADD a 1 2 3
        SADD b 2 3 4
        SET str x
        SINTERSTORE d a b
        SINTERSTORE d a b
        SINTERSTORE d a nokey
        SINTERSTORE d a nokey
        SINTERSTORE d a str
        SADD c 9
        SINTERSTORE d a c
        SINTERSTORE d a b
        SINTERSTORE d a c
        SUNIONSTORE d a b
        SUNIONSTORE d nokey
        SUNIONSTORE d nokey
        SUNIONSTORE d a str
        SDIFFSTORE d a b
        SDIFFSTORE d a a
        SDIFFSTORE d a a
        SDIFFSTORE d nokey a
        SDIFFSTORE str a b
        TYPE str
        SUNIONSTORE str nokey
        EXISTS str
        SINTERSTORE a a b
        SMEMBERS a
        SINTER a b
        SUNION a b
        SDIFF a b
        SINTERCARD 2 a b
        "#,
    );
}

/// A destination whose TTL passed: a stored result first announces `expired`; an empty result deletes it as
/// Redis's dbDelete does (no TTL check), so `del` is announced instead.
#[test]
fn events_set_store_expired_destination() {
    diff_events(
        "events_set_store_expired_destination",
        r#"
        DEBUG SET-ACTIVE-EXPIRE 0
        CONFIG SET notify-keyspace-events KEA
        SADD a 1 2
        SET e x PX 1
        !sleep 20
        SUNIONSTORE e a
        SET e x PX 1
        !sleep 20
        SINTERSTORE e nokey
        EXISTS e
        SET e x PX 1
        !sleep 20
        SMOVE a e 1
        SET e x PX 1
        !sleep 20
        SMOVE e a 1
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}

#[test]
fn events_set_class_filtering_and_large_encoding() {
    diff_events(
        "events_set_class_filtering_and_large_encoding",
        r#"
        CONFIG SET set-max-intset-entries 2
        CONFIG SET notify-keyspace-events Ks
        SADD s 1 2 3
        OBJECT ENCODING s
        SREM s 1 2 3
        SADD a x
        SMOVE a b x
        CONFIG SET notify-keyspace-events Eg
        SADD s 1 2 3
        SREM s 1 2 3
        SADD a x
        SMOVE a b x
        SUNIONSTORE b nokey
        CONFIG SET notify-keyspace-events E$
        SADD s 1
        SPOP s
        "#,
    );
}

#[test]
fn events_zset_zadd() {
    diff_events(
        "events_zset_zadd",
        r#"
        CONFIG SET notify-keyspace-events KEA
        ZADD z 1 a 2 b
        ZADD z 1 a
        ZADD z CH 1 a 2 b
        ZADD z 3 a 4 c
        ZADD z NX 5 a
        ZADD z NX 5 d
        ZADD z XX 1 new
        ZADD nokey XX 1 a
        EXISTS nokey
        ZADD z XX 9 a
        ZADD z GT 0 a
        ZADD z GT 10 a
        ZADD z LT 20 a
        ZADD z LT 0 a
        ZADD z -0 b 2 b
        ZADD z INCR 1 a
        ZADD z INCR 0 a
        ZADD z NX INCR 1 a
        ZADD z XX INCR 1 zz
        ZADD z XX INCR 1 a
        ZADD z GT INCR -1 a
        ZINCRBY z 1 b
        ZINCRBY z 0 b
        ZINCRBY z 1 fresh
        ZINCRBY newz 1 x
        ZINCRBY z x b
        ZADD z 1 a 2
        ZADD z nan a
        ZADD z NX XX 1 a
        ZADD z GT LT 1 a
        ZADD z INCR 1 a 2 b
        SET str x
        ZADD str 1 a
        ZINCRBY str 1 a
        ZADD inf +inf a
        ZINCRBY inf -inf a
        ZADD inf INCR -inf a
        ZRANGE z 0 -1 WITHSCORES
        "#,
    );
}

#[test]
fn events_zset_removals() {
    diff_events(
        "events_zset_removals",
        r#"
        CONFIG SET notify-keyspace-events KEA
        ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
        SET str x
        ZREM z nosuch
        ZREM nokey a
        ZREM str a
        ZREM z a nosuch a
        ZREMRANGEBYRANK z 10 20
        ZREMRANGEBYRANK z 0 0
        ZREMRANGEBYRANK z x 1
        ZREMRANGEBYRANK nokey 0 -1
        ZREMRANGEBYRANK str 0 -1
        ZREMRANGEBYSCORE z 100 200
        ZREMRANGEBYSCORE z (2 3
        ZREMRANGEBYSCORE z x 3
        ZREMRANGEBYSCORE nokey -inf +inf
        ZADD lex 0 a 0 b 0 c 0 d
        ZREMRANGEBYLEX lex [x [z
        ZREMRANGEBYLEX lex [a (c
        ZREMRANGEBYLEX lex a c
        ZREMRANGEBYLEX lex - +
        EXISTS lex
        ZREMRANGEBYSCORE z -inf +inf
        EXISTS z
        ZADD z 1 a 2 b
        ZREMRANGEBYRANK z 0 -1
        ZADD z 1 a 2 b
        ZREM z a b c
        EXISTS z
        "#,
    );
}

#[test]
fn events_zset_pops() {
    diff_events(
        "events_zset_pops",
        r#"
        CONFIG SET notify-keyspace-events KEA
        ZPOPMIN nokey
        ZPOPMAX nokey 2
        SET str x
        ZPOPMIN str
        ZADD z 1 a 2 b 3 c 4 d 5 e
        ZPOPMIN z 0
        ZPOPMIN z -1
        ZPOPMIN z x
        ZPOPMIN z 1 2
        ZPOPMIN z
        ZPOPMAX z
        ZPOPMIN z 2
        ZPOPMAX z 100
        EXISTS z
        ZADD z 1 a
        ZPOPMAX z
        ZADD z 1 a 2 b
        ZPOPMIN z 2
        EXISTS z
        ZADD m 1 a 2 b 3 c
        ZMPOP 2 nokey m MAX
        ZMPOP 1 m MIN COUNT 5
        ZMPOP 1 m MIN
        "#,
    );
}

/// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE: the store event on a result, `del` for an empty result
/// over an existing key, nothing when there was nothing to delete; errors announce nothing.
#[test]
fn events_zset_store() {
    diff_events(
        "events_zset_store",
        r#"
        CONFIG SET notify-keyspace-events KEA
        ZADD a 1 x 2 y 3 z
        ZADD b 1 y 2 w
        SADD s x
        SET str x
        ZUNIONSTORE d 2 a b
        ZUNIONSTORE d 2 a b WEIGHTS 1
        ZUNIONSTORE d 2 a str
        ZUNIONSTORE d 0 a
        ZUNIONSTORE d 1 nokey
        ZUNIONSTORE d 1 nokey
        ZINTERSTORE d 2 a b
        ZINTERSTORE d 2 a nokey
        ZINTERSTORE d 2 a nokey
        ZINTERSTORE d 2 a s AGGREGATE MAX
        ZDIFFSTORE d 2 a b
        ZDIFFSTORE d 2 a a
        ZDIFFSTORE d 2 a a
        ZDIFFSTORE d 1 nokey
        ZRANGESTORE d a 0 -1
        ZRANGESTORE d a 10 20
        ZRANGESTORE d a 10 20
        ZRANGESTORE d a 0 1 BYSCORE
        ZRANGESTORE d a (1 +inf BYSCORE LIMIT 0 1
        ZRANGESTORE d a [x [y BYLEX
        ZRANGESTORE d nokey 0 -1
        ZRANGESTORE d nokey 0 -1
        ZRANGESTORE d a 0 -1 WITHSCORES
        ZRANGESTORE d str 0 -1
        ZRANGESTORE str a 0 -1
        TYPE str
        ZUNIONSTORE a 2 a b
        ZRANGE a 0 -1 WITHSCORES
        ZUNION 2 a b
        ZINTER 2 a b
        ZDIFF 2 a b
        ZINTERCARD 2 a b
        ZRANGE a 0 -1
        "#,
    );
}

#[test]
fn events_zset_expired_keys_and_large_encoding() {
    diff_events(
        "events_zset_expired_keys_and_large_encoding",
        r#"
        DEBUG SET-ACTIVE-EXPIRE 0
        CONFIG SET zset-max-listpack-entries 2
        ZADD z 1 a 2 b 3 c
        OBJECT ENCODING z
        PEXPIRE z 1
        ZADD y 1 a
        PEXPIRE y 1
        CONFIG SET notify-keyspace-events KEA
        !sleep 20
        ZADD z 1 a
        ZREM y a
        SET e x PX 1
        !sleep 20
        ZRANGESTORE e z 0 -1
        SET e x PX 1
        !sleep 20
        ZRANGESTORE e nokey 0 -1
        SET e x PX 1
        !sleep 20
        ZUNIONSTORE e 1 nokey
        ZADD big 1 a 2 b 3 c 4 d
        ZREMRANGEBYRANK big 0 1
        ZPOPMAX big 5
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}

#[test]
fn events_zset_class_filtering() {
    diff_events(
        "events_zset_class_filtering",
        r#"
        CONFIG SET notify-keyspace-events Kz
        ZADD z 1 a 2 b
        ZINCRBY z 1 a
        ZPOPMIN z 2
        ZADD z 1 a
        ZUNIONSTORE d 1 z
        ZUNIONSTORE d 1 nokey
        CONFIG SET notify-keyspace-events Eg
        ZADD z 1 a 2 b
        ZREM z a b
        ZADD z 1 a
        ZRANGESTORE d z 0 -1
        ZRANGESTORE d nokey 0 -1
        CONFIG SET notify-keyspace-events Eh
        ZADD z 1 a
        ZREM z a
        "#,
    );
}

/// LPUSH/RPUSH/LPUSHX/RPUSHX announce one `lpush`/`rpush` per command however many elements; pops announce
/// `lpop`/`rpop` once per command (with a count too), then `del` when the list is emptied; no-ops and errors
/// announce nothing.
#[test]
fn events_list_pushes_and_pops() {
    diff_events(
        "events_list_pushes_and_pops",
        r#"
        CONFIG SET notify-keyspace-events KEA
        LPUSH l a
        LPUSH l b c d
        RPUSH l e f
        LPUSHX l x
        RPUSHX l y z
        LPUSHX nokey x
        RPUSHX nokey x
        LPUSH l
        SET str x
        LPUSH str a
        RPUSHX str a
        LPOP l
        RPOP l
        LPOP l 2
        RPOP l 0
        LPOP l 0
        LPOP l -1
        LPOP nokey
        RPOP nokey 3
        LPOP str
        RPOP l 100
        EXISTS l
        RPUSH l a
        LPOP l
        RPUSH l a b
        RPOP l 2
        RPUSH l a b c
        LPOP l 3
        LLEN l
        LRANGE l 0 -1
        LINDEX l 0
        LPOS l a
        "#,
    );
}

/// LINSERT (`linsert`), LSET (`lset`), LREM (`lrem`, then `del`), LTRIM (`ltrim` even when nothing is cut,
/// then `del` when the list is emptied).
#[test]
fn events_list_edits() {
    diff_events(
        "events_list_edits",
        r#"
        CONFIG SET notify-keyspace-events KEA
        RPUSH l a b c d e
        LINSERT l BEFORE c x
        LINSERT l AFTER e y
        LINSERT l BEFORE nope z
        LINSERT nokey BEFORE a z
        LINSERT l middle a z
        LSET l 0 first
        LSET l 0 first
        LSET l 100 x
        LSET nokey 0 x
        LREM l 0 nope
        LREM l 1 x
        LREM l -1 y
        LREM l 0 b
        LREM nokey 0 a
        LTRIM l 0 -1
        LTRIM l 0 100
        LTRIM l 1 -1
        LTRIM l x 1
        LTRIM nokey 0 1
        LTRIM nokey 1 0
        LRANGE l 0 -1
        LREM l 0 c
        LREM l 0 d
        LREM l 0 e
        EXISTS l
        RPUSH l a b
        LTRIM l 5 10
        EXISTS l
        RPUSH l a
        LTRIM l 1 0
        SET str x
        LSET str 0 x
        LTRIM str 0 1
        LREM str 0 x
        LINSERT str BEFORE a b
        "#,
    );
}

/// LMOVE and RPOPLPUSH announce the push on the destination (`lpush` or `rpush`) first, then the pop on the source
/// (`lpop` or `rpop`), then `del` when the source was emptied; the same two events when source and destination
/// are one key. LMPOP announces like a pop with a count.
#[test]
fn events_list_moves() {
    diff_events(
        "events_list_moves",
        r#"
        CONFIG SET notify-keyspace-events KEA
        RPUSH src a b c d e
        LMOVE src dst LEFT LEFT
        LMOVE src dst LEFT RIGHT
        LMOVE src dst RIGHT LEFT
        LMOVE src dst RIGHT RIGHT
        RPOPLPUSH src dst
        EXISTS src
        LMOVE src dst LEFT LEFT
        RPOPLPUSH nokey dst
        RPUSH src a
        RPOPLPUSH src src
        LMOVE src src LEFT RIGHT
        LMOVE src src RIGHT LEFT
        LMOVE dst dst LEFT RIGHT
        LMOVE dst dst LEFT LEFT
        SET str x
        LMOVE src str LEFT LEFT
        RPOPLPUSH str dst
        RPOPLPUSH nokey str
        LMOVE src dst UP DOWN
        LRANGE src 0 -1
        LRANGE dst 0 -1
        RPOPLPUSH src newdst
        LMPOP 2 nokey dst LEFT
        LMPOP 1 dst RIGHT COUNT 2
        LMPOP 1 dst LEFT COUNT 100
        EXISTS dst
        LMPOP 1 dst LEFT
        LMPOP 1 str LEFT
        LMPOP 0 dst LEFT
        "#,
    );
}

/// Only the enabled classes are published: `l` events without the generic `del`, and the other way round; a
/// list whose TTL passed is announced `expired` before the push that recreates it.
#[test]
fn events_list_class_filtering_and_expiry() {
    diff_events(
        "events_list_class_filtering_and_expiry",
        r#"
        CONFIG SET notify-keyspace-events Kl
        RPUSH l a b
        LPOP l 2
        RPUSH l a
        LMOVE l m LEFT LEFT
        CONFIG SET notify-keyspace-events Eg
        RPUSH l a b
        LTRIM l 1 0
        RPUSH l a
        RPOPLPUSH l m
        CONFIG SET notify-keyspace-events Eh
        RPUSH l a
        LPOP l
        CONFIG SET notify-keyspace-events ""
        DEBUG SET-ACTIVE-EXPIRE 0
        RPUSH e a
        PEXPIRE e 1
        RPUSH f a
        PEXPIRE f 1
        CONFIG SET notify-keyspace-events KEA
        !sleep 20
        RPUSH e b
        LPOP f
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}
