//! What the server observed about its own commands, for operators: SLOWLOG, LATENCY (events, DOCTOR, GRAPH and
//! the per-command HISTOGRAM) and INFO's commandstats, errorstats and latencystats sections. The records
//! themselves are kept by `server::observe`, fed by the dispatcher; this module only reads and resets them.
//!
//! Redis lists commands and events in its hash tables' order, which varies; here they come sorted by name
//! (a container's subcommands right after it), so the output is stable.

use super::{is, reply_help, Args};
use crate::engine::flags::*;
use crate::engine::observe::{CommandStats, LatencySeries};
use crate::engine::state::State;
use crate::engine::{table, CommandSpec, Ctx};
use crate::error::CmdError;
use crate::protocol::number;
use std::fmt::Write;

pub const COMMANDS: &[CommandSpec] =
    &[CommandSpec::container("slowlog", SLOWLOG), CommandSpec::container("latency", LATENCY)];

const SLOWLOG: &[CommandSpec] = &[
    CommandSpec::new("slowlog|get", -2, ADMIN | LOADING | STALE, (0, 0, 0), slowlog_get).group("server"),
    CommandSpec::new("slowlog|len", 2, ADMIN | LOADING | STALE, (0, 0, 0), slowlog_len).group("server"),
    CommandSpec::new("slowlog|reset", 2, ADMIN | LOADING | STALE, (0, 0, 0), slowlog_reset).group("server"),
    CommandSpec::new("slowlog|help", 2, LOADING | STALE, (0, 0, 0), slowlog_help).group("server"),
];

const LATENCY_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

const LATENCY: &[CommandSpec] = &[
    CommandSpec::new("latency|latest", 2, LATENCY_FLAGS, (0, 0, 0), latency_latest).group("server"),
    CommandSpec::new("latency|history", 3, LATENCY_FLAGS, (0, 0, 0), latency_history).group("server"),
    CommandSpec::new("latency|reset", -2, LATENCY_FLAGS, (0, 0, 0), latency_reset).group("server"),
    CommandSpec::new("latency|doctor", 2, LATENCY_FLAGS, (0, 0, 0), latency_doctor).group("server"),
    CommandSpec::new("latency|graph", 3, LATENCY_FLAGS, (0, 0, 0), latency_graph).group("server"),
    CommandSpec::new("latency|histogram", -2, LATENCY_FLAGS, (0, 0, 0), latency_histogram).group("server"),
    CommandSpec::new("latency|help", 2, LOADING | STALE, (0, 0, 0), latency_help).group("server"),
];

// ---------------------------------------------------------------------------------------------------------
// SLOWLOG

/// SLOWLOG GET [count]: the newest entries first, 10 by default, -1 for all.
fn slowlog_get(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() > 3 {
        return Err(CmdError::UnknownSubcommandOrArity { sub: argv[1].to_vec(), command: "slowlog" });
    }
    let count = match argv.get(2) {
        Some(arg) => number::parse_i64(arg).filter(|&n| n >= -1).ok_or(crate::error::SLOWLOG_COUNT)?,
        None => 10,
    };
    let log = &ctx.state.observe.slowlog;
    let sent = if count == -1 { log.len() } else { log.len().min(count as u64 as usize) };
    ctx.out.array(sent);
    for entry in log.iter().take(sent) {
        ctx.out.array(6);
        ctx.out.int(entry.id as i64);
        ctx.out.int(entry.unix_time);
        ctx.out.int(entry.usec as i64);
        ctx.out.array(entry.argv.len());
        for arg in &entry.argv {
            ctx.out.bulk(arg);
        }
        ctx.out.bulk(entry.addr.as_bytes());
        ctx.out.bulk(entry.name.as_bytes());
    }
    Ok(())
}

fn slowlog_len(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(ctx.state.observe.slowlog.len() as i64);
    Ok(())
}

fn slowlog_reset(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.state.observe.slowlog.clear();
    ctx.out.ok();
    Ok(())
}

fn slowlog_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY: events

/// The recorded events, sorted by name.
fn events(state: &State) -> Vec<(&'static str, &LatencySeries)> {
    let mut events: Vec<_> = state.observe.latency.iter().map(|(name, series)| (*name, series)).collect();
    events.sort_by_key(|(name, _)| *name);
    events
}

