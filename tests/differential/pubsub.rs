//! Pub/Sub reply shapes against redis-server: subscription confirmations and counts, the RESP2 subscribed
//! context, PING while subscribed, PUBSUB introspection, RESP3 push frames. Commands answering several
//! replies (SUBSCRIBE a b) are sent `!raw`.

use super::{diff_events, diff_resp3_script, diff_script};

#[test]
fn subscribe_confirmations_count_channels_and_patterns() {
    diff_script(
        "subscribe_confirmations_count_channels_and_patterns",
        r#"
        UNSUBSCRIBE
        PUNSUBSCRIBE
        SUNSUBSCRIBE
        UNSUBSCRIBE never
        !raw SUBSCRIBE a b a\r\n
        PSUBSCRIBE p*
        PSUBSCRIBE p*
        SSUBSCRIBE s1
        UNSUBSCRIBE nope
        PUNSUBSCRIBE nope*
        SUNSUBSCRIBE nope
        PING
        PING hello
        GET k
        SET k v
        CONFIG GET maxmemory
        MULTI
        !raw PUNSUBSCRIBE\r\n
        UNSUBSCRIBE a
        UNSUBSCRIBE b
        SUNSUBSCRIBE
        UNSUBSCRIBE
        PING
        GET k
        !raw SUBSCRIBE x\r\nQUIT\r\n
        !reconnect
        PUBSUB NUMSUB x
        "#,
    );
}

#[test]
fn subscribe_errors_and_arity() {
    diff_script(
        "subscribe_errors_and_arity",
        r#"
        SUBSCRIBE
        PSUBSCRIBE
        SSUBSCRIBE
        PUBLISH a
        PUBLISH a b c
        SPUBLISH a
        PUBSUB
        PUBSUB foo
        PUBSUB CHANNELS a b
        PUBSUB SHARDCHANNELS a b
        PUBSUB NUMPAT x
        PUBSUB HELP
        PUBSUB help extra
        EVAL "return redis.call('subscribe', 'x')" 0
        EVAL "return redis.call('publish', 'x', 'y')" 0
        "#,
    );
}

#[test]
fn pubsub_introspection() {
    diff_events(
        "pubsub_introspection",
        r#"
        PUBSUB CHANNELS
        PUBSUB NUMSUB
        PUBSUB NUMSUB a b
        PUBSUB NUMPAT
        PUBSUB SHARDCHANNELS
        PUBSUB SHARDNUMSUB s
        PUBLISH a hello
        SPUBLISH s hello
        !raw SSUBSCRIBE s t\r\n
        !reconnect
        PUBSUB SHARDCHANNELS
        PUBSUB NUMPAT
        PUBLISH "__keyspace@0__:x" y
        PUBLISH "" ""
        PUBLISH "bin\x00ary" "\x00\xff"
        "#,
    );
}

#[test]
fn resp3_subscribers_get_push_frames_and_can_run_commands() {
    diff_resp3_script(
        "resp3_subscribers_get_push_frames_and_can_run_commands",
        r#"
        UNSUBSCRIBE
        !raw SUBSCRIBE a b\r\n
        PSUBSCRIBE p*
        SSUBSCRIBE s
        PING
        PING hi
        SET k v
        GET k
        PUBLISH a m1
        PUBLISH pq m2
        !raw PUBLISH a m3\r\n
        UNSUBSCRIBE b
        PUNSUBSCRIBE p*
        ~ HELLO 2
        PING
        GET k
        RESET
        GET k
        "#,
    );
}
