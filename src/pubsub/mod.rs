//! Pub/Sub: who listens to which channel, pattern and shard channel, and delivery of published messages into
//! the subscribers' mailboxes (Redis's pubsub.c). Lives in the State, so PUBLISH, keyspace events and
//! (un)subscriptions are ordered by the state lock: each subscriber sees messages in publish order.

pub mod keyspace;
pub mod mailbox;

pub use mailbox::Mailbox;

use crate::config::ObufLimit;
use crate::protocol::Out;
use indexmap::{IndexMap, IndexSet};
use std::collections::HashMap;
use std::sync::Arc;

type Hasher = foldhash::fast::RandomState;

/// The subscribers of one channel or pattern, by client id, in subscription order.
type Subscribers = IndexMap<u64, Arc<Mailbox>, Hasher>;

/// Plain channels and shard channels are separate namespaces (SUBSCRIBE / SSUBSCRIBE).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

/// What one client listens to.
struct ClientSubs {
    mailbox: Arc<Mailbox>,
    channels: IndexSet<Vec<u8>, Hasher>,
    patterns: IndexSet<Vec<u8>, Hasher>,
    shard: IndexSet<Vec<u8>, Hasher>,
}

impl ClientSubs {
    fn names(&mut self, kind: Kind) -> &mut IndexSet<Vec<u8>, Hasher> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard,
        }
    }
}

#[derive(Default)]
pub struct PubSub {
    channels: HashMap<Vec<u8>, Subscribers, Hasher>,
    /// Patterns are matched one by one against every published channel, as Redis does.
    patterns: IndexMap<Vec<u8>, Subscribers, Hasher>,
    shard: HashMap<Vec<u8>, Subscribers, Hasher>,
    clients: HashMap<u64, ClientSubs, Hasher>,
}

