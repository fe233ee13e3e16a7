//! Redis's prepareForShutdown, shared by SHUTDOWN and the signal handlers: whether the server may stop now,
//! with the log lines Redis writes, and the request to stop.

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

/// Redis's prepareForShutdown and finishShutdown, up to the exit: logs as Redis does and asks the server to
/// stop (true), or logs why it can't (false: the server keeps running). The server thread then flushes and
/// fsyncs the AOF (`persistence::aof::shutdown`) and says goodbye; commands that other clients already sent
/// may still run first, and what they write reaches the AOF too.
///
/// Without RDB support the save points (`save`) are not a reason to write anything: the AOF is the only
/// persistence. An explicit SAVE asks for the data on disk: with the AOF on, the final fsync is that save;
/// with it off there is nowhere to save to, which Redis treats like a failed save: refused unless FORCE.
pub fn prepare_shutdown(
    state: &mut crate::engine::state::State,
    shared: &crate::engine::state::Shared,
    flags: ShutdownFlags,
) -> bool {
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
    if flags.save && !shared.aof.enabled() {
        log.warning("Can't save the final snapshot: embedis writes no RDB file and the AOF is off (appendonly no).");
        if !flags.force {
            refuse("Error trying to save the DB");
            return false;
        }
        log.warning("Error trying to save the DB. Exit anyway.");
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
