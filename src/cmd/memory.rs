//! MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP) and INFO's memory section, as Redis 7.0's
//! `memoryCommand` and `genRedisInfoString` print them, from the storage's estimates (`storage/memory.rs`).
//!
//! We know our own estimate (`State::used_memory`) and the process's RSS, not an allocator's internals, so the
//! allocator fields read as a libc-built redis-server reports them: allocated = used memory, active = resident
//! = RSS.

use super::{is, reply_help, Args};
use crate::engine::flags::*;
use crate::engine::memory::{BASE_OVERHEAD, PER_CLIENT};
use crate::engine::state::State;
use crate::engine::{CommandSpec, Ctx};
use crate::error::CmdError;
use crate::storage::memory::{key_cost, table, value_size, DEFAULT_SAMPLES, KEYSPACE_ENTRY, VOLATILE_ENTRY};
use std::fmt::Write;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::container("memory", MEMORY)];

const MEMORY: &[CommandSpec] = &[
    CommandSpec::new("memory|doctor", 2, 0, (0, 0, 0), doctor).group("server"),
    CommandSpec::new("memory|malloc-stats", 2, 0, (0, 0, 0), malloc_stats).group("server"),
    CommandSpec::new("memory|purge", 2, 0, (0, 0, 0), purge).group("server"),
    CommandSpec::new("memory|stats", 2, 0, (0, 0, 0), stats).group("server"),
    CommandSpec::new("memory|usage", -3, READONLY, (2, 2, 1), usage).group("server"),
    CommandSpec::new("memory|help", 2, LOADING | STALE, (0, 0, 0), help).group("server"),
];