/// An event by its exact name (Redis's event table compares names case-sensitively).
fn event<'a>(state: &'a State, name: &[u8]) -> Option<(&'static str, &'a LatencySeries)> {
    state.observe.latency.iter().find(|(event, _)| event.as_bytes() == name).map(|(event, series)| (*event, series))
}

/// LATENCY LATEST: each event's last sample and its all-time maximum.
fn latency_latest(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let events = events(ctx.state);
    ctx.out.array(events.len());
    for (name, series) in events {
        let (time, ms) = series.samples.back().copied().unwrap_or_default();
        ctx.out.array(4);
        ctx.out.bulk(name.as_bytes());
        ctx.out.int(time);
        ctx.out.int(ms as i64);
        ctx.out.int(series.max_ms as i64);
    }
    Ok(())
}

/// LATENCY HISTORY event: its (time, latency) samples, oldest first; none for an unknown event.
fn latency_history(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let samples = event(ctx.state, argv[2]).map(|(_, series)| &series.samples);
    ctx.out.array(samples.map_or(0, |s| s.len()));
    for &(time, ms) in samples.into_iter().flatten() {
        ctx.out.array(2);
        ctx.out.int(time);
        ctx.out.int(ms as i64);
    }
    Ok(())
}

/// LATENCY RESET [event ...]: forgets the named events (case-insensitively) or all; answers how many went.
fn latency_reset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let latency = &mut ctx.state.observe.latency;
    let before = latency.len();
    if argv.len() == 2 {
        latency.clear();
    } else {
        latency.retain(|event, _| !argv[2..].iter().any(|name| is(name, event)));
    }
    ctx.out.int((before - latency.len()) as i64);
    Ok(())
}

/// LATENCY GRAPH event: Redis's ASCII sparkline of the event's samples.
fn latency_graph(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let Some((name, series)) = event(ctx.state, argv[2]) else {
        return Err(crate::error::latency_no_samples(argv[2]));
    };
    let graph = graph(name, series, ctx.now / 1000);
    ctx.out.verbatim(graph.as_bytes());
    Ok(())
}

/// LATENCY DOCTOR: Redis's report, word for word.
fn latency_doctor(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let report = doctor(ctx.state, ctx.now / 1000);
    ctx.out.verbatim(report.as_bytes());
    Ok(())
}

