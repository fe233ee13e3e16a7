//! Pub/Sub across real connections: a client library's subscriber, fan-out to many subscribers, cleanup on
//! disconnect, slow consumers cut off at their output buffer limit, keyspace events driven by the test clock.

use crate::support::conn::bulks;
use crate::support::{eventually, Conn};
use std::time::{Duration, Instant};

#[test]
fn a_client_librarys_subscriber_gets_channel_and_pattern_messages_in_order() {
    let server = embedis::blocking::Server::start().unwrap();
    let client = redis::Client::open(server.url()).unwrap();
    let mut sub_con = client.get_connection().unwrap();
    let mut sub = sub_con.as_pubsub();
    sub.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    sub.subscribe("tk:messages:42").unwrap();
    sub.psubscribe("tk:notifications:*").unwrap();
    let mut publisher = client.get_connection().unwrap();
    for i in 0..20 {
        let receivers: i64 =
            redis::cmd("PUBLISH").arg("tk:messages:42").arg(format!("hello {i}")).query(&mut publisher).unwrap();
        assert_eq!(receivers, 1);
    }
    let receivers: i64 = redis::cmd("PUBLISH").arg("tk:notifications:7").arg("ping").query(&mut publisher).unwrap();
    assert_eq!(receivers, 1);
    for i in 0..20 {
        let msg = sub.get_message().unwrap();
        assert_eq!(msg.get_channel_name(), "tk:messages:42");
        assert_eq!(msg.get_payload::<String>().unwrap(), format!("hello {i}"));
    }
    let msg = sub.get_message().unwrap();
    assert_eq!(msg.get_pattern::<String>().unwrap(), "tk:notifications:*");
    assert_eq!((msg.get_channel_name(), msg.get_payload::<String>().unwrap()), ("tk:notifications:7", "ping".into()));
}

#[test]
fn fan_out_delivers_every_message_once_to_each_of_200_subscribers_in_order() {
    let server = embedis::blocking::Server::start().unwrap();
    // Four kinds of subscriber: channel c0, channel c1, pattern c*, and both c1 and c? (two deliveries each).
    let mut subscribers: Vec<(usize, Conn)> = (0..200)
        .map(|i| {
            let mut c = Conn::connect(server.addr());
            match i % 4 {
                0 => c.send(&["SUBSCRIBE", "c0"]),
                1 => c.send(&["SUBSCRIBE", "c1"]),
                2 => c.send(&["PSUBSCRIBE", "c*"]),
                _ => c.send(&["SUBSCRIBE", "c1"]),
            }
            c.read_reply_bytes();
            if i % 4 == 3 {
                c.send(&["PSUBSCRIBE", "c?"]);
                c.read_reply_bytes();
            }
            (i % 4, c)
        })
        .collect();
    let mut publisher = Conn::connect(server.addr());
    for j in 0..100 {
        let channel = if j % 2 == 0 { "c0" } else { "c1" };
        // c0 reaches 50 channel subscribers and 100 through patterns; c1 also reaches the 50 that have both
        // its channel and a pattern twice.
        let expected = if j % 2 == 0 { 150 } else { 200 };
        assert_eq!(publisher.cmd(&["PUBLISH", channel, &format!("m{j}")]), format!(":{expected}\r\n").as_bytes());
    }
    for (kind, sub) in &mut subscribers {
        let mut got = Vec::new();
        let expected_len = match kind {
            0 | 1 => 50,
            2 => 100,
            _ => 150,
        };
        for _ in 0..expected_len {
            let parts = bulks(&sub.read_reply_bytes());
            got.push((parts[parts.len() - 2].clone(), parts[parts.len() - 1].clone()));
        }
        let expected: Vec<(String, String)> = (0..100)
            .filter(|j| match kind {
                0 => j % 2 == 0,
                1 => j % 2 == 1,
                _ => true,
            })
            .flat_map(|j| {
                let channel = if j % 2 == 0 { "c0" } else { "c1" };
                let copies = if *kind == 3 && j % 2 == 1 { 2 } else { 1 };
                std::iter::repeat_n((channel.to_string(), format!("m{j}")), copies)
            })
            .collect();
        assert_eq!(got, expected, "subscriber kind {kind}");
        // Nothing more is pending: the next reply is the answer to this PING.
        assert_eq!(sub.cmd(&["PING"]), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    }
}

#[test]
fn a_disconnected_subscriber_leaves_every_channel_and_pattern() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut sub = Conn::connect(server.addr());
    sub.send(&["SUBSCRIBE", "a", "b"]);
    sub.read_reply_bytes();
    sub.read_reply_bytes();
    sub.send(&["PSUBSCRIBE", "p*"]);
    sub.read_reply_bytes();
    sub.send(&["SSUBSCRIBE", "s"]);
    sub.read_reply_bytes();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["PUBSUB", "NUMSUB", "a", "b"]), b"*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:1\r\n");
    drop(sub);
    eventually("every subscription gone", || {
        c.cmd(&["PUBSUB", "NUMSUB", "a", "b"]) == b"*4\r\n$1\r\na\r\n:0\r\n$1\r\nb\r\n:0\r\n"
            && c.cmd(&["PUBSUB", "NUMPAT"]) == b":0\r\n"
            && c.cmd(&["PUBSUB", "SHARDNUMSUB", "s"]) == b"*2\r\n$1\r\ns\r\n:0\r\n"
    });
    assert_eq!(c.cmd(&["PUBLISH", "a", "x"]), b":0\r\n");
    assert_eq!(c.cmd(&["PUBSUB", "CHANNELS"]), b"*0\r\n");
}