/// MEMORY USAGE key [SAMPLES count]: the key, its value and its keyspace entry, in bytes.
fn usage(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let samples = parse_samples(&argv[3..])?;
    // Redis reads the dict directly: no lazy expiry, no LRU touch, no hit or miss. `i64::MIN` as the time
    // means no TTL has passed, so an expired key not yet deleted is still measured, as there.
    match ctx.state.dbs[ctx.client.db].get_ref(argv[2], i64::MIN) {
        Some(entry) => {
            let bytes = key_cost(argv[2]) + value_size(&entry.value, samples) + KEYSPACE_ENTRY;
            ctx.out.int(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        None => ctx.out.null(),
    }
    Ok(())
}

/// `[SAMPLES count]...` as memoryCommand parses it: a repeated option wins last; 0 = every element.
fn parse_samples(options: Args) -> Result<usize, CmdError> {
    let mut samples = DEFAULT_SAMPLES;
    let mut i = 0;
    while i < options.len() {
        if !(is(options[i], "samples") && i + 1 < options.len()) {
            return Err(CmdError::Syntax);
        }
        let n = super::arg_i64(options[i + 1])?;
        samples = match n {
            n if n < 0 => return Err(CmdError::Syntax),
            0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        i += 2;
    }
    Ok(samples)
}

/// Redis's `redisMemOverhead`: where the used memory goes, from our estimates.
#[derive(Debug)]
struct Overhead {
    peak: u64,
    total: u64,
    startup: u64,
    clients_normal: u64,
    aof_buffer: u64,
    /// Per database with keys: (id, main table, expires table).
    dbs: Vec<(usize, u64, u64)>,
    overhead_total: u64,
    total_keys: u64,
    bytes_per_key: u64,
    dataset: u64,
    dataset_perc: f32,
    peak_perc: f32,
    rss: u64,
}

impl Overhead {
    /// Measures the state, first raising the recorded peak to the current use (as INFO does), so the peak is
    /// never below what is reported next to it.
    fn measure(st: &mut State, aof_buffer: u64) -> Overhead {
        let total = st.used_memory();
        st.stats.used_memory_peak = st.stats.used_memory_peak.max(total);
        let startup = BASE_OVERHEAD;
        let clients_normal = st.clients.len() as u64 * PER_CLIENT;
        let mut overhead_total = startup + clients_normal + aof_buffer;
        let mut dbs = Vec::new();
        let mut total_keys = 0;
        for (id, db) in st.dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
            // The tables as if sized exactly for their keys: a lower bound of what `Db::used_memory` counts.
            let main = table(db.len(), db.len(), KEYSPACE_ENTRY) as u64;
            let expires = table(db.volatile_len(), db.volatile_len(), VOLATILE_ENTRY) as u64;
            overhead_total += main + expires;
            total_keys += db.len() as u64;
            dbs.push((id, main, expires));
        }
        let dataset = total.saturating_sub(overhead_total);
        let net_usage = if total > startup { total - startup } else { 1 };
        Overhead {
            peak: st.stats.used_memory_peak,
            total,
            startup,
            clients_normal,
            aof_buffer,
            dbs,
            overhead_total,
            total_keys,
            bytes_per_key: net_usage.checked_div(total_keys).unwrap_or(0),
            dataset,
            dataset_perc: dataset as f32 * 100.0 / net_usage as f32,
            peak_perc: total as f32 * 100.0 / st.stats.used_memory_peak.max(1) as f32,
            rss: crate::process::rss_bytes(),
        }
    }

    /// (allocated, active, resident) as a libc-built Redis fills them in: its own count and the RSS.
    fn allocator(&self) -> (u64, u64, u64) {
        (self.total, self.rss, self.rss)
    }

    /// allocator-fragmentation: active over allocated.
    fn allocator_frag(&self) -> (f32, i64) {
        let (allocated, active, _) = self.allocator();
        frag(active, allocated)
    }

    /// allocator-rss: resident over active.
    fn allocator_rss(&self) -> (f32, i64) {
        let (_, active, resident) = self.allocator();
        frag(resident, active)
    }

    /// rss-overhead: the process's RSS over the allocator's resident bytes.
    fn rss_extra(&self) -> (f32, i64) {
        frag(self.rss, self.allocator().2)
    }

    /// fragmentation: RSS over used memory.
    fn total_frag(&self) -> (f32, i64) {
        frag(self.rss, self.total)
    }
}

/// A ratio as Redis computes it (`(float)a / b`) and the difference in bytes.
fn frag(a: u64, b: u64) -> (f32, i64) {
    let ratio = if b == 0 { 0.0 } else { a as f32 / b as f32 };
    (ratio, a as i64 - b as i64)
}

fn aof_buffer(ctx: &Ctx) -> u64 {
    let w = ctx.shared.aof.info();
    if w.enabled {
        w.pending as u64
    } else {
        0
    }
}

/// MEMORY STATS: Redis 7.0's map, field for field.
fn stats(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let aof = aof_buffer(ctx);
    let mh = Overhead::measure(ctx.state, aof);
    let out = &mut *ctx.out;
    let int = |out: &mut crate::protocol::Out, name: &str, n: u64| {
        out.bulk(name.as_bytes());
        out.int(i64::try_from(n).unwrap_or(i64::MAX));
    };
    let signed = |out: &mut crate::protocol::Out, name: &str, n: i64| {
        out.bulk(name.as_bytes());
        out.int(n);
    };
    let double = |out: &mut crate::protocol::Out, name: &str, d: f32| {
        out.bulk(name.as_bytes());
        out.double(f64::from(d));
    };
    out.map(27 + mh.dbs.len());
    int(out, "peak.allocated", mh.peak);
    int(out, "total.allocated", mh.total);
    int(out, "startup.allocated", mh.startup);
    int(out, "replication.backlog", 0);
    int(out, "clients.slaves", 0);
    int(out, "clients.normal", mh.clients_normal);
    int(out, "cluster.links", 0);
    int(out, "aof.buffer", mh.aof_buffer);
    int(out, "lua.caches", crate::scripting::memory(ctx.state).scripts_bytes);
    int(out, "functions.caches", 0);
    for &(id, main, expires) in &mh.dbs {
        out.bulk(format!("db.{id}").as_bytes());
        out.map(3);
        int(out, "overhead.hashtable.main", main);
        int(out, "overhead.hashtable.expires", expires);
        int(out, "overhead.hashtable.slot-to-keys", 0);
    }
    int(out, "overhead.total", mh.overhead_total);
    int(out, "keys.count", mh.total_keys);
    int(out, "keys.bytes-per-key", mh.bytes_per_key);
    int(out, "dataset.bytes", mh.dataset);
    double(out, "dataset.percentage", mh.dataset_perc);
    double(out, "peak.percentage", mh.peak_perc);
    let (allocated, active, resident) = mh.allocator();
    int(out, "allocator.allocated", allocated);
    int(out, "allocator.active", active);
    int(out, "allocator.resident", resident);
    for (name, (ratio, bytes)) in [
        ("allocator-fragmentation", mh.allocator_frag()),
        ("allocator-rss", mh.allocator_rss()),
        ("rss-overhead", mh.rss_extra()),
    ] {
        double(out, &format!("{name}.ratio"), ratio);
        signed(out, &format!("{name}.bytes"), bytes);
    }
    let (ratio, bytes) = mh.total_frag();
    double(out, "fragmentation", ratio);
    signed(out, "fragmentation.bytes", bytes);
    Ok(())
}

const DOCTOR_EMPTY: &str =
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be \
used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will \
be back to our programming as soon as I finished rebooting.\n";

const DOCTOR_FINE: &str =
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

const DOCTOR_PEAK: &str = " * Peak memory: In the past this instance used more than 150% the memory that is \
currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big \
fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance \
Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis \
instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try \
the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";

/// Names the allocator as INFO does (`libc` is replaced by the allocator's name).
const DOCTOR_HIGH_FRAG: &str = " * High total RSS: This instance has a memory fragmentation and RSS overhead greater \
than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical \
allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak \
memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. \
If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc \
allocator and not the default libc malloc. Note: The currently used allocator is \"libc\".\n\n";

const DOCTOR_ALLOC_FRAG: &str = " * High allocator fragmentation: This instance has an allocator external \
fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak \
memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. \
You can try enabling 'activedefrag' config option.\n\n";

const DOCTOR_ALLOC_RSS: &str = " * High allocator RSS overhead: This instance has an RSS memory overhead is greater \
than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator \
actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in \
the report), you can try the MEMORY PURGE command to reclaim it.\n\n";

const DOCTOR_PROC_RSS: &str = " * High process RSS overhead: This instance has non-allocator RSS memory overhead is \
greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the \
allocator holds). This problem may be due to Lua scripts or Modules.\n\n";

const DOCTOR_CLIENT_BUF: &str = " * Big client buffers: The clients output buffers in this instance are greater than \
200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels \
bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending \
commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST \
command in order to investigate the issue if it causes problems in your instance, or to understand better why \
certain clients are using a big amount of memory.\n\n";

/// getMemoryDoctorReport, with the checks our numbers can answer (there are no replicas, and the script cache's
/// size is not known here).
fn doctor_report(mh: &Overhead, clients: u64) -> String {
    const MB: i64 = 1 << 20;
    if mh.total < 5 * MB as u64 {
        return DOCTOR_EMPTY.to_string();
    }
    let over = |(ratio, bytes): (f32, i64), limit: f32| ratio > limit && bytes > 10 * MB;
    let issues = [
        (mh.peak as f32 / mh.total as f32 > 1.5, DOCTOR_PEAK),
        (over(mh.total_frag(), 1.4), DOCTOR_HIGH_FRAG),
        (over(mh.allocator_frag(), 1.1), DOCTOR_ALLOC_FRAG),
        (over(mh.allocator_rss(), 1.1), DOCTOR_ALLOC_RSS),
        (over(mh.rss_extra(), 1.1), DOCTOR_PROC_RSS),
        (clients > 0 && mh.clients_normal / clients > 200 * 1024, DOCTOR_CLIENT_BUF),
    ];
    if !issues.iter().any(|(found, _)| *found) {
        return DOCTOR_FINE.to_string();
    }
    let mut s = String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    for (_, text) in issues.iter().filter(|(found, _)| *found) {
        match *text {
            DOCTOR_HIGH_FRAG => {
                s.push_str(&text.replace("\"libc\"", &format!("\"{}\"", crate::process::allocator_name())))
            }
            _ => s.push_str(text),
        }
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}

fn doctor(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let aof = aof_buffer(ctx);
    let mh = Overhead::measure(ctx.state, aof);
    let report = doctor_report(&mh, ctx.state.clients.len() as u64);
    ctx.out.verbatim(report.as_bytes());
    Ok(())
}

fn malloc_stats(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.bulk(b"Stats not supported for the current allocator");
    Ok(())
}

/// Nothing to purge for an allocator we do not drive (Redis without jemalloc answers the same).
fn purge(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.ok();
    Ok(())
}

fn help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}

/// Redis's bytesToHuman.
fn human(n: u64) -> String {
    const UNITS: [(&str, u32); 5] = [("K", 1), ("M", 2), ("G", 3), ("T", 4), ("P", 5)];
    if n < 1024 {
        return format!("{n}B");
    }
    for (unit, power) in UNITS {
        if n < 1u64 << (10 * (power + 1)) {
            return format!("{:.2}{unit}", n as f64 / (1u64 << (10 * power)) as f64);
        }
    }
    // Past the petabytes, plain bytes again.
    format!("{n}B")
}

/// The machine's memory, as Redis reads it (physical pages times the page size).
fn total_system_memory() -> u64 {
    // SAFETY: sysconf only reads system constants.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    u64::try_from(pages).unwrap_or(0).saturating_mul(u64::try_from(size).unwrap_or(0))
}

/// INFO memory: Redis 7.0's fields in its order (there are no functions: their numbers are 0).
pub fn write_info(ctx: &mut Ctx, s: &mut String) -> std::fmt::Result {
    let aof = aof_buffer(ctx);
    let mh = Overhead::measure(ctx.state, aof);
    let config = &ctx.state.config;
    let (allocated, active, resident) = mh.allocator();
    let (allocator_frag, allocator_frag_bytes) = mh.allocator_frag();
    let (allocator_rss, allocator_rss_bytes) = mh.allocator_rss();
    let (rss_extra, rss_extra_bytes) = mh.rss_extra();
    let (total_frag, total_frag_bytes) = mh.total_frag();
    let system = total_system_memory();
    let scripts = crate::scripting::memory(ctx.state);
    let (lua_vm, scripts_eval, functions_vm, functions) = (scripts.lua_vm, scripts.scripts_bytes, 0u64, 0u64);
    let pct = |p: f32| format!("{:.2}", f64::from(p));
    write!(
        s,
        "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\nused_memory_rss_human:{}\r\n\
         used_memory_peak:{}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{}%\r\n\
         used_memory_overhead:{}\r\nused_memory_startup:{}\r\nused_memory_dataset:{}\r\n\
         used_memory_dataset_perc:{}%\r\nallocator_allocated:{allocated}\r\nallocator_active:{active}\r\n\
         allocator_resident:{resident}\r\ntotal_system_memory:{system}\r\ntotal_system_memory_human:{}\r\n",
        mh.total,
        human(mh.total),
        mh.rss,
        human(mh.rss),
        mh.peak,
        human(mh.peak),
        pct(mh.peak_perc),
        mh.overhead_total,
        mh.startup,
        mh.dataset,
        pct(mh.dataset_perc),
        human(system),
    )?;
    write!(
        s,
        "used_memory_lua:{lua_vm}\r\nused_memory_vm_eval:{lua_vm}\r\nused_memory_lua_human:{}\r\n\
         used_memory_scripts_eval:{scripts_eval}\r\nnumber_of_cached_scripts:{}\r\nnumber_of_functions:0\r\n\
         number_of_libraries:0\r\nused_memory_vm_functions:{functions_vm}\r\nused_memory_vm_total:{}\r\n\
         used_memory_vm_total_human:{}\r\nused_memory_functions:{functions}\r\nused_memory_scripts:{}\r\n\
         used_memory_scripts_human:{}\r\nmaxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n",
        human(lua_vm),
        scripts.cached,
        lua_vm + functions_vm,
        human(lua_vm + functions_vm),
        scripts_eval + functions,
        human(scripts_eval + functions),
        config.maxmemory,
        human(config.maxmemory),
        config.maxmemory_policy.name(),
    )?;
    // The `_bytes` Redis prints unsigned (%zu) cannot go below 0 there without wrapping; here they stop at 0.
    write!(
        s,
        "allocator_frag_ratio:{}\r\nallocator_frag_bytes:{}\r\nallocator_rss_ratio:{}\r\nallocator_rss_bytes:{}\r\n\
         rss_overhead_ratio:{}\r\nrss_overhead_bytes:{}\r\nmem_fragmentation_ratio:{}\r\n\
         mem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n\
         mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:{}\r\nmem_cluster_links:0\r\n\
         mem_aof_buffer:{}\r\nmem_allocator:{}\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\n\
         lazyfreed_objects:0\r\n",
        pct(allocator_frag),
        allocator_frag_bytes.max(0),
        pct(allocator_rss),
        allocator_rss_bytes,
        pct(rss_extra),
        rss_extra_bytes,
        pct(total_frag),
        total_frag_bytes,
        mh.clients_normal,
        mh.aof_buffer,
        crate::process::allocator_name(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LogLevel};
    use crate::engine::{client::Client, state::Shared};
    use crate::log::Logger;

    /// Runs commands through the dispatcher on one fresh server; returns each one's reply.
    fn replies(lines: &[&str]) -> Vec<Vec<u8>> {
        let shared = Shared::new(
            State::new(Config::default(), crate::engine::table::Names::new(crate::cmd::FAMILIES), 0),
            Logger::new(LogLevel::Nothing, "").expect("log"),
            Default::default(),
        );
        let mut client = Client::new(1, true, true);
        let mut state = shared.state.lock();
        lines
            .iter()
            .map(|line| {
                let mut out = crate::protocol::Out::new(false);
                let words = crate::protocol::decode::split_args(line.as_bytes()).expect("balanced quotes");
                let argv: Vec<&[u8]> = words.iter().map(|w| &w[..]).collect();
                crate::engine::dispatch::dispatch(&mut state, &shared, &mut client, &argv, &mut out);
                out.buf
            })
            .collect()
    }

    fn int(reply: &[u8]) -> i64 {
        let text = std::str::from_utf8(reply).expect("text");
        text.trim_start_matches(':').trim_end().parse().unwrap_or_else(|_| panic!("not an integer: {text:?}"))
    }

    #[test]
    fn usage_grows_with_the_value() {
        let big = "x".repeat(1000);
        let r = replies(&["SET k a", "MEMORY USAGE k", &format!("SET k {big}"), "MEMORY USAGE k", "MEMORY USAGE no"]);
        assert!(int(&r[3]) >= int(&r[1]) + 1000, "{} then {}", int(&r[1]), int(&r[3]));
        assert_eq!(r[4], b"$-1\r\n");

        let mut lines = vec!["HSET h f0 v0".to_string(), "MEMORY USAGE h".to_string()];
        lines.extend((1..300).map(|i| format!("HSET h field-{i:030} value-{i:030}")));
        lines.push("MEMORY USAGE h".into());
        lines.push("MEMORY USAGE h SAMPLES 0".into());
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replies(&lines);
        let (small, large, all) = (int(&r[1]), int(&r[r.len() - 2]), int(&r[r.len() - 1]));
        assert!(large > small + 299 * 60, "{small} then {large}");
        assert!(all > small + 299 * 60, "{small} then {all} (all samples)");
    }

    #[test]
    fn samples_option_parses_like_redis() {
        let arg = |s: &str| s.as_bytes().to_vec();
        let parse = |words: &[&str]| {
            let owned: Vec<Vec<u8>> = words.iter().map(|w| arg(w)).collect();
            let argv: Vec<&[u8]> = owned.iter().map(|w| &w[..]).collect();
            parse_samples(&argv)
        };
        assert_eq!(parse(&[]), Ok(DEFAULT_SAMPLES));
        assert_eq!(parse(&["SAMPLES", "0"]), Ok(usize::MAX));
        assert_eq!(parse(&["samples", "3", "SAMPLES", "7"]), Ok(7));
        assert_eq!(parse(&["samples"]), Err(CmdError::Syntax));
        assert_eq!(parse(&["samples", "-1"]), Err(CmdError::Syntax));
        assert_eq!(parse(&["samples", "x"]), Err(CmdError::NotInteger));
        assert_eq!(parse(&["samples", "1", "samples"]), Err(CmdError::Syntax));
        assert_eq!(parse(&["foo", "1"]), Err(CmdError::Syntax));
    }

    #[test]
    fn human_sizes_like_bytes_to_human() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(914_608), "893.17K");
        assert_eq!(human(25_276_510_208), "23.54G");
        assert_eq!(human(3 << 40), "3.00T");
        assert_eq!(human(u64::MAX), format!("{}B", u64::MAX));
    }

    #[test]
    fn doctor_reports_empty_fine_and_peak() {
        let mh = |total: u64, peak: u64, rss: u64| Overhead {
            peak,
            total,
            startup: BASE_OVERHEAD,
            clients_normal: PER_CLIENT,
            aof_buffer: 0,
            dbs: Vec::new(),
            overhead_total: 0,
            total_keys: 0,
            bytes_per_key: 0,
            dataset: 0,
            dataset_perc: 0.0,
            peak_perc: 0.0,
            rss,
        };
        assert_eq!(doctor_report(&mh(1 << 20, 1 << 20, 1 << 20), 1), DOCTOR_EMPTY);
        assert_eq!(doctor_report(&mh(64 << 20, 64 << 20, 66 << 20), 1), DOCTOR_FINE);
        let report = doctor_report(&mh(64 << 20, 128 << 20, 64 << 20), 1);
        assert!(report.starts_with("Sam, I detected a few issues") && report.contains(DOCTOR_PEAK), "{report}");
        assert!(report.ends_with("I'm here to keep you safe, Sam. I want to help you.\n"));
        let report = doctor_report(&mh(64 << 20, 64 << 20, 128 << 20), 1);
        assert!(report.contains(DOCTOR_HIGH_FRAG) && report.contains(DOCTOR_ALLOC_FRAG), "{report}");
        assert!(!report.contains(DOCTOR_PEAK));
    }
}
