//! Keyspace notifications and Pub/Sub messages against redis-server: a second connection subscribed to every
//! channel records what each line publishes, and both servers must publish the same messages in the same order.

use super::diff_events;

/// PUBLISH reaches pattern subscribers; no events while notify-keyspace-events is empty.
#[test]
fn events_follow_the_configured_classes() {
    diff_events(
        "events_follow_the_configured_classes",
        r#"
        PUBLISH chat hello
        SET k v
        CONFIG SET notify-keyspace-events KEA
        SET k v
        SET k v EX 100
        CONFIG SET notify-keyspace-events E$
        SET k v PX 100
        CONFIG SET notify-keyspace-events Kg
        SET k v PX 100
        CONFIG SET notify-keyspace-events ""
        SET k v
        "#,
    );
}

/// `new` (class n) when a key is created, `keymiss` (class m) when a read finds nothing; neither is in `A`.
#[test]
fn new_key_and_key_miss_events() {
    diff_events(
        "new_key_and_key_miss_events",
        r#"
        CONFIG SET notify-keyspace-events KEA
        SET a 1
        GET nothing
        CONFIG SET notify-keyspace-events KEAnm
        SET a 2
        SET b 1
        GET nothing
        GET a
        EXISTS nothing
        TYPE nothing
        HSET h f v
        HSET h g v
        SADD s m
        ZADD z 1 m
        HGET nohash f
        MGET a nothing1 nothing2
        RENAME a c
        DEBUG SET-ACTIVE-EXPIRE 0
        SET t v PX 1
        !sleep 20
        SET t w
        CONFIG SET notify-keyspace-events Em
        GET nothing
        "#,
    );
}
