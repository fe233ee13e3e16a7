//! A subscriber's mailbox: messages published to it wait here, already encoded, until its connection task
//! writes them. Publishers append under the state lock from any thread; the task drains it.
//!
//! The bytes queued and not yet written are the client's output buffer as Redis counts it, and
//! `client-output-buffer-limit pubsub` applies to them: past the hard limit, or past the soft limit for longer
//! than its seconds, the mailbox closes, its bytes are freed at once and the connection task drops the client.

use crate::config::ObufLimit;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Mailbox {
    queued: Mutex<Vec<u8>>,
    /// A permit for the connection task: something was queued, or the mailbox closed.
    wake: Notify,
    /// Bytes published to this client and not yet written to its socket (queued here or being written).
    unsent: AtomicUsize,
    closed: AtomicBool,
    /// When the soft limit was first exceeded (0: it is not).
    over_soft_since_ms: AtomicI64,
    /// The client speaks RESP3: messages are push frames.
    resp3: AtomicBool,
}

impl Mailbox {
    pub fn new(resp3: bool) -> Mailbox {
        Mailbox { resp3: AtomicBool::new(resp3), ..Mailbox::default() }
    }

    pub fn resp3(&self) -> bool {
        self.resp3.load(Ordering::Relaxed)
    }

    /// HELLO switched the client's protocol.
    pub fn set_resp3(&self, resp3: bool) {
        self.resp3.store(resp3, Ordering::Relaxed);
    }

    /// Queues one encoded message. False if the mailbox is (now) closed: the client overran its limits.
    pub fn deliver(&self, message: &[u8], limit: &ObufLimit, now_ms: i64) -> bool {
        if self.closed.load(Ordering::Relaxed) {
            return false;
        }
        let unsent = self.unsent.fetch_add(message.len(), Ordering::Relaxed) + message.len();
        if self.over_limit(unsent as u64, limit, now_ms) {
            self.close();
            return false;
        }
        let mut queued = self.queued.lock();
        let was_empty = queued.is_empty();
        queued.extend_from_slice(message);
        drop(queued);
        // The task drains everything queued when it wakes: only the first message since then needs to wake it.
        if was_empty {
            self.wake.notify_one();
        }
        true
    }

    /// Redis's checkClientOutputBufferLimits: the hard limit at once, the soft one after `soft_seconds`.
    fn over_limit(&self, unsent: u64, limit: &ObufLimit, now_ms: i64) -> bool {
        if limit.hard > 0 && unsent >= limit.hard {
            return true;
        }
        if limit.soft == 0 || unsent < limit.soft {
            self.over_soft_since_ms.store(0, Ordering::Relaxed);
            return false;
        }
        let since = self.over_soft_since_ms.load(Ordering::Relaxed);
        if since == 0 {
            self.over_soft_since_ms.store(now_ms.max(1), Ordering::Relaxed);
            return false;
        }
        now_ms - since > (limit.soft_seconds as i64).saturating_mul(1000)
    }

    /// Frees what is queued and tells the connection task to drop the client.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        *self.queued.lock() = Vec::new();
        self.wake.notify_one();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Moves what is queued to the end of `out`; how many bytes that was.
    pub fn take_into(&self, out: &mut Vec<u8>) -> usize {
        let mut queued = self.queued.lock();
        let n = queued.len();
        if out.is_empty() {
            std::mem::swap(out, &mut queued);
        } else {
            out.extend_from_slice(&queued);
            queued.clear();
        }
        n
    }

    /// Moves what is queued into `out` at position `at` (before the replies written from there on).
    pub fn take_at(&self, out: &mut Vec<u8>, at: usize) {
        let mut queued = self.queued.lock();
        if !queued.is_empty() {
            out.splice(at..at, queued.drain(..));
        }
    }

    /// `n` bytes reached the socket.
    pub fn sent(&self, n: usize) {
        let _ = self.unsent.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(n)));
    }

    /// Bytes not yet written (CLIENT LIST `omem`, INFO).
    pub fn unsent(&self) -> usize {
        self.unsent.load(Ordering::Relaxed)
    }

    /// Resolves when something was queued or the mailbox closed since the last wake-up.
    pub async fn woken(&self) {
        self.wake.notified().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_LIMIT: ObufLimit = ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };

    #[test]
    fn messages_queue_in_order_until_taken() {
        let m = Mailbox::default();
        assert!(m.deliver(b"one ", &NO_LIMIT, 1));
        assert!(m.deliver(b"two", &NO_LIMIT, 1));
        let mut out = b"reply ".to_vec();
        assert_eq!(m.take_into(&mut out), 7);
        assert_eq!(out, b"reply one two");
        assert_eq!(m.unsent(), 7);
        m.sent(100);
        assert_eq!(m.unsent(), 0);
    }

    #[test]
    fn the_hard_limit_closes_and_frees_at_once() {
        let m = Mailbox::default();
        let limit = ObufLimit { hard: 10, soft: 0, soft_seconds: 0 };
        assert!(m.deliver(b"12345", &limit, 1));
        assert!(!m.deliver(b"678901", &limit, 1));
        assert!(m.is_closed());
        let mut out = Vec::new();
        assert_eq!(m.take_into(&mut out), 0, "queued bytes freed");
        assert!(!m.deliver(b"x", &NO_LIMIT, 1), "closed for good");
    }

    #[test]
    fn the_soft_limit_closes_only_after_its_seconds() {
        let m = Mailbox::default();
        let limit = ObufLimit { hard: 0, soft: 4, soft_seconds: 2 };
        assert!(m.deliver(b"12345", &limit, 1_000));
        assert!(m.deliver(b"6", &limit, 2_500));
        assert!(m.deliver(b"7", &limit, 3_000));
        assert!(!m.deliver(b"8", &limit, 3_001));
    }

    #[test]
    fn going_under_the_soft_limit_restarts_its_clock() {
        let m = Mailbox::default();
        let limit = ObufLimit { hard: 0, soft: 4, soft_seconds: 2 };
        assert!(m.deliver(b"12345", &limit, 1_000));
        m.sent(5);
        assert!(m.deliver(b"1", &limit, 2_000));
        assert!(m.deliver(b"2345", &limit, 2_500));
        assert!(m.deliver(b"6", &limit, 4_000));
    }
}
