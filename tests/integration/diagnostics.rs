//! SLOWLOG, LATENCY and INFO commandstats / errorstats / latencystats over real connections, with the numbers
//! checked: calls, failures and rejections counted per command, error codes, slow log entries (argument
//! truncation, ids, client fields, max length, threshold), latency events and histograms.

use crate::support::{self, EmbedisServer};
use redis::Value;
use std::collections::HashMap;

fn connect(server: &EmbedisServer) -> redis::Connection {
    let client = redis::Client::open(format!("redis://{}/", server.addr())).unwrap();
    client.get_connection().unwrap()
}

/// Runs a command that must succeed.
fn q(con: &mut redis::Connection, args: &[&str]) -> Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Runs a command that must fail.
fn q_err(con: &mut redis::Connection, args: &[&str]) -> String {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    match cmd.query::<Value>(con) {
        Ok(v) => panic!("{args:?} answered {v:?}"),
        Err(e) => e.to_string(),
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("not an integer: {other:?}"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::VerbatimString { text, .. } => text.clone(),
        Value::Okay => "OK".into(),
        other => panic!("not a string: {other:?}"),
    }
}

fn list(v: &Value) -> &[Value] {
    match v {
        Value::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

/// A RESP2 map (a flat array of pairs).
fn pairs(v: &Value) -> Vec<(&Value, &Value)> {
    list(v).chunks(2).map(|p| (&p[0], &p[1])).collect()
}

/// INFO `section` as field -> value.
fn info(con: &mut redis::Connection, section: &str) -> HashMap<String, String> {
    text(&q(con, &["INFO", section]))
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A `cmdstat_<name>` line as its `key=value` parts.
fn cmdstat(con: &mut redis::Connection, name: &str) -> Option<HashMap<String, String>> {
    let line = info(con, "commandstats").remove(&format!("cmdstat_{name}"))?;
    Some(line.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect())
}

fn stat(fields: &HashMap<String, String>, key: &str) -> u64 {
    fields[key].parse().unwrap()
}

#[test]
fn commandstats_count_calls_failures_and_rejections() {
    let server = support::start_embedis();
    let mut con = connect(&server);
    q(&mut con, &["CONFIG", "RESETSTAT"]);
    for _ in 0..5 {
        q(&mut con, &["SET", "k", "v"]);
    }
    for _ in 0..3 {
        q(&mut con, &["GET", "k"]);
    }
    q_err(&mut con, &["GET"]); // arity: rejected
    q_err(&mut con, &["INCR", "k"]); // not an integer: failed
    q_err(&mut con, &["HSET", "k", "f", "v"]); // WRONGTYPE: failed
    q_err(&mut con, &["NOSUCHCOMMAND"]); // no command to count it under
    q_err(&mut con, &["CONFIG", "NOSUCH"]); // nor a subcommand
    q(&mut con, &["CONFIG", "GET", "maxclients"]);
    q_err(&mut con, &["SLOWLOG"]); // a container alone: its own rejected call

    let set = cmdstat(&mut con, "set").unwrap();
    assert_eq!((stat(&set, "calls"), stat(&set, "failed_calls"), stat(&set, "rejected_calls")), (5, 0, 0));
    let per_call = stat(&set, "usec") as f32 / 5.0;
    assert_eq!(set["usec_per_call"], format!("{per_call:.2}"));
    let get = cmdstat(&mut con, "get").unwrap();
    assert_eq!((stat(&get, "calls"), stat(&get, "failed_calls"), stat(&get, "rejected_calls")), (3, 0, 1));
    for failed in ["incr", "hset"] {
        let s = cmdstat(&mut con, failed).unwrap();
        assert_eq!((stat(&s, "calls"), stat(&s, "failed_calls"), stat(&s, "rejected_calls")), (1, 1, 0), "{failed}");
    }
    assert_eq!(stat(&cmdstat(&mut con, "config|get").unwrap(), "calls"), 1);
    assert!(cmdstat(&mut con, "config").is_none());
    let slowlog = cmdstat(&mut con, "slowlog").unwrap();
    assert_eq!((stat(&slowlog, "calls"), stat(&slowlog, "rejected_calls")), (0, 1));
    assert_eq!(slowlog["usec_per_call"], "0.00");
    assert!(cmdstat(&mut con, "nosuchcommand").is_none());

    let errors = info(&mut con, "errorstats");
    assert_eq!(errors.get("errorstat_ERR").map(String::as_str), Some("count=5"));
    assert_eq!(errors.get("errorstat_WRONGTYPE").map(String::as_str), Some("count=1"));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(info(&mut con, "stats")["total_error_replies"], "6");

    // commandstats and latencystats are in `all` and `everything`, not in the default set.
    let default = text(&q(&mut con, &["INFO"]));
    assert!(!default.contains("# Commandstats") && !default.contains("# Latencystats"));
    assert!(default.contains("# Errorstats\r\nerrorstat_ERR:count=5\r\n"));
    for all in ["all", "everything"] {
        let text = text(&q(&mut con, &["INFO", all]));
        assert!(text.contains("\r\ncmdstat_set:calls=5,") && text.contains("\r\nlatency_percentiles_usec_set:p50="));
    }

    // RESETSTAT starts everything over: only itself is counted afterwards.
    q(&mut con, &["CONFIG", "RESETSTAT"]);
    let stats = info(&mut con, "commandstats");
    assert_eq!(stats.keys().filter(|k| k.starts_with("cmdstat_")).collect::<Vec<_>>(), ["cmdstat_config|resetstat"]);
    assert!(info(&mut con, "errorstats").keys().all(|k| !k.starts_with("errorstat_")));
    assert_eq!(info(&mut con, "stats")["total_error_replies"], "0");
}

#[test]
fn latency_histograms_and_percentiles_count_every_call() {
    let server = support::start_embedis();
    let mut con = connect(&server);
    q(&mut con, &["CONFIG", "RESETSTAT"]);
    for _ in 0..50 {
        q(&mut con, &["PING"]);
    }
    q(&mut con, &["DEBUG", "SLEEP", "0.01"]);

    let reply = q(&mut con, &["LATENCY", "HISTOGRAM", "ping", "debug", "nosuch"]);
    let commands = pairs(&reply);
    assert_eq!(commands.iter().map(|(name, _)| text(name)).collect::<Vec<_>>(), ["ping", "debug"]);
    const KEYS: [i64; 21] = [
        1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266, 270532, 541065,
        1073741,
    ];
    for (name, data) in &commands {
        let fields = pairs(data);
        assert_eq!((text(fields[0].0), text(fields[1].0)), ("calls".into(), "histogram_usec".into()));
        let calls = int(fields[0].1);
        let buckets: Vec<(i64, i64)> = pairs(fields[1].1).iter().map(|(k, v)| (int(k), int(v))).collect();
        // Cumulative counts that grow, under Redis's bucket keys, ending at every call.
        assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1), "{buckets:?}");
        assert!(buckets.iter().all(|(key, _)| KEYS.contains(key)), "{buckets:?}");
        assert_eq!(buckets.last().map(|b| b.1), Some(calls));
        assert_eq!(calls, if text(name) == "ping" { 50 } else { 1 });
    }
    // 10 ms is over the 8454 µs bucket.
    let debug = pairs(commands[1].1);
    assert!(int(pairs(debug[1].1)[0].0) >= 16908);

    let percentiles = info(&mut con, "latencystats");
    let ping = &percentiles["latency_percentiles_usec_ping"];
    let values: Vec<f64> = ping.split(',').map(|p| p.split_once('=').unwrap().1.parse().unwrap()).collect();
    assert!(ping.starts_with("p50=") && ping.contains(",p99=") && ping.contains(",p99.9="), "{ping}");
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{ping}");
    let debug = &percentiles["latency_percentiles_usec_debug"];
    assert!(debug.split(',').all(|p| p.split_once('=').unwrap().1.parse::<f64>().unwrap() >= 10_000.0), "{debug}");

    q(&mut con, &["CONFIG", "SET", "latency-tracking-info-percentiles", "25 75.5"]);
    let ping = &info(&mut con, "latencystats")["latency_percentiles_usec_ping"];
    assert!(ping.starts_with("p25=") && ping.contains(",p75.5=") && ping.matches('=').count() == 2, "{ping}");

    // With tracking off, calls are still counted but histograms stay as they were.
    q(&mut con, &["CONFIG", "SET", "latency-tracking", "no"]);
    q(&mut con, &["PING"]);
    assert!(!info(&mut con, "latencystats").keys().any(|k| k.starts_with("latency_percentiles")));
    q(&mut con, &["CONFIG", "SET", "latency-tracking", "yes"]);
    let reply = q(&mut con, &["LATENCY", "HISTOGRAM", "ping"]);
    assert_eq!(int(pairs(pairs(&reply)[0].1)[0].1), 50);
    assert_eq!(stat(&cmdstat(&mut con, "ping").unwrap(), "calls"), 51);

    // A container stands for its subcommands.
    let reply = q(&mut con, &["LATENCY", "HISTOGRAM", "CONFIG"]);
    let names: Vec<String> = pairs(&reply).iter().map(|(n, _)| text(n)).collect();
    assert_eq!(names, ["config|resetstat", "config|set"]);
}

/// The slow log's entries, newest first: (id, time, duration, argv, addr, name).
type Entry = (i64, i64, i64, Vec<String>, String, String);

fn slowlog(con: &mut redis::Connection, count: &str) -> Vec<Entry> {
    list(&q(con, &["SLOWLOG", "GET", count]))
        .iter()
        .map(|e| {
            let e = list(e);
            assert_eq!(e.len(), 6);
            let argv = list(&e[3]).iter().map(text).collect();
            (int(&e[0]), int(&e[1]), int(&e[2]), argv, text(&e[4]), text(&e[5]))
        })
        .collect()
}

#[test]
fn slowlog_entries_are_cut_counted_and_attributed() {
    let server = support::start_embedis();
    let mut con = connect(&server);
    q(&mut con, &["CLIENT", "SETNAME", "tester"]);
    let client_info = text(&q(&mut con, &["CLIENT", "INFO"]));
    let addr = client_info.split(' ').find_map(|f| f.strip_prefix("addr=")).unwrap().to_string();
    q(&mut con, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    q(&mut con, &["SLOWLOG", "RESET"]);

    // 40 arguments: 31 kept, the 32nd says how many more there were; long arguments keep 128 bytes.
    let members: Vec<String> = (0..38).map(|i| format!("m{i}")).collect();
    let mut sadd = vec!["SADD", "set"];
    sadd.extend(members.iter().map(String::as_str));
    q(&mut con, &sadd);
    let long = "x".repeat(200);
    q(&mut con, &["SET", "k", &long]);

    let entries = slowlog(&mut con, "3");
    let (set, sadd_entry, reset) = (&entries[0], &entries[1], &entries[2]);
    assert_eq!(set.3, ["SET", "k", &format!("{}... (72 more bytes)", &long[..128])]);
    assert_eq!(sadd_entry.3.len(), 32);
    assert_eq!(sadd_entry.3[..3], ["SADD", "set", "m0"]);
    assert_eq!(sadd_entry.3[30], "m28");
    assert_eq!(sadd_entry.3[31], "... (9 more arguments)");
    assert_eq!(reset.3, ["SLOWLOG", "RESET"]);
    // Ids grow by one, newest first; each entry names the client.
    assert_eq!([set.0 - sadd_entry.0, sadd_entry.0 - reset.0], [1, 1]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for entry in &entries {
        assert!((entry.1 - now).abs() <= 5 && entry.2 >= 0, "{entry:?}");
        assert_eq!((entry.4.as_str(), entry.5.as_str()), (addr.as_str(), "tester"));
    }

    // Secrets never reach the log.
    q_err(&mut con, &["AUTH", "secret"]);
    q(&mut con, &["CONFIG", "SET", "requirepass", "hunter2"]);
    q(&mut con, &["AUTH", "hunter2"]);
    q(&mut con, &["CONFIG", "SET", "requirepass", ""]);
    let entries = slowlog(&mut con, "4");
    let argvs: Vec<&Vec<String>> = entries.iter().map(|e| &e.3).collect();
    assert_eq!(argvs[0], &["CONFIG", "SET", "requirepass", "(redacted)"]);
    assert_eq!(argvs[1], &["AUTH", "(redacted)"]);
    assert_eq!(argvs[3], &["AUTH", "(redacted)"]);

    // The log keeps the newest slowlog-max-len entries; GET shows 10 unless told otherwise, -1 for all.
    q(&mut con, &["CONFIG", "SET", "slowlog-max-len", "12"]);
    for _ in 0..20 {
        q(&mut con, &["PING"]);
    }
    assert_eq!(int(&q(&mut con, &["SLOWLOG", "LEN"])), 12);
    assert_eq!(slowlog(&mut con, "10").len(), 10);
    let all = slowlog(&mut con, "-1");
    assert_eq!(all.len(), 12);
    assert!(all.windows(2).all(|w| w[0].0 == w[1].0 + 1));
    assert!(slowlog(&mut con, "0").is_empty());
    let before_reset = all[0].0;
    q(&mut con, &["SLOWLOG", "RESET"]);
    // Ids go on after a reset.
    assert!(slowlog(&mut con, "1")[0].0 > before_reset);

    // Only commands at least as slow as the threshold; a negative threshold logs nothing.
    q(&mut con, &["CONFIG", "SET", "slowlog-log-slower-than", "50000"]);
    q(&mut con, &["SLOWLOG", "RESET"]);
    q(&mut con, &["PING"]);
    assert_eq!(int(&q(&mut con, &["SLOWLOG", "LEN"])), 0);
    q(&mut con, &["DEBUG", "SLEEP", "0.06"]);
    let entries = slowlog(&mut con, "-1");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].3, ["DEBUG", "SLEEP", "0.06"]);
    assert!(entries[0].2 >= 60_000, "{:?}", entries[0]);
    q(&mut con, &["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    q(&mut con, &["DEBUG", "SLEEP", "0.06"]);
    assert_eq!(int(&q(&mut con, &["SLOWLOG", "LEN"])), 1);
}

#[test]
fn latency_monitor_keeps_spikes_over_the_threshold() {
    let server = support::start_embedis();
    let mut con = connect(&server);
    q(&mut con, &["CONFIG", "SET", "latency-monitor-threshold", "20"]);
    q(&mut con, &["DEBUG", "SLEEP", "0.005"]);
    assert!(list(&q(&mut con, &["LATENCY", "LATEST"])).is_empty(), "5 ms is under the threshold");
    q(&mut con, &["DEBUG", "SLEEP", "0.03"]);

    let latest = q(&mut con, &["LATENCY", "LATEST"]);
    let event = list(&list(&latest)[0]);
    assert_eq!(text(&event[0]), "command");
    let (ms, max) = (int(&event[2]), int(&event[3]));
    assert!(ms >= 30 && max == ms, "{event:?}");
    let history = q(&mut con, &["LATENCY", "HISTORY", "command"]);
    assert_eq!(list(&history).len(), 1);
    assert_eq!(int(&list(&list(&history)[0])[1]), ms);

    let graph = text(&q(&mut con, &["LATENCY", "GRAPH", "command"]));
    assert!(graph.starts_with(&format!("command - high {ms} ms, low {ms} ms (all time high {ms} ms)\n")), "{graph}");
    let doctor = text(&q(&mut con, &["LATENCY", "DOCTOR"]));
    assert!(doctor.contains(&format!("1. command: 1 latency spikes (average {ms}ms, mean deviation 0ms")), "{doctor}");
    assert!(doctor.contains("- Check your Slow Log") && !doctor.contains("slowlog-log-slower-than"), "{doctor}");
    q(&mut con, &["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    let doctor = text(&q(&mut con, &["LATENCY", "DOCTOR"]));
    assert!(
        doctor.contains(
            "Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 20000'"
        ),
        "{doctor}"
    );
    assert!(q_err(&mut con, &["LATENCY", "GRAPH", "nosuch"]).contains("No samples available for event 'nosuch'"));

    // CONFIG RESETSTAT leaves the latency events and the slow log alone.
    let slow = int(&q(&mut con, &["SLOWLOG", "LEN"]));
    assert!(slow >= 1, "the 30 ms sleep is slower than the default 10 ms threshold");
    q(&mut con, &["CONFIG", "RESETSTAT"]);
    assert_eq!(list(&q(&mut con, &["LATENCY", "LATEST"])).len(), 1);
    assert_eq!(int(&q(&mut con, &["SLOWLOG", "LEN"])), slow);

    assert_eq!(int(&q(&mut con, &["LATENCY", "RESET", "nosuch", "COMMAND"])), 1);
    assert!(list(&q(&mut con, &["LATENCY", "LATEST"])).is_empty());
}
