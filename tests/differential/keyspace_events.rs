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