#[test]
fn a_subscriber_that_never_reads_is_cut_off_at_the_hard_limit() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut publisher = Conn::connect(server.addr());
    let mut stuck = Conn::connect(server.addr());
    stuck.send(&["SUBSCRIBE", "firehose"]);
    stuck.read_reply_bytes();
    // 100 MB at 100 KB a message: the default limit (pubsub 32mb 8mb 60) is crossed a third of the way in.
    let payload = "x".repeat(100 * 1024);
    let mut receivers = Vec::new();
    for _ in 0..1000 {
        let reply = publisher.cmd(&["PUBLISH", "firehose", &payload]);
        receivers.push(reply == b":1\r\n");
    }
    let delivered = receivers.iter().filter(|r| **r).count();
    assert!(delivered < 1000, "the stuck subscriber was still receiving after 100 MB");
    assert!(delivered >= 300, "cut off at {delivered} messages, before the 32 MB hard limit");
    assert!(receivers[delivered..].iter().all(|r| !r), "no delivery after the cut-off");
    assert_eq!(publisher.cmd(&["PUBSUB", "NUMSUB", "firehose"]), b"*2\r\n$8\r\nfirehose\r\n:0\r\n");
    // The stuck client finds its connection closed once it reads what the kernel had buffered.
    let ended = loop {
        match stuck.try_read_reply_bytes(Duration::from_secs(5)) {
            Ok(_) => continue,
            Err(err) => break err,
        }
    };
    assert!(matches!(ended, crate::support::ReadError::Closed { .. }), "{}", crate::support::conn::describe(&ended));
}

#[test]
fn the_soft_limit_cuts_off_a_subscriber_that_stays_over_it() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut publisher = Conn::connect(server.addr());
    assert_eq!(publisher.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1mb 1"]), b"+OK\r\n");
    let mut stuck = Conn::connect(server.addr());
    stuck.send(&["SUBSCRIBE", "slow"]);
    stuck.read_reply_bytes();
    let payload = "y".repeat(64 * 1024);
    // Past the soft limit (beyond what the socket buffers absorb), then over it for more than a second.
    let started = Instant::now();
    let mut cut_at = None;
    while started.elapsed() < Duration::from_secs(5) {
        if publisher.cmd(&["PUBLISH", "slow", &payload]) == b":0\r\n" {
            cut_at = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let cut_at = cut_at.expect("the subscriber stayed over the soft limit without being cut off");
    assert!(cut_at >= Duration::from_secs(1), "cut off after {cut_at:?}, before the soft limit's second");
}

#[test]
fn expired_events_fire_when_the_test_clock_moves() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Ex"]), b"+OK\r\n");
    let mut sub = Conn::connect(server.addr());
    sub.cmd(&["SUBSCRIBE", "__keyevent@0__:expired"]);
    c.cmd(&["SET", "session:1", "u", "EX", "60"]);
    c.cmd(&["SET", "session:2", "u", "EX", "600"]);
    server.advance_time(Duration::from_secs(61));
    // The active expiry cycle finds it without any read.
    assert_eq!(bulks(&sub.read_reply_bytes()), ["message", "__keyevent@0__:expired", "session:1"]);
    // Lazy expiry: with the cycle off, a read finds it expired.
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    server.advance_time(Duration::from_secs(600));
    assert_eq!(c.cmd(&["GET", "session:2"]), b"$-1\r\n");
    assert_eq!(bulks(&sub.read_reply_bytes()), ["message", "__keyevent@0__:expired", "session:2"]);
}

#[test]
fn a_resp3_subscriber_gets_push_frames_between_its_replies() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut sub = Conn::connect(server.addr());
    sub.cmd(&["HELLO", "3"]);
    assert_eq!(sub.cmd(&["SUBSCRIBE", "news"]), b">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    let mut publisher = Conn::connect(server.addr());
    assert_eq!(publisher.cmd(&["PUBLISH", "news", "first"]), b":1\r\n");
    // A normal command still works; the message published before it arrives first.
    sub.send(&["SET", "k", "v"]);
    assert_eq!(sub.read_reply_bytes(), b">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nfirst\r\n");
    assert_eq!(sub.read_reply_bytes(), b"+OK\r\n");
    publisher.cmd(&["PUBLISH", "news", "second"]);
    assert_eq!(sub.read_reply_bytes(), b">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$6\r\nsecond\r\n");
    assert_eq!(sub.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
}
