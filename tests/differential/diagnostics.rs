//! SLOWLOG, LATENCY and INFO's commandstats / errorstats / latencystats against redis-server. Durations,
//! timestamps and ports differ between two servers by nature: those replies are compared by shape (`~`) or
//! with their digits masked. Redis lists commands in its hash table's order, which changes from one process to
//! the next, so the INFO lines compared here are single lines; the integration tests check the numbers.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn, RedisServer};
use std::net::SocketAddr;

#[test]
fn slowlog_errors_help_and_shapes() {
    diff_script(
        "slowlog",
        r#"
        SLOWLOG HELP
        SLOWLOG
        SLOWLOG foo
        SLOWLOG GET -2
        SLOWLOG GET abc
        SLOWLOG GET " 1"
        SLOWLOG GET 9223372036854775808
        SLOWLOG GET 1 2
        SLOWLOG LEN x
        SLOWLOG RESET x
        SLOWLOG HELP x
        slowlog get
        SLOWLOG RESET
        SLOWLOG LEN
        SLOWLOG GET
        CONFIG SET slowlog-log-slower-than 0
        SLOWLOG LEN
        ~ SLOWLOG GET
        SLOWLOG GET 0
        ~ SLOWLOG GET 1
        ~ SLOWLOG GET -1
        ~ SLOWLOG GET 9223372036854775807
        CLIENT SETNAME diag
        SET key value
        ~ SLOWLOG GET 2
        CONFIG SET slowlog-max-len 2
        SLOWLOG LEN
        ~ SLOWLOG GET -1
        CONFIG SET slowlog-log-slower-than -1
        SLOWLOG RESET
        PING
        SLOWLOG LEN
        "#,
    );
}

#[test]
fn slowlog_resp3_shapes() {
    diff_resp3_script(
        "slowlog_resp3",
        r#"
        CONFIG SET slowlog-log-slower-than 0
        SET key value
        ~ SLOWLOG GET 3
        SLOWLOG HELP
        "#,
    );
}

#[test]
fn latency_events_doctor_and_errors() {
    // The doctor's texts depend on the host having no transparent huge pages in use, which holds for the
    // test machines (madvise mode): both servers then say the same.
    diff_script(
        "latency",
        r#"
        LATENCY HELP
        LATENCY
        LATENCY foo
        LATENCY LATEST x
        LATENCY HISTORY
        LATENCY GRAPH a b
        LATENCY DOCTOR x
        LATENCY LATEST
        LATENCY HISTORY command
        LATENCY GRAPH command
        LATENCY DOCTOR
        LATENCY RESET
        LATENCY RESET a b
        CONFIG SET latency-monitor-threshold 200
        LATENCY DOCTOR
        CONFIG SET latency-monitor-threshold 5
        DEBUG SLEEP 0.02
        ~ LATENCY LATEST
        ~ LATENCY HISTORY command
        LATENCY HISTORY COMMAND
        LATENCY HISTORY fast-command
        ~ LATENCY GRAPH command
        LATENCY GRAPH COMMAND
        ~ LATENCY DOCTOR
        LATENCY RESET COMMAND command
        LATENCY LATEST
        LATENCY RESET
        CONFIG SET latency-monitor-threshold 0
        LATENCY DOCTOR
        "#,
    );
}

#[test]
fn latency_resp3_shapes() {
    diff_resp3_script(
        "latency_resp3",
        r#"
        CONFIG SET latency-monitor-threshold 5
        DEBUG SLEEP 0.02
        ~ LATENCY LATEST
        ~ LATENCY HISTORY command
        ~ LATENCY GRAPH command
        ~ LATENCY DOCTOR
        LATENCY RESET
        "#,
    );
}