impl PubSub {
    fn registry(&mut self, kind: Kind) -> RegistryMut<'_> {
        match kind {
            Kind::Channel => RegistryMut::Map(&mut self.channels),
            Kind::Pattern => RegistryMut::Ordered(&mut self.patterns),
            Kind::Shard => RegistryMut::Map(&mut self.shard),
        }
    }

    /// Subscribes a client to a channel, pattern or shard channel (a no-op if it already is); returns the
    /// client's count of subscriptions as the confirmation reports it.
    pub fn subscribe(&mut self, id: u64, mailbox: &Arc<Mailbox>, kind: Kind, name: &[u8]) -> usize {
        let subs = self.clients.entry(id).or_insert_with(|| ClientSubs {
            mailbox: mailbox.clone(),
            channels: IndexSet::default(),
            patterns: IndexSet::default(),
            shard: IndexSet::default(),
        });
        if subs.names(kind).insert(name.to_vec()) {
            let mailbox = subs.mailbox.clone();
            self.registry(kind).entry(name).insert(id, mailbox);
        }
        self.count(id, kind)
    }

    /// Unsubscribes a client from one name; returns the count after, as the confirmation reports it.
    pub fn unsubscribe(&mut self, id: u64, kind: Kind, name: &[u8]) -> usize {
        let removed = self.clients.get_mut(&id).is_some_and(|subs| subs.names(kind).shift_remove(name));
        if removed {
            self.registry(kind).remove_subscriber(name, id);
        }
        let count = self.count(id, kind);
        if self.clients.get(&id).is_some_and(|s| s.channels.is_empty() && s.patterns.is_empty() && s.shard.is_empty()) {
            self.clients.remove(&id);
        }
        count
    }

    /// The names a client listens to, in subscription order (UNSUBSCRIBE without arguments).
    pub fn subscriptions(&self, id: u64, kind: Kind) -> Vec<Vec<u8>> {
        let Some(subs) = self.clients.get(&id) else { return Vec::new() };
        let names = match kind {
            Kind::Channel => &subs.channels,
            Kind::Pattern => &subs.patterns,
            Kind::Shard => &subs.shard,
        };
        names.iter().cloned().collect()
    }

    /// A disconnecting (or RESET) client leaves every channel and pattern at once.
    pub fn remove_client(&mut self, id: u64) {
        let Some(mut subs) = self.clients.remove(&id) else { return };
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            for name in std::mem::take(subs.names(kind)) {
                self.registry(kind).remove_subscriber(&name, id);
            }
        }
    }

    /// What SUBSCRIBE and friends report: channels + patterns, or shard channels alone for SSUBSCRIBE.
    pub fn count(&self, id: u64, kind: Kind) -> usize {
        self.clients.get(&id).map_or(0, |s| match kind {
            Kind::Shard => s.shard.len(),
            _ => s.channels.len() + s.patterns.len(),
        })
    }

    /// (channels, patterns, shard channels) a client listens to (CLIENT LIST `sub`, `psub`, `ssub`).
    pub fn counts(&self, id: u64) -> (usize, usize, usize) {
        self.clients.get(&id).map_or((0, 0, 0), |s| (s.channels.len(), s.patterns.len(), s.shard.len()))
    }

    /// Bytes published to a client and not yet written to its socket (CLIENT LIST `omem`).
    pub fn unsent(&self, id: u64) -> usize {
        self.clients.get(&id).map_or(0, |s| s.mailbox.unsent())
    }

    /// All subscriptions of a client (the RESP2 subscribed context; CLIENT LIST `sub`, `psub`).
    pub fn total(&self, id: u64) -> usize {
        self.clients.get(&id).map_or(0, |s| s.channels.len() + s.patterns.len() + s.shard.len())
    }

    /// Delivers a message to the channel's subscribers and to every client whose pattern matches it (shard
    /// channels: to their subscribers only); returns how many receivers it had.
    pub fn publish(&self, kind: Kind, channel: &[u8], message: &[u8], limit: &ObufLimit, now_ms: i64) -> usize {
        let (map, name) = match kind {
            Kind::Shard => (&self.shard, "smessage"),
            _ => (&self.channels, "message"),
        };
        let mut receivers = 0;
        if let Some(subs) = map.get(channel) {
            let parts = [name.as_bytes(), channel, message];
            let mut frames = Frames::new(&parts);
            for mailbox in subs.values() {
                mailbox.deliver(frames.get(mailbox.resp3()), limit, now_ms);
            }
            receivers += subs.len();
        }
        if kind == Kind::Shard {
            return receivers;
        }
        for (pattern, subs) in &self.patterns {
            if !crate::glob::matches(pattern, channel) {
                continue;
            }
            let parts = [&b"pmessage"[..], pattern, channel, message];
            let mut frames = Frames::new(&parts);
            for mailbox in subs.values() {
                mailbox.deliver(frames.get(mailbox.resp3()), limit, now_ms);
            }
            receivers += subs.len();
        }
        receivers
    }

    /// PUBSUB CHANNELS / SHARDCHANNELS: the channels with subscribers, optionally matching a pattern.
    pub fn channels(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<&[u8]> {
        let map = if kind == Kind::Shard { &self.shard } else { &self.channels };
        map.keys().map(|k| &k[..]).filter(|k| pattern.is_none_or(|p| crate::glob::matches(p, k))).collect()
    }

    /// PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one channel.
    pub fn numsub(&self, kind: Kind, channel: &[u8]) -> usize {
        let map = if kind == Kind::Shard { &self.shard } else { &self.channels };
        map.get(channel).map_or(0, |s| s.len())
    }

    /// PUBSUB NUMPAT: distinct patterns subscribed to.
    pub fn numpat(&self) -> usize {
        self.patterns.len()
    }

    /// Is anyone listening at all? (Keyspace events skip building channel names when not.)
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

/// Mutable access to the channel maps (hash maps) and the pattern map (ordered, for matching).
enum RegistryMut<'a> {
    Map(&'a mut HashMap<Vec<u8>, Subscribers, Hasher>),
    Ordered(&'a mut IndexMap<Vec<u8>, Subscribers, Hasher>),
}

impl<'a> RegistryMut<'a> {
    fn entry(self, name: &[u8]) -> &'a mut Subscribers {
        match self {
            RegistryMut::Map(m) => m.entry(name.to_vec()).or_default(),
            RegistryMut::Ordered(m) => m.entry(name.to_vec()).or_default(),
        }
    }

    /// Drops a subscriber; a name left without subscribers is removed (PUBSUB CHANNELS, NUMPAT).
    fn remove_subscriber(self, name: &[u8], id: u64) {
        match self {
            RegistryMut::Map(m) => {
                if let Some(subs) = m.get_mut(name) {
                    subs.shift_remove(&id);
                    if subs.is_empty() {
                        m.remove(name);
                    }
                }
            }
            RegistryMut::Ordered(m) => {
                if let Some(subs) = m.get_mut(name) {
                    subs.shift_remove(&id);
                    if subs.is_empty() {
                        m.shift_remove(name);
                    }
                }
            }
        }
    }
}

/// One message's frame, encoded at most once per protocol however many subscribers receive it.
struct Frames<'a> {
    parts: &'a [&'a [u8]],
    resp2: Option<Vec<u8>>,
    resp3: Option<Vec<u8>>,
}

