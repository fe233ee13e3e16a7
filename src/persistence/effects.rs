//! The effects of executed writes, as RESP commands ready for the append-only file (Redis's propagation).
//!
//! Every write that ran is recorded in the database it ran in (a SELECT goes first when that changes). An
//! execution unit that recorded more than one command (EXEC, a script) is wrapped in MULTI/EXEC, so loading
//! the file applies it atomically, as it ran.

/// A consumer of the effects stream: the AOF first; replicas and snapshots later plug in here. Each batch of
/// recorded effects is offered to every subscriber, in execution order, with the state lock held.
pub trait EffectsSubscriber: Send + Sync {
    /// Takes a batch (whole RESP commands, MULTI/EXEC units never split); returns the offset the batch's replies
    /// must wait for (the AOF's fsync policy), if this subscriber holds replies back.
    fn feed(&self, batch: &[u8]) -> Option<u64>;
}

/// The recorded stream and the unit being recorded.
#[derive(Default)]
pub struct Effects {
    /// Something consumes the stream (the AOF). While off, nothing is recorded and a write costs one branch.
    pub enabled: bool,
    /// Recorded commands in execution order, as RESP, until `publish` hands them to the subscribers.
    pub buf: Vec<u8>,
    subscribers: Vec<std::sync::Arc<dyn EffectsSubscriber>>,
    /// The database of the last recorded command.
    selected: Option<usize>,
    /// Nesting of execution units (a top-level command contains EXEC, which contains a script...).
    depth: usize,
    /// Where the outermost unit's commands start in `buf`, and how many it recorded.
    unit_start: usize,
    unit_commands: usize,
    /// `aof-timestamp-enabled`: a `#TS:<seconds>` line goes before the first command of each new second of
    /// `now_secs` (the server's clock, set by whoever records: dispatch, the cron), as Redis's
    /// genAofTimestampAnnotationIfNeeded writes it.
    pub timestamps: bool,
    pub now_secs: i64,
    annotated_secs: i64,
}

impl Effects {
    /// Adds a consumer of the stream: it sees every batch published from now on.
    pub fn subscribe(&mut self, subscriber: std::sync::Arc<dyn EffectsSubscriber>) {
        self.subscribers.push(subscriber);
    }

    /// Hands what was recorded to every subscriber and starts a new batch. Returns the offset the replies of
    /// the batch must wait for (the latest any subscriber asks), if any. A unit still open (a script suspended
    /// off the event loop) must be left to finish: callers publish between units.
    pub fn publish(&mut self) -> Option<u64> {
        if self.buf.is_empty() {
            return None;
        }
        let mut wait = None;
        for subscriber in &self.subscribers {
            wait = wait.max(subscriber.feed(&self.buf));
        }
        self.buf.clear();
        wait
    }

    /// Starts an execution unit (units nest; only the outermost one is wrapped).
    pub fn begin_unit(&mut self) {
        if self.depth == 0 {
            self.unit_start = self.buf.len();
            self.unit_commands = 0;
        }
        self.depth += 1;
    }

    /// Ends an execution unit: the outermost one, if it recorded several commands, becomes MULTI ... EXEC.
    pub fn end_unit(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 && self.unit_commands > 1 {
            const MULTI: &[u8] = b"*1\r\n$5\r\nMULTI\r\n";
            self.buf.splice(self.unit_start..self.unit_start, MULTI.iter().copied());
            self.buf.extend_from_slice(b"*1\r\n$4\r\nEXEC\r\n");
        }
    }

    /// Inside an execution unit nested in another (a command run by EXEC or a script).
    pub fn in_unit(&self) -> bool {
        self.depth > 1
    }

    /// Records a command that ran in database `db`.
    pub fn record(&mut self, db: usize, argv: &[&[u8]]) {
        if self.timestamps && self.now_secs > self.annotated_secs {
            write_timestamp(&mut self.buf, self.now_secs);
            self.annotated_secs = self.now_secs;
        }
        if self.selected != Some(db) {
            let mut digits = itoa::Buffer::new();
            self.push_command(&[b"SELECT", digits.format(db).as_bytes()]);
            self.selected = Some(db);
        }
        if self.depth > 0 && self.unit_commands == 0 {
            // A unit's MULTI goes after the SELECT of its first command, where Redis writes it.
            self.unit_start = self.buf.len();
        }
        self.push_command(argv);
        self.unit_commands += 1;
    }