#[test]
fn latency_histogram_shapes() {
    // One call per command, so each has exactly one bucket on both servers whatever it took.
    diff_script(
        "latency_histogram",
        r#"
        CONFIG RESETSTAT
        ~ LATENCY HISTOGRAM
        PING
        ~ LATENCY HISTOGRAM ping
        ~ LATENCY HISTOGRAM PING nosuch get|x config|nosuch config|resetstat|x
        ~ LATENCY HISTOGRAM config|RESETSTAT
        ~ LATENCY HISTOGRAM config
        LATENCY HISTOGRAM nosuch
        LATENCY HISTOGRAM get
        CONFIG SET latency-tracking no
        ECHO hello
        LATENCY HISTOGRAM echo
        CONFIG SET latency-tracking yes
        "#,
    );
    diff_resp3_script(
        "latency_histogram_resp3",
        r#"
        CONFIG RESETSTAT
        PING
        ~ LATENCY HISTOGRAM ping
        ~ LATENCY HISTOGRAM config
        LATENCY HISTOGRAM nosuch
        "#,
    );
}

#[test]
fn info_commandstats_errorstats_latencystats() {
    diff_script(
        "info_stats_sections",
        r#"
        CONFIG RESETSTAT
        mask(usec=) mask(call=) mask(.) INFO commandstats
        INFO errorstats
        CONFIG RESETSTAT
        CONFIG RESETSTAT extra
        mask(usec=) mask(call=) mask(.) INFO COMMANDSTATS
        CONFIG RESETSTAT
        mask(=) mask(.) INFO latencystats
        GET
        NOSUCHCOMMAND
        SET k v
        HSET k f v
        INCR k
        CONFIG nosuch
        INFO errorstats
        INFO ERRORSTATS cluster
        CONFIG SET latency-tracking-info-percentiles "0 12.5 100"
        CONFIG RESETSTAT
        mask(=) mask(.) INFO latencystats
        CONFIG SET latency-tracking-info-percentiles ""
        CONFIG RESETSTAT
        INFO latencystats
        CONFIG SET latency-tracking no
        INFO latencystats
        CONFIG SET latency-tracking yes
        CONFIG GET latency-tracking
        # strtod's rules: hex floats and subnormals are numbers, an underflow to zero is not.
        CONFIG SET latency-tracking-info-percentiles "0x10 1e-310 +5 .5"
        CONFIG GET latency-tracking-info-percentiles
        CONFIG SET latency-tracking-info-percentiles 1e-400
        CONFIG GET latency-tracking-info-percentiles
        CONFIG SET latency-tracking-info-percentiles "50 99 99.9"
        CONFIG RESETSTAT
        INFO errorstats
        "#,
    );
}

/// Scripts' errors in errorstats and failed_calls: counted once, whether raised, returned or passed on from a
/// command (Redis's ignore_error_stats_update); EXEC does not fail for its commands' errors.
#[test]
fn script_and_transaction_errors_in_the_stats() {
    diff_script(
        "script_and_transaction_errors_in_the_stats",
        r#"
        SET s v
        CONFIG RESETSTAT
        EVAL "return redis.error_reply('MY err')" 0
        EVAL "error('boom')" 0
        EVAL "return redis.call('hget', 's', 'f')" 0
        EVAL "return redis.pcall('hget', 's', 'f')" 0
        EVAL "redis.pcall('hget', 's', 'f') return 1" 0
        EVAL "return {err='X y'}" 0
        EVAL "syntax error here" 0
        MULTI
        HGET s f
        EXEC
        NOSUCH
        GET
        GET s
        INFO errorstats
        "#,
    );
}

/// The `# Section` headers of an INFO reply, in order.
fn headers(conn: &mut Conn, args: &[&str]) -> Vec<String> {
    let reply = conn.cmd(args);
    String::from_utf8_lossy(&reply).split("\r\n").filter(|l| l.starts_with("# ")).map(String::from).collect()
}

