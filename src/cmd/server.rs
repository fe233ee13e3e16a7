//! Server commands: INFO, CONFIG, TIME, WAIT, SHUTDOWN, DEBUG.

use super::{is, reply_help, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::CmdError;
use std::fmt::Write;

mod debug;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("info", -1, LOADING | STALE, (0, 0, 0), info).group("server"),
    CommandSpec::new("time", 1, LOADING | STALE | FAST, (0, 0, 0), time).group("server"),
    CommandSpec::new("wait", 3, NOSCRIPT, (0, 0, 0), wait).group("generic"),
    CommandSpec::new("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, (0, 0, 0), shutdown)
        .group("server"),
    CommandSpec::new("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE | PROTECTED, (0, 0, 0), debug::debug)
        .group("server"),
    CommandSpec::container("config", CONFIG),
];

const CONFIG: &[CommandSpec] = &[
    CommandSpec::new("config|get", -3, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), config_get).group("server"),
    CommandSpec::new("config|set", -4, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), config_set).group("server"),
    CommandSpec::new("config|resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), config_resetstat)
        .group("server"),
    CommandSpec::new("config|rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), config_rewrite)
        .group("server"),
    CommandSpec::new("config|help", 2, LOADING | STALE, (0, 0, 0), config_help).group("server"),
];

/// INFO's sections in Redis's order; `true` = part of the default set.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

fn info(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let wanted = |name: &str, default: bool| -> bool {
        if argv.len() == 1 {
            return default;
        }
        argv[1..].iter().any(|a| is(a, name) || is(a, "all") || is(a, "everything") || (default && is(a, "default")))
    };
    let mut text = String::new();
    for &(name, default) in SECTIONS {
        if wanted(name, default) {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            write_section(ctx, name, &mut text);
        }
    }
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn write_section(ctx: &mut Ctx, name: &str, s: &mut String) {
    let st = &*ctx.state;
    let now = ctx.now;
    let _ = match name {
        "server" => {
            let uptime = (now - st.started_ms).max(0) / 1000;
            write!(
                s,
                "# Server\r\nredis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n\
                 redis_build_id:0\r\nredis_mode:standalone\r\nos:{} {}\r\narch_bits:64\r\n\
                 monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n\
                 gcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\n\
                 server_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\n\
                 lru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n\
                 embedis_version:{}\r\n",
                crate::REDIS_VERSION,
                std::env::consts::OS,
                std::env::consts::ARCH,
                std::process::id(),
                st.run_id,
                st.port,
                ctx.shared.clock.now_us(),
                uptime,
                uptime / 86400,
                st.config.hz,
                st.config.hz,
                (now / 1000) & ((1 << 24) - 1),
                st.executable,
                st.config.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                env!("CARGO_PKG_VERSION"),
            )
        }
        "clients" => write!(
            s,
            "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\n\
             client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{}\r\n\
             tracking_clients:0\r\nclients_in_timeout_table:{}\r\n",
            st.clients.len(),
            st.config.maxclients,
            st.clients.iter().filter(|c| c.live.blocked).count(),
            st.clients.iter().filter(|c| c.live.blocked_with_timeout).count(),
        ),
        "memory" => super::memory::write_info(ctx, s),
        "persistence" => super::persistence::write_info(s, st, &ctx.shared.aof.info(), ctx.now),
        "stats" => {
            let ks = st.keyspace_stats();
            write!(
                s,
                "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\n\
                 instantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n\
                 total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.00\r\n\
                 instantaneous_output_kbps:0.00\r\ninstantaneous_input_repl_kbps:0.00\r\n\
                 instantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:0\r\n\
                 sync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:{}\r\nexpired_stale_perc:{:.2}\r\n\
                 expired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:{}\r\nevicted_keys:{}\r\n\
                 evicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\n\
                 keyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\n\
                 pubsubshard_channels:{}\r\nlatest_fork_usec:{}\r\ntotal_forks:{}\r\nmigrate_cached_sockets:{}\r\n\
                 slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n\
                 active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n\
                 current_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\n\
                 tracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\n\
                 dump_payload_sanitizations:0\r\ntotal_reads_processed:0\r\ntotal_writes_processed:0\r\n\
                 io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n\
                 reply_buffer_expands:0\r\n",
                st.stats.connections_received,
                st.stats.commands_processed,
                st.stats.net_input_bytes,
                st.stats.net_output_bytes,
                st.stats.rejected_connections,
                ks.expired,
                st.stats.expired_stale_perc,
                st.stats.expire_cycle_cpu_ms,
                st.stats.evicted_keys,
                ks.hits,
                ks.misses,
                st.pubsub.channels(crate::pubsub::Kind::Channel, None).len(),
                st.pubsub.numpat(),
                st.pubsub.channels(crate::pubsub::Kind::Shard, None).len(),
                st.stats.latest_fork_usec,
                st.aof.rewrites + st.aof.consecutive_failures + st.rdb.forks,
                super::dump::cached_sockets(st),
                st.observe.total_error_replies,
            )
        }
        "replication" => s.write_str(
            "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n\
             master_replid:0000000000000000000000000000000000000000\r\n\
             master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\n\
             second_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n\
             repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
        ),
        "cpu" => {
            let (user, sys) = crate::process::cpu_times();
            write!(
                s,
                "# CPU\r\nused_cpu_sys:{sys:.6}\r\nused_cpu_user:{user:.6}\r\nused_cpu_sys_children:0.000000\r\n\
                 used_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:{sys:.6}\r\n\
                 used_cpu_user_main_thread:{user:.6}\r\n"
            )
        }
        "modules" => s.write_str("# Modules\r\n"),
        "commandstats" => super::diagnostics::write_commandstats(st, s),
        "errorstats" => super::diagnostics::write_errorstats(st, s),
        "latencystats" => super::diagnostics::write_latencystats(st, s),
        "cluster" => s.write_str("# Cluster\r\ncluster_enabled:0\r\n"),
        "keyspace" => {
            let _ = s.write_str("# Keyspace\r\n");
            for (i, db) in st.dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
                let _ = write!(s, "db{i}:keys={},expires={},avg_ttl={}\r\n", db.len(), db.volatile_len(), db.avg_ttl);
            }
            Ok(())
        }
        _ => Ok(()),
    };
}

fn time(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let us = ctx.shared.clock.now_us();
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(us / 1_000_000).as_bytes());
    ctx.out.bulk(itoa::Buffer::new().format(us % 1_000_000).as_bytes());
    Ok(())
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the server stops and this client gets no reply, as with
/// Redis; a shutdown that can't go ahead answers an error and the server keeps running.
fn shutdown(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let mut flags = crate::persistence::shutdown::ShutdownFlags::default();
    let mut abort = false;
    for a in &argv[1..] {
        match () {
            _ if is(a, "nosave") => flags.nosave = true,
            _ if is(a, "save") => flags.save = true,
            _ if is(a, "now") => flags.now = true,
            _ if is(a, "force") => flags.force = true,
            _ if is(a, "abort") => abort = true,
            _ => return Err(CmdError::Syntax),
        }
    }
    if (flags.save && flags.nosave) || (abort && flags != crate::persistence::shutdown::ShutdownFlags::default()) {
        return Err(CmdError::Syntax);
    }
    if abort {
        // Shutdowns here never wait for replicas, so there is never one in progress to abort.
        return Err(CmdError::NoShutdownInProgress);
    }
    if !crate::persistence::shutdown::prepare_shutdown(ctx.state, ctx.shared, flags) {
        return Err(crate::error::SHUTDOWN_FAILED);
    }
    ctx.client.close_after_reply = true;
    Ok(())
}

fn config_get(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let pairs = ctx.state.config.get(&argv[2..]);
    ctx.out.map(pairs.len());
    for (name, value) in pairs {
        ctx.out.bulk(name.as_bytes());
        ctx.out.bulk(value.as_bytes());
    }
    Ok(())
}

fn config_set(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    // Pairs only: an odd count is a syntax error in 7.0 (the arity already needs one pair).
    if argv.len() % 2 == 1 {
        return Err(CmdError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = argv[2..].chunks(2).map(|p| (p[0], p[1])).collect();
    let before = ctx.state.config.clone();
    ctx.state.config.set_for_client(&pairs, ctx.client.local).map_err(|text| {
        // The first unknown name is the one reported (checks go in order): Redis's %s shows its raw bytes,
        // which the text holds as lossy UTF-8.
        match pairs.iter().find(|(name, _)| !crate::config::is_directive(name)) {
            Some((name, _)) if text.starts_with(crate::config::UNKNOWN_OPTION) => {
                CmdError::ConfigUnknownOption(name.to_vec())
            }
            _ => CmdError::Config(text),
        }
    })?;
    if let Err((argument, why)) = apply_config(ctx, &before, true) {
        // As Redis: a setting that cannot take effect undoes every setting of the command (listening comes
        // last, so the old listeners are still the ones in use).
        let failed = std::mem::replace(&mut ctx.state.config, before);
        let _ = apply_config(ctx, &failed, false);
        return Err(CmdError::Config(format!("CONFIG SET failed (possibly related to argument '{argument}') - {why}")));
    }
    ctx.out.ok();
    Ok(())
}

/// What CONFIG SET must do beyond storing values (Redis's apply functions): the log level, the fsync policy,
/// turning the AOF on or off, listening on a new port or addresses. `before`: the settings it replaces. On
/// failure, the argument to blame and why.
fn apply_config(
    ctx: &mut Ctx,
    before: &crate::config::Config,
    listen: bool,
) -> Result<(), (&'static str, &'static str)> {
    let appendonly = before.appendonly;
    ctx.shared.log.set_level(ctx.state.config.loglevel);
    ctx.shared.aof.set_policy(ctx.state.config.appendfsync);
    ctx.shared.set_requirepass(ctx.state.config.requirepass.clone());
    ctx.state.effects.timestamps = ctx.state.config.aof_timestamp_enabled;
    match (appendonly, ctx.state.config.appendonly) {
        (false, true) => {
            if let Err(e) = crate::persistence::aof::enable_at_runtime(ctx.state, ctx.shared, ctx.now) {
                ctx.shared.log.warning(&format!(
                    "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation: {e}"
                ));
                return Err(("appendonly", "Unable to turn on AOF. Check server logs."));
            }
        }
        (true, false) => crate::persistence::aof::disable(ctx.state, ctx.shared),
        _ => {}
    }
    let config = &ctx.state.config;
    if listen && (config.port != before.port || config.bind != before.bind || config.bind_none != before.bind_none) {
        let argument = if config.port != before.port { "port" } else { "bind" };
        match (ctx.shared.bind_tcp)(config) {
            Ok((listeners, port)) => {
                let _ = ctx.shared.relisten.send(listeners);
                ctx.state.port = port;
            }
            Err(e) => {
                ctx.shared.log.warning(&format!("Failed to listen on the new address: {e}"));
                let why = match argument {
                    "port" => "Unable to listen on this port. Check server logs.",
                    _ => "Failed to bind to specified addresses.",
                };
                return Err((argument, why));
            }
        }
    }
    Ok(())
}

fn config_resetstat(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.state.stats = Default::default();
    for db in &mut ctx.state.dbs {
        db.stats = Default::default();
    }
    // Commandstats, errorstats and the latency histograms too; not the slow log nor the LATENCY events.
    ctx.state.observe.reset_stats();
    ctx.out.ok();
    Ok(())
}

/// CONFIG REWRITE: the config file the server started with, rewritten in place (see config/rewrite.rs).
fn config_rewrite(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let config = &ctx.state.config;
    let Some(path) = &config.config_file else { return Err(crate::error::CONFIG_NO_FILE) };
    if let Err(e) = config.rewrite(path) {
        let why = crate::config::strerror(&e);
        ctx.shared.log.warning(&format!("CONFIG REWRITE failed: {why}"));
        return Err(CmdError::Config(format!("Rewriting config file: {why}")));
    }
    ctx.shared.log.warning("CONFIG REWRITE executed with success.");
    ctx.out.ok();
    Ok(())
}

fn config_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}

/// WAIT numreplicas timeout: there are no replicas, so no write is ever acknowledged by one. A request for none
/// (or made inside EXEC, where nothing blocks) is answered 0 at once; otherwise the client blocks until the
/// timeout (0: until it disconnects) and is then answered 0, as redis-server without replicas does.
fn wait(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let wanted = super::arg_i64(argv[1])?;
    let timeout = crate::protocol::number::parse_i64(argv[2]).ok_or(crate::error::CLIENT_TIMEOUT_NOT_INTEGER)?;
    if timeout < 0 {
        return Err(crate::error::CLIENT_TIMEOUT_NEGATIVE);
    }
    const ACKNOWLEDGED: i64 = 0;
    if ACKNOWLEDGED >= wanted || ctx.client.in_exec {
        ctx.out.int(ACKNOWLEDGED);
        return Ok(());
    }
    let deadline_ms = (timeout > 0).then(|| ctx.now.saturating_add(timeout));
    ctx.client.blocked = Some(crate::engine::client::Blocked { deadline_ms, timeout_reply: b":0\r\n" });
    Ok(())
}