impl<'a> Frames<'a> {
    fn new(parts: &'a [&'a [u8]]) -> Self {
        Frames { parts, resp2: None, resp3: None }
    }

    fn get(&mut self, resp3: bool) -> &[u8] {
        let parts = self.parts;
        let slot = if resp3 { &mut self.resp3 } else { &mut self.resp2 };
        slot.get_or_insert_with(|| {
            let mut out = Out { buf: Vec::new(), resp3 };
            out.push(parts.len());
            for p in parts {
                out.bulk(p);
            }
            out.buf
        })
    }
}

/// Writes a subscription confirmation (`subscribe`, `unsubscribe`, `psubscribe`...): the kind, the name (nil
/// when unsubscribing from nothing) and the client's count.
pub fn confirm(out: &mut Out, what: &str, name: Option<&[u8]>, count: usize) {
    out.push(3);
    out.bulk(what.as_bytes());
    match name {
        Some(name) => out.bulk(name),
        None => out.null(),
    }
    out.int(count as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_LIMIT: ObufLimit = ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };

    fn taken(m: &Mailbox) -> String {
        let mut out = Vec::new();
        m.take_into(&mut out);
        String::from_utf8_lossy(&out).replace("\r\n", " ")
    }

    #[test]
    fn publish_reaches_channel_and_pattern_subscribers() {
        let mut ps = PubSub::default();
        let (a, b) = (Arc::new(Mailbox::default()), Arc::new(Mailbox::default()));
        assert_eq!(ps.subscribe(1, &a, Kind::Channel, b"news"), 1);
        assert_eq!(ps.subscribe(2, &b, Kind::Pattern, b"n*"), 1);
        assert_eq!(ps.subscribe(2, &b, Kind::Pattern, b"n*"), 1, "twice is once");
        assert_eq!(ps.publish(Kind::Channel, b"news", b"hi", &NO_LIMIT, 0), 2);
        assert_eq!(taken(&a), "*3 $7 message $4 news $2 hi ");
        assert_eq!(taken(&b), "*4 $8 pmessage $2 n* $4 news $2 hi ");
        assert_eq!(ps.publish(Kind::Shard, b"news", b"x", &NO_LIMIT, 0), 0, "shard channels are apart");
    }

    #[test]
    fn leaving_removes_every_subscription_and_empty_names() {
        let mut ps = PubSub::default();
        let a = Arc::new(Mailbox::default());
        ps.subscribe(1, &a, Kind::Channel, b"x");
        ps.subscribe(1, &a, Kind::Pattern, b"p*");
        ps.subscribe(1, &a, Kind::Shard, b"s");
        assert_eq!(ps.total(1), 3);
        ps.remove_client(1);
        assert_eq!((ps.numsub(Kind::Channel, b"x"), ps.numpat(), ps.numsub(Kind::Shard, b"s")), (0, 0, 0));
        assert!(ps.channels(Kind::Channel, None).is_empty() && ps.is_empty());
    }

    #[test]
    fn unsubscribe_counts_down() {
        let mut ps = PubSub::default();
        let a = Arc::new(Mailbox::default());
        ps.subscribe(1, &a, Kind::Channel, b"x");
        ps.subscribe(1, &a, Kind::Pattern, b"y*");
        assert_eq!(ps.unsubscribe(1, Kind::Channel, b"nope"), 2);
        assert_eq!(ps.unsubscribe(1, Kind::Channel, b"x"), 1);
        assert_eq!(ps.unsubscribe(1, Kind::Pattern, b"y*"), 0);
        assert!(ps.is_empty());
    }
}