/// A numeric field of an INFO reply.
fn info_field(conn: &mut Conn, section: &str, field: &str) -> Option<String> {
    let reply = conn.cmd(&["INFO", section]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    text.split("\r\n").find_map(|l| l.strip_prefix(&format!("{field}:")).map(String::from))
}

#[test]
fn info_picks_the_same_sections_and_counts_the_same_errors() {
    let Some(oracle) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let addrs: [SocketAddr; 2] = [oracle.addr(), embedis.addr()];
    let mut conns = addrs.map(Conn::connect);
    for args in [
        &["INFO"][..],
        &["INFO", "default"],
        &["INFO", "all"],
        &["INFO", "everything"],
        &["INFO", "default", "commandstats"],
        &["INFO", "latencystats", "server"],
        &["INFO", "errorstats", "ALL"],
        &["INFO", "nosuch"],
    ] {
        let [a, b] = &mut conns;
        assert_eq!(headers(a, args), headers(b, args), "{args:?}");
    }
    let counts = conns.each_mut().map(|conn| {
        conn.cmd(&["CONFIG", "RESETSTAT"]);
        conn.cmd(&["GET"]);
        conn.cmd(&["NOSUCH"]);
        conn.cmd(&["SET", "k", "v"]);
        conn.cmd(&["HGET", "k", "f"]);
        (info_field(conn, "stats", "total_error_replies"), info_field(conn, "stats", "unexpected_error_replies"))
    });
    assert_eq!(counts[0], counts[1]);
    assert_eq!(counts[0].0.as_deref(), Some("3"));
}

/// A reply with every run of digits replaced by `#`: durations and ages differ between two servers.
fn digits_masked(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    let mut out = String::new();
    for c in text.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

#[test]
fn latency_doctor_and_graph_say_the_same_but_for_numbers() {
    let Some(oracle) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let mut conns = [oracle.addr(), embedis.addr()].map(Conn::connect);
    let mut run = |args: &[&str]| conns.each_mut().map(|conn| digits_masked(&conn.cmd(args)));
    run(&["CONFIG", "SET", "latency-monitor-threshold", "5"]);
    // One sample: two could fall in one second on one server and in two on the other.
    run(&["DEBUG", "SLEEP", "0.02"]);
    for (setting, check) in [
        // The slow log logs only slower commands than the threshold, is off, or is fine.
        (None, &["LATENCY", "DOCTOR"][..]),
        (Some("-1"), &["LATENCY", "DOCTOR"]),
        (Some("1000"), &["LATENCY", "DOCTOR"]),
        (None, &["LATENCY", "GRAPH", "command"]),
    ] {
        if let Some(value) = setting {
            run(&["CONFIG", "SET", "slowlog-log-slower-than", value]);
        }
        let [expected, actual] = run(check);
        assert_eq!(actual, expected, "{check:?} after slowlog-log-slower-than {setting:?}");
    }
}

/// Commands a script may not run (unknown, wrong arity, noscript, writes from a read-only script, OOM) count
/// in errorstats and as the command's rejected calls, once, whether raised or returned by pcall.
#[test]
fn commands_refused_inside_scripts_count_as_rejected() {
    let script = r#"
        SET x 1
        CONFIG RESETSTAT
        CONFIG SET maxmemory 1
        EVAL "return redis.call('set', 'k', 'v')" 0
        EVAL "return redis.pcall('set', 'k', 'v')" 0
        CONFIG SET maxmemory 0
        EVAL "return redis.call('nosuch')" 0
        EVAL "return redis.pcall('get')" 0
        EVAL "return redis.pcall('get', 'x', 'y')" 0
        EVAL "return redis.call('client', 'id')" 0
        EVAL "return redis.pcall('client')" 0
        EVAL_RO "return redis.call('set', 'a', 'b')" 0
        EVAL "redis.pcall('nosuch') return 1" 0
        INFO errorstats
    "#;
    diff_script("commands_refused_inside_scripts", script);
    // Per-command counters (INFO lists commands in another order here): compared as sorted lines.
    let Some(oracle) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let stats = [oracle.addr(), embedis.addr()].map(|addr| {
        let mut conn = Conn::connect(addr);
        for line in script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("INFO")) {
            conn.cmd(&super::script::split_args(line).unwrap());
        }
        let reply = String::from_utf8_lossy(&conn.cmd(&["INFO", "commandstats"])).into_owned();
        let mut lines: Vec<String> = reply
            .split("\r\n")
            .filter(|l| l.starts_with("cmdstat_"))
            .map(|l| {
                let (name, fields) = l.split_once(':').unwrap_or((l, ""));
                let kept: Vec<&str> = fields.split(',').filter(|f| !f.starts_with("usec")).collect();
                format!("{name}:{}", kept.join(","))
            })
            .collect();
        lines.sort();
        lines
    });
    assert_eq!(stats[0], stats[1]);
}
