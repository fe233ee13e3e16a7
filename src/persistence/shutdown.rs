//! Redis's prepareForShutdown, shared by SHUTDOWN and the signal handlers: whether the server may stop now,
//! with the log lines Redis writes, the final snapshot, and the request to stop.

use crate::engine::state::{Shared, State};
use crate::process::{sd_notify, supervised_by_systemd};

/// SHUTDOWN's options, and the values of `shutdown-on-sigterm` / `shutdown-on-sigint`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownFlags {
    pub save: bool,
    pub nosave: bool,
    /// Don't wait for lagging replicas: there are none, so it changes nothing.
    pub now: bool,
    /// Exit even when the data could not be saved.
    pub force: bool,
}

impl ShutdownFlags {
    /// A `shutdown-on-sig*` value as CONFIG GET shows it: "default" or words among save, nosave, now, force.
    pub fn from_config(value: &str) -> ShutdownFlags {
        let has = |w: &str| value.split(' ').any(|v| v == w);
        ShutdownFlags { save: has("save"), nosave: has("nosave"), now: has("now"), force: has("force") }
    }
}

/// Redis's prepareForShutdown and finishShutdown, up to the exit: logs as Redis does, stops a background save,
/// writes the final RDB snapshot when save points are configured (or SAVE asks) and asks the server to stop
/// (true), or logs why it can't (false: the server keeps running). The server thread then flushes and fsyncs
/// the AOF (`persistence::aof::shutdown`) and says goodbye.
pub fn prepare_shutdown(state: &mut State, shared: &Shared, flags: ShutdownFlags) -> bool {
    let log = &shared.log;
    log.warning("User requested shutdown...");
    let systemd = supervised_by_systemd(&state.config);
    if systemd {
        let _ = sd_notify("STOPPING=1\n");
    }
    let refuse = |why: &str| {
        log.warning(&format!("{why}, can't exit."));
        if systemd {
            let _ = sd_notify(&format!("STATUS={why}, can't exit.\n"));
        }
        log.warning("Errors trying to shut down the server. Check the logs for more information.");
    };
    if state.rdb.bgsave.is_some() {
        log.warning("There is a child saving an .rdb. Killing it!");
        crate::persistence::save::kill_bgsave(state);
    }
    if state.aof.rewrite.is_some() {
        // The AOF turned on at runtime has no base yet: exiting now would lose what it holds.
        if state.aof.waiting_first_base {
            if !flags.force {
                refuse("Writing initial AOF");
                return false;
            }
            log.warning("Writing initial AOF. Exit anyway.");
        }
        log.warning("There is a child rewriting the AOF. Killing it!");
    }
    if shared.aof.enabled() {
        // flushAppendOnlyFile(1) + fsync: what is appended is on disk before the snapshot.
        log.notice("Calling fsync() on the AOF file.");
        state.effects.publish();
        if let Err(e) = shared.aof.sync_now() {
            log.warning(&format!("Fail to fsync the AOF file: {e}"));
        }
        state.aof.flushed_for_shutdown = true;
    }
    if (!state.config.save.is_empty() && !flags.nosave) || flags.save {
        log.notice("Saving the final RDB snapshot before exiting.");
        if systemd {
            let _ = sd_notify("STATUS=Saving the final RDB snapshot\n");
        }
        let now = shared.clock.now_ms();
        if crate::persistence::save::save(state, shared, now).is_err() {
            if !flags.force {
                refuse("Error trying to save the DB");
                return false;
            }
            log.warning("Error trying to save the DB. Exit anyway.");
        }
    }
    shared.request_shutdown();
    true
}

/// A SIGTERM or SIGINT (the binary's handler): a shutdown with `shutdown-on-sigterm` / `shutdown-on-sigint`'s
/// flags. False when it was refused: the server keeps running, and a later signal tries again.
pub fn signal_shutdown(shared: &crate::engine::state::Shared, sigint: bool) -> bool {
    let mut state = shared.state.lock();
    let name = if sigint { "shutdown-on-sigint" } else { "shutdown-on-sigterm" };
    let flags = ShutdownFlags::from_config(&state.config.value(name).unwrap_or_default());
    prepare_shutdown(&mut state, shared, flags)
}