fn latency_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified \
             command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY GRAPH (Redis's latencyCommandGenSparkeline and sparkline.c)

const GRAPH_COLUMNS: usize = 80;
const GRAPH_ROWS: usize = 4;

fn graph(name: &str, series: &LatencySeries, now: i64) -> String {
    let values: Vec<u64> = series.samples.iter().map(|&(_, ms)| ms).collect();
    let labels: Vec<String> = series.samples.iter().map(|&(time, _)| age_label(now - time)).collect();
    let (low, high) = (values.iter().min().copied().unwrap_or(0), values.iter().max().copied().unwrap_or(0));
    let mut out = format!("{name} - high {high} ms, low {low} ms (all time high {} ms)\n", series.max_ms);
    out.push_str(&"-".repeat(GRAPH_COLUMNS));
    out.push('\n');
    for start in (0..values.len()).step_by(GRAPH_COLUMNS) {
        if start != 0 {
            out.push('\n');
        }
        let end = (start + GRAPH_COLUMNS).min(values.len());
        render_sparkline(&mut out, &values[start..end], &labels[start..end], low as f64, high as f64);
    }
    out
}

/// How long ago a sample was: seconds, minutes, hours or days.
fn age_label(elapsed: i64) -> String {
    match elapsed {
        e if e < 60 => format!("{e}s"),
        e if e < 3600 => format!("{}m", e / 60),
        e if e < 86400 => format!("{}h", e / 3600),
        e => format!("{}d", e / 86400),
    }
}

/// sparklineRenderRange with SPARKLINE_FILL: GRAPH_ROWS rows of `_o#|` bars scaled between the whole
/// sequence's min and max, a blank line, then the labels written vertically.
fn render_sparkline(out: &mut String, values: &[u64], labels: &[String], min: f64, max: f64) {
    const FILL: [char; 3] = ['_', 'o', '#'];
    let steps = (FILL.len() * GRAPH_ROWS) as f64;
    let relmax = if max - min == 0.0 { 1.0 } else { max - min };
    let bar_steps: Vec<i64> = values
        .iter()
        .map(|&v| {
            // C: `step = (int) (relval*steps)/relmax`, the cast binding to the product.
            let step = (((v as f64 - min) * steps) as i64) as f64 / relmax;
            (step as i64).clamp(0, steps as i64 - 1)
        })
        .collect();
    for row in 0..GRAPH_ROWS {
        let line: String = bar_steps
            .iter()
            .map(|&step| {
                let index = step - ((GRAPH_ROWS - row - 1) * FILL.len()) as i64;
                match index {
                    0..=2 => FILL[index as usize],
                    i if i >= 3 => '|',
                    _ => ' ',
                }
            })
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
    // One blank line between the bars and the labels, then one line per label character.
    out.push_str(&" ".repeat(values.len()));
    out.push('\n');
    let longest = labels.iter().map(String::len).max().unwrap_or(0);
    for i in 0..longest {
        let line: String = labels.iter().map(|l| l.as_bytes().get(i).map_or(' ', |&b| b as char)).collect();
        out.push_str(&line);
        out.push('\n');
    }
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY DOCTOR (Redis's createLatencyReport)

/// analyzeLatencyForEvent: samples, integer average and mean deviation, seconds since the oldest sample.
struct EventStats {
    samples: u64,
    avg: u64,
    mad: u64,
    period: i64,
}

fn analyze(series: &LatencySeries, now: i64) -> EventStats {
    let samples = series.samples.len() as u64;
    if samples == 0 {
        return EventStats { samples: 0, avg: 0, mad: 0, period: 0 };
    }
    let avg = series.samples.iter().map(|&(_, ms)| ms).sum::<u64>() / samples;
    let mad = series.samples.iter().map(|&(_, ms)| ms.abs_diff(avg)).sum::<u64>() / samples;
    let oldest = series.samples.iter().map(|&(time, _)| time).min().unwrap_or(now);
    let period = match now - oldest {
        0 => 1,
        p => p,
    };
    EventStats { samples, avg, mad, period }
}

/// The advices, in the order the report prints them.
const BETTER_VM: u32 = 1 << 0;
const SLOWLOG_ENABLED: u32 = 1 << 1;
const SLOWLOG_TUNING: u32 = 1 << 2;
const SLOWLOG_INSPECT: u32 = 1 << 3;
const SCHEDULER: u32 = 1 << 4;
const LOCAL_DISK: u32 = 1 << 5;
const SSD: u32 = 1 << 6;
const DATA_WRITEBACK: u32 = 1 << 7;
const DISK_CONTENTION: u32 = 1 << 8;
const NO_APPENDFSYNC: u32 = 1 << 9;
const RELAX_FSYNC_POLICY: u32 = 1 << 10;
const WRITE_LOAD_INFO: u32 = 1 << 11;
const HZ: u32 = 1 << 12;
const LARGE_OBJECTS: u32 = 1 << 13;
const MASS_EVICTION: u32 = 1 << 14;
const DISABLE_THP: u32 = 1 << 15;

/// The advices an event calls for (besides the command event's slow log ones, which depend on the config).
fn event_advices(event: &str) -> &'static [u32] {
    match event.to_ascii_lowercase().as_str() {
        "command" => &[SLOWLOG_INSPECT, LARGE_OBJECTS],
        "fast-command" => &[SCHEDULER],
        "aof-write-pending-fsync" => &[LOCAL_DISK, DISK_CONTENTION, SSD, DATA_WRITEBACK],
        "aof-write-active-child" => &[NO_APPENDFSYNC, DATA_WRITEBACK, SSD],
        "aof-write-alone" => &[LOCAL_DISK, DATA_WRITEBACK, SSD],
        "aof-fsync-always" => &[RELAX_FSYNC_POLICY],
        "aof-fstat" | "rdb-unlink-temp-file" => &[DISK_CONTENTION, LOCAL_DISK],
        "aof-rewrite-diff-write" | "aof-rename" => &[WRITE_LOAD_INFO, DATA_WRITEBACK, SSD, LOCAL_DISK],
        "expire-cycle" => &[HZ, LARGE_OBJECTS],
        "eviction-del" => &[LARGE_OBJECTS],
        "eviction-cycle" => &[MASS_EVICTION],
        _ => &[],
    }
}

const DOCTOR_DISABLED: &str = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis \
    instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we \
    weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const DOCTOR_NO_SPIKES: &str = "Dave, no latency spike was observed during the lifetime of this Redis instance, \
    not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things \
    over.\n";
const DOCTOR_SPIKES: &str = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking \
    about it, do you Dave?\n\n";
const DOCTOR_NO_FIX: &str = "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please \
    use the Redis community to get some help, providing this report in your help request.\n";

/// The fixed advice texts (the slow log ones carry a number and are written apart).
const ADVICE_TEXTS: &[(u32, &str)] = &[
    (
        BETTER_VM,
        "- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that \
         provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the \
         context of the same VM provider, certain kinds of instances can execute fork faster than others.\n",
    ),
    (
        SLOWLOG_INSPECT,
        "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. \
         Please check https://redis.io/commands/slowlog for more information.\n",
    ),
    (
        SCHEDULER,
        "- The system is slow to execute Redis code paths not containing system calls. This usually means the \
         system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the \
         system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same \
         system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli \
         --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is \
         allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may \
         create fragmentation problems.\n",
    ),
    (
        LOCAL_DISK,
        "- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote \
         disks provided by platform-as-a-service providers are known to be slow.\n",
    ),
    (
        SSD,
        "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log \
         rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With \
         extremely high write load SSD disks can be a good option. However Redis should perform reasonably with \
         high load using normal disks. Use this advice as a last resort.\n",
    ),
    (
        DATA_WRITEBACK,
        "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to \
         data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that \
         after a hard crash the AOF file will have a half-written command at the end and will require to be \
         repaired before Redis restarts.\n",
    ),
    (
        DISK_CONTENTION,
        "- Try to lower the disk contention. This is often caused by other disk intensive processes running in \
         the same computer (including other Redis instances).\n",
    ),
    (
        NO_APPENDFSYNC,
        "- Assuming from the point of view of data safety this is viable in your environment, you could try to \
         enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a \
         child rewriting the AOF file or producing an RDB file (the moment where there is high disk \
         contention).\n",
    ),
    (
        RELAX_FSYNC_POLICY,
        "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if \
         possible try to relax the fsync policy to 'onesec'.\n",
    ),
    (
        WRITE_LOAD_INFO,
        "- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF \
         file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to \
         get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts \
         to group multiple operations into a single EVALSHA call.\n",
    ),
    (
        HZ,
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration \
         parameter to 100 using 'CONFIG SET hz 100'.\n",
    ),
    (
        LARGE_OBJECTS,
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If \
         you have very large objects that are often deleted, expired, or evicted, try to fragment those objects \
         into multiple smaller objects.\n",
    ),
    (
        MASS_EVICTION,
        "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or \
         sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), \
         may create sudden memory pressure forcing the server to block trying to evict keys. \n",
    ),
    (
        DISABLE_THP,
        "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious \
         latency events in different conditions, especially when Redis is persisting on disk. To disable THP \
         support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also \
         add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if \
         you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages \
         already created.\n",
    ),
];

fn doctor(state: &State, now: i64) -> String {
    let config = &state.config;
    if state.observe.latency.is_empty() && config.latency_monitor_threshold == 0 {
        return DOCTOR_DISABLED.to_string();
    }
    let mut report = String::new();
    let (mut advise, mut advices) = (0u32, 0);
    let events = events(state);
    for (i, (name, series)) in events.iter().enumerate() {
        if i == 0 {
            report.push_str(DOCTOR_SPIKES);
        }
        let ls = analyze(series, now);
        let _ = write!(
            report,
            "{}. {name}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time \
             event {}ms.",
            i + 1,
            ls.samples,
            ls.avg,
            ls.mad,
            ls.period as f64 / ls.samples as f64,
            series.max_ms
        );
        if name.eq_ignore_ascii_case("fork") {
            // No fork rate is measured here (Redis's stat_fork_rate): it reads as Redis's lowest class.
            report.push_str(" Fork rate is 0.00 GB/sec (terrible).");
            advise |= BETTER_VM;
            advices += 1;
        }
        if name.eq_ignore_ascii_case("command") {
            if config.slowlog_log_slower_than < 0 {
                advise |= SLOWLOG_ENABLED;
                advices += 1;
            } else if config.slowlog_log_slower_than / 1000 > config.latency_monitor_threshold as i64 {
                advise |= SLOWLOG_TUNING;
                advices += 1;
            }
        }
        for flag in event_advices(name) {
            advise |= flag;
            advices += 1;
        }
        report.push('\n');
    }
    if anon_huge_pages() > 0 {
        advise |= DISABLE_THP;
        advices += 1;
    }
    if events.is_empty() && advices == 0 {
        report.push_str(DOCTOR_NO_SPIKES);
    } else if !events.is_empty() && advices == 0 {
        report.push_str(DOCTOR_NO_FIX);
    } else {
        report.push_str("\nI have a few advices for you:\n\n");
        let threshold_us = config.latency_monitor_threshold.saturating_mul(1000);
        for &(flag, text) in ADVICE_TEXTS {
            let skipped = match flag {
                RELAX_FSYNC_POLICY => config.appendfsync != crate::config::AppendFsync::Always,
                HZ => config.hz >= 100,
                _ => false,
            };
            if advise & flag != 0 && !skipped {
                report.push_str(text);
            }
            // The slow log advices come right after the VM one.
            if flag == BETTER_VM {
                if advise & SLOWLOG_ENABLED != 0 {
                    let _ = writeln!(
                        report,
                        "- There are latency issues with potentially slow commands you are using. Try to enable \
                         the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than \
                         {threshold_us}'. If the Slow log is disabled Redis is not able to log slow commands \
                         execution for you."
                    );
                }
                if advise & SLOWLOG_TUNING != 0 {
                    let _ = writeln!(
                        report,
                        "- Your current Slow Log configuration only logs events that are slower than your \
                         configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than \
                         {threshold_us}'."
                    );
                }
            }
        }
    }
    report
}

/// Transparent huge pages backing this process, in bytes (Redis's THPGetAnonHugePagesSize).
fn anon_huge_pages() -> u64 {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("AnonHugePages:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY HISTOGRAM and the INFO sections

/// A command's row followed by its subcommands' rows, sorted by name.
fn with_subcommands(cmd: &'static CommandSpec) -> Vec<&'static CommandSpec> {
    let mut subs: Vec<&'static CommandSpec> = cmd.subcommands.iter().collect();
    subs.sort_by_key(|c| c.name);
    subs.insert(0, cmd);
    subs
}

/// Every command and subcommand row, sorted by name, each container's subcommands right after it.
fn rows_by_name(names: &table::Names) -> Vec<&'static CommandSpec> {
    let mut top: Vec<&'static CommandSpec> = names.every_row().collect();
    top.sort_by_key(|c| c.name);
    top.into_iter().flat_map(with_subcommands).collect()
}

/// A command's statistics, if it has a latency histogram (calls recorded with `latency-tracking yes`).
fn histogram_of<'a>(state: &'a State, cmd: &CommandSpec) -> Option<&'a CommandStats> {
    state.observe.commands.get(cmd.name).filter(|stats| stats.latency.count() > 0)
}

/// `lookupCommandBySds`: `name` or `container|sub`, case-insensitively, under the names in use
/// (`rename-command`).
fn command_by_full_name(names: &table::Names, name: &[u8]) -> Option<&'static CommandSpec> {
    let mut parts = name.split(|&b| b == b'|');
    let cmd = names.find(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(cmd),
        (Some(sub), None) if !cmd.subcommands.is_empty() => cmd.subcommand(sub),
        _ => None,
    }
}

/// LATENCY HISTOGRAM [command ...]: each command's calls and cumulative latency distribution; a container
/// stands for its subcommands; commands without data are left out.
fn latency_histogram(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let rows: Vec<&'static CommandSpec> = if argv.len() == 2 {
        rows_by_name(&ctx.state.commands)
    } else {
        let names = &ctx.state.commands;
        argv[2..].iter().filter_map(|name| command_by_full_name(names, name)).flat_map(with_subcommands).collect()
    };
    let with_data: Vec<(&str, &CommandStats)> =
        rows.iter().filter_map(|cmd| histogram_of(ctx.state, cmd).map(|stats| (cmd.name, stats))).collect();
    ctx.out.map(with_data.len());
    for (name, stats) in with_data {
        ctx.out.bulk(name.as_bytes());
        ctx.out.map(2);
        ctx.out.bulk(b"calls");
        ctx.out.int(stats.latency.count() as i64);
        ctx.out.bulk(b"histogram_usec");
        let cdf = stats.latency.cdf();
        ctx.out.map(cdf.len());
        for (usec, calls) in cdf {
            ctx.out.int(usec as i64);
            ctx.out.int(calls as i64);
        }
    }
    Ok(())
}

/// getSafeInfoString: the characters that would break INFO's `name:value` lines become `_`.
fn info_safe(name: &str) -> String {
    name.replace(['#', ':', '\r', '\n'], "_")
}

/// INFO commandstats: every command called, failed or rejected since the start or CONFIG RESETSTAT.
pub fn write_commandstats(state: &State, s: &mut String) -> std::fmt::Result {
    s.write_str("# Commandstats\r\n")?;
    for cmd in rows_by_name(&state.commands) {
        let Some(stats) = state.observe.commands.get(cmd.name) else { continue };
        if stats.calls == 0 && stats.failed_calls == 0 && stats.rejected_calls == 0 {
            continue;
        }
        // Redis divides in single precision.
        let per_call = if stats.calls == 0 { 0.0 } else { stats.usec as f32 / stats.calls as f32 };
        write!(
            s,
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            info_safe(cmd.name),
            stats.calls,
            stats.usec,
            stats.rejected_calls,
            stats.failed_calls
        )?;
    }
    Ok(())
}

/// INFO errorstats: error replies by code, in byte order.
pub fn write_errorstats(state: &State, s: &mut String) -> std::fmt::Result {
    s.write_str("# Errorstats\r\n")?;
    let mut codes: Vec<(&String, &u64)> = state.observe.errors.iter().collect();
    codes.sort();
    for (code, count) in codes {
        write!(s, "errorstat_{}:count={count}\r\n", info_safe(code))?;
    }
    Ok(())
}

/// INFO latencystats: the `latency-tracking-info-percentiles` of each command's latency, when tracked.
pub fn write_latencystats(state: &State, s: &mut String) -> std::fmt::Result {
    s.write_str("# Latencystats\r\n")?;
    if !state.config.latency_tracking {
        return Ok(());
    }
    // Kept as CONFIG GET shows them ("50 99 99.9"): the same text labels each value, as Redis prints it.
    let setting = state.config.value("latency-tracking-info-percentiles").unwrap_or_default();
    let percentiles: Vec<(&str, f64)> =
        setting.split(' ').filter_map(|p| p.parse::<f64>().ok().map(|value| (p, value))).collect();
    for cmd in rows_by_name(&state.commands) {
        let Some(stats) = histogram_of(state, cmd) else { continue };
        write!(s, "latency_percentiles_usec_{}:", info_safe(cmd.name))?;
        for (i, (label, p)) in percentiles.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(s, "{sep}p{label}={:.3}", stats.latency.percentile(*p))?;
        }
        s.write_str("\r\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn series(samples: &[(i64, u64)]) -> LatencySeries {
        LatencySeries {
            samples: samples.iter().copied().collect::<VecDeque<_>>(),
            max_ms: samples.iter().map(|s| s.1).max().unwrap_or(0),
        }
    }

    #[test]
    fn graph_of_one_sample_matches_redis() {
        // redis-server 7.0: one 20 ms `command` sample, graphed in the same second.
        let g = graph("command", &series(&[(100, 20)]), 100);
        let expected =
            format!("command - high 20 ms, low 20 ms (all time high 20 ms)\n{}\n \n \n \n_\n \n0\ns\n", "-".repeat(80));
        assert_eq!(g, expected);
    }

    #[test]
    fn graph_scales_between_min_and_max_and_labels_ages() {
        let g = graph("x", &series(&[(0, 10), (30, 15), (3000, 20), (7200, 40)]), 7200 + 86400 * 2);
        let lines: Vec<&str> = g.lines().collect();
        // Steps 0, (5*12)/30 = 2, (10*12)/30 = 4 and 11 (the top one), drawn from the bottom row up.
        assert_eq!(&lines[2..6], ["   #", "   |", "  o|", "_#||"]);
        assert_eq!(lines[6], "    ");
        assert_eq!(&lines[7..], ["2222", "dddd"]);
    }

    #[test]
    fn analysis_uses_integer_averages() {
        let ls = analyze(&series(&[(10, 5), (11, 8), (12, 20)]), 14);
        assert_eq!((ls.samples, ls.avg, ls.mad, ls.period), (3, 11, 6, 4));
        assert_eq!(analyze(&series(&[(14, 5)]), 14).period, 1);
    }

    #[test]
    fn full_names_resolve_like_lookup_command_by_sds() {
        let names = table::Names::new(crate::cmd::FAMILIES);
        let find = |name: &[u8]| command_by_full_name(&names, name).map(|c| c.name);
        assert_eq!(find(b"CONFIG|get"), Some("config|get"));
        assert_eq!(find(b"get"), Some("get"));
        assert_eq!([find(b"get|x"), find(b"config|get|x"), find(b"config|nosuch"), find(b"")], [None; 4]);
    }
}