    /// A `#TS:` annotation for `secs` was written elsewhere (the base file created at startup): the stream's
    /// next one waits for a later second, as Redis's aof_cur_timestamp does.
    pub fn annotated_at(&mut self, secs: i64) {
        self.annotated_secs = secs;
    }

    /// Forgets which database is selected: the consumer starts a new file, which begins in database 0's
    /// context for a loader, so the next command must select its own.
    pub fn reset_selected(&mut self) {
        self.selected = None;
    }

    fn push_command(&mut self, argv: &[&[u8]]) {
        encode_command(&mut self.buf, argv);
    }
}

/// Appends a `#TS:<unix seconds>` annotation line.
pub fn write_timestamp(buf: &mut Vec<u8>, secs: i64) {
    buf.extend_from_slice(b"#TS:");
    buf.extend_from_slice(itoa::Buffer::new().format(secs).as_bytes());
    buf.extend_from_slice(b"\r\n");
}

/// Appends `argv` as a RESP multibulk command (the AOF's format).
pub fn encode_command(buf: &mut Vec<u8>, argv: &[&[u8]]) {
    let mut digits = itoa::Buffer::new();
    buf.push(b'*');
    buf.extend_from_slice(digits.format(argv.len()).as_bytes());
    buf.extend_from_slice(b"\r\n");
    for arg in argv {
        buf.push(b'$');
        buf.extend_from_slice(digits.format(arg.len()).as_bytes());
        buf.extend_from_slice(b"\r\n");
        buf.extend_from_slice(arg);
        buf.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &Effects) -> String {
        String::from_utf8_lossy(&e.buf).replace("\r\n", " ")
    }

    /// Collects what it is fed, and asks replies to wait for the bytes it holds.
    #[derive(Default)]
    struct Collector(parking_lot::Mutex<Vec<u8>>);

    impl EffectsSubscriber for Collector {
        fn feed(&self, batch: &[u8]) -> Option<u64> {
            let mut all = self.0.lock();
            all.extend_from_slice(batch);
            Some(all.len() as u64)
        }
    }

    #[test]
    fn every_subscriber_gets_every_batch_in_order_and_replies_wait_for_the_latest() {
        let (first, second) = (std::sync::Arc::new(Collector::default()), std::sync::Arc::new(Collector::default()));
        let mut e = Effects::default();
        assert_eq!(e.publish(), None, "nothing recorded, nothing to wait for");
        e.subscribe(first.clone());
        e.begin_unit();
        e.record(0, &[b"SET", b"k", b"v"]);
        e.end_unit();
        let batch_one = e.buf.len() as u64;
        assert_eq!(e.publish(), Some(batch_one));
        assert!(e.buf.is_empty(), "a new batch starts");
        e.subscribe(second.clone());
        e.begin_unit();
        e.record(0, &[b"INCR", b"a"]);
        e.record(1, &[b"DEL", b"b"]);
        e.end_unit();
        let batch_two = e.buf.clone();
        assert_eq!(e.publish(), Some(batch_one + batch_two.len() as u64), "the latest any subscriber asks");
        let first = String::from_utf8_lossy(&first.0.lock()).replace("\r\n", " ");
        assert_eq!(
            first,
            "*2 $6 SELECT $1 0 *3 $3 SET $1 k $1 v *1 $5 MULTI *2 $4 INCR $1 a *2 $6 SELECT $1 1 *2 $3 DEL $1 b \
             *1 $4 EXEC "
        );
        assert_eq!(*second.0.lock(), batch_two, "a late subscriber sees what is published after it joined");
    }

    #[test]
    fn a_single_command_is_recorded_after_its_select() {
        let mut e = Effects::default();
        e.begin_unit();
        e.record(0, &[b"SET", b"k", b"v"]);
        e.end_unit();
        assert_eq!(text(&e), "*2 $6 SELECT $1 0 *3 $3 SET $1 k $1 v ");
        e.begin_unit();
        e.record(0, &[b"DEL", b"k"]);
        e.end_unit();
        assert!(text(&e).ends_with("*3 $3 SET $1 k $1 v *2 $3 DEL $1 k "), "no second SELECT for the same db");
    }

    #[test]
    fn timestamps_precede_the_first_command_of_each_second() {
        let mut e = Effects { timestamps: true, now_secs: 1_700_000_000, ..Effects::default() };
        e.begin_unit();
        e.record(0, &[b"SET", b"k", b"v"]);
        e.record(0, &[b"DEL", b"k"]);
        e.end_unit();
        e.now_secs += 1;
        e.record(1, &[b"DEL", b"k"]);
        assert_eq!(
            text(&e),
            "#TS:1700000000 *2 $6 SELECT $1 0 *1 $5 MULTI *3 $3 SET $1 k $1 v *2 $3 DEL $1 k *1 $4 EXEC \
             #TS:1700000001 *2 $6 SELECT $1 1 *2 $3 DEL $1 k "
        );
    }

    #[test]
    fn a_unit_of_several_commands_is_wrapped_in_multi_exec() {
        let mut e = Effects::default();
        e.begin_unit();
        e.record(2, &[b"INCR", b"a"]);
        e.begin_unit();
        e.record(3, &[b"INCR", b"b"]);
        e.end_unit();
        e.end_unit();
        assert_eq!(
            text(&e),
            "*2 $6 SELECT $1 2 *1 $5 MULTI *2 $4 INCR $1 a *2 $6 SELECT $1 3 *2 $4 INCR $1 b *1 $4 EXEC "
        );
    }

    /// Runs commands through the real dispatcher with effects on; returns what they recorded.
    fn effects_of(lines: &[&str]) -> String {
        use crate::config::{Config, LogLevel};
        use crate::engine::{client::Client, state::Shared, state::State};
        use crate::log::Logger;
        let shared = Shared::new(
            State::new(Config::default(), crate::engine::table::Names::new(crate::cmd::FAMILIES), 0),
            Logger::new(LogLevel::Nothing, "").expect("log"),
            Default::default(),
        );
        let mut client = Client::new(1, true, true);
        let mut out = crate::protocol::Out::new(false);
        let mut state = shared.state.lock();
        state.effects.enabled = true;
        for line in lines {
            let words = crate::protocol::decode::split_args(line.as_bytes()).expect("balanced quotes");
            let argv: Vec<&[u8]> = words.iter().map(|w| &w[..]).collect();
            crate::engine::dispatch::dispatch(&mut state, &shared, &mut client, &argv, &mut out);
        }
        text(&state.effects)
    }

    #[test]
    fn writes_are_recorded_and_reads_failures_and_no_ops_are_not() {
        assert_eq!(
            effects_of(&["SET k v", "GET k", "SADD k x", "SETNX k v", "DEL nothing", "SELECT 1", "SET k w"]),
            "*2 $6 SELECT $1 0 *3 $3 SET $1 k $1 v *2 $6 SELECT $1 1 *3 $3 SET $1 k $1 w "
        );
    }

    #[test]
    fn exec_and_scripts_record_the_writes_they_ran_as_one_unit() {
        assert_eq!(
            effects_of(&["MULTI", "SET a 1", "GET a", "INCR a", "EXEC"]),
            "*2 $6 SELECT $1 0 *1 $5 MULTI *3 $3 SET $1 a $1 1 *2 $4 INCR $1 a *1 $4 EXEC "
        );
        assert_eq!(
            effects_of(&["EVAL \"redis.call('set', KEYS[1], 'x'); redis.call('select', 3); redis.call('set', KEYS[1], 'y')\" 1 k"]),
            "*2 $6 SELECT $1 0 *1 $5 MULTI *3 $3 set $1 k $1 x *2 $6 SELECT $1 3 *3 $3 set $1 k $1 y *1 $4 EXEC "
        );
        // One write alone needs no transaction; a script that only reads records nothing.
        assert_eq!(
            effects_of(&["EVAL \"return redis.call('set', 'a', 1)\" 0"]),
            "*2 $6 SELECT $1 0 *3 $3 set $1 a $1 1 "
        );
        assert_eq!(effects_of(&["EVAL \"return redis.call('get', 'a')\" 0"]), "");
    }

    #[test]
    fn a_unit_without_writes_records_nothing() {
        let mut e = Effects::default();
        e.begin_unit();
        e.end_unit();
        assert!(e.buf.is_empty());
    }
}
