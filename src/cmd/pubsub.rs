//! Pub/Sub commands (Redis 7.0's pubsub.c): (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB.
//! The registry and delivery are in crate::pubsub.

use super::{reply_help, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::CmdError;
use crate::pubsub::{confirm, Kind, Mailbox};
use std::sync::Arc;

const SUBSCRIBE_FLAGS: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("subscribe", -2, SUBSCRIBE_FLAGS, (0, 0, 0), subscribe).group("pubsub"),
    CommandSpec::new("unsubscribe", -1, SUBSCRIBE_FLAGS, (0, 0, 0), unsubscribe).group("pubsub"),
    CommandSpec::new("psubscribe", -2, SUBSCRIBE_FLAGS, (0, 0, 0), psubscribe).group("pubsub"),
    CommandSpec::new("punsubscribe", -1, SUBSCRIBE_FLAGS, (0, 0, 0), punsubscribe).group("pubsub"),
    CommandSpec::new("ssubscribe", -2, SUBSCRIBE_FLAGS, (1, -1, 1), ssubscribe).group("pubsub"),
    CommandSpec::new("sunsubscribe", -1, SUBSCRIBE_FLAGS, (1, -1, 1), sunsubscribe).group("pubsub"),
    CommandSpec::new("publish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, (0, 0, 0), publish).group("pubsub"),
    CommandSpec::new("spublish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, (1, 1, 1), spublish)
        .group("pubsub"),
    CommandSpec::container("pubsub", PUBSUB_SUBCOMMANDS),
];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("pubsub|channels", -2, PUBSUB | LOADING | STALE, (0, 0, 0), channels).group("pubsub"),
    CommandSpec::new("pubsub|numsub", -2, PUBSUB | LOADING | STALE, (0, 0, 0), numsub).group("pubsub"),
    CommandSpec::new("pubsub|numpat", 2, PUBSUB | LOADING | STALE, (0, 0, 0), numpat).group("pubsub"),
    CommandSpec::new("pubsub|shardchannels", -2, PUBSUB | LOADING | STALE, (0, 0, 0), shardchannels).group("pubsub"),
    CommandSpec::new("pubsub|shardnumsub", -2, PUBSUB | LOADING | STALE, (0, 0, 0), shardnumsub).group("pubsub"),
    CommandSpec::new("pubsub|help", 2, LOADING | STALE, (0, 0, 0), help).group("pubsub"),
];

/// The client's mailbox, created on its first subscription.
fn mailbox(ctx: &mut Ctx) -> Arc<Mailbox> {
    let resp3 = ctx.out.resp3;
    ctx.client.mailbox.get_or_insert_with(|| Arc::new(Mailbox::new(resp3))).clone()
}

fn subscribe_generic(ctx: &mut Ctx, names: Args, kind: Kind, confirmation: &str) -> Result<(), CmdError> {
    let mailbox = mailbox(ctx);
    let id = ctx.client.id;
    for name in names {
        let count = ctx.state.pubsub.subscribe(id, &mailbox, kind, name);
        confirm(ctx.out, confirmation, Some(name), count);
    }
    ctx.client.subscriptions = ctx.state.pubsub.total(id);
    Ok(())
}

/// Unsubscribes from `names`, or from everything of that kind when there are none; a client with nothing to
/// leave still gets one confirmation, with a nil name.
fn unsubscribe_generic(ctx: &mut Ctx, names: Args, kind: Kind, confirmation: &str) -> Result<(), CmdError> {
    let id = ctx.client.id;
    let all;
    let names: Vec<&[u8]> = if names.is_empty() {
        all = ctx.state.pubsub.subscriptions(id, kind);
        all.iter().map(|n| &n[..]).collect()
    } else {
        names.to_vec()
    };
    for name in &names {
        let count = ctx.state.pubsub.unsubscribe(id, kind, name);
        confirm(ctx.out, confirmation, Some(name), count);
    }
    if names.is_empty() {
        confirm(ctx.out, confirmation, None, ctx.state.pubsub.count(id, kind));
    }
    ctx.client.subscriptions = ctx.state.pubsub.total(id);
    Ok(())
}

fn subscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    subscribe_generic(ctx, &argv[1..], Kind::Channel, "subscribe")
}

fn psubscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    subscribe_generic(ctx, &argv[1..], Kind::Pattern, "psubscribe")
}

fn ssubscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    subscribe_generic(ctx, &argv[1..], Kind::Shard, "ssubscribe")
}

fn unsubscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    unsubscribe_generic(ctx, &argv[1..], Kind::Channel, "unsubscribe")
}

fn punsubscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    unsubscribe_generic(ctx, &argv[1..], Kind::Pattern, "punsubscribe")
}

fn sunsubscribe(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    unsubscribe_generic(ctx, &argv[1..], Kind::Shard, "sunsubscribe")
}

fn publish_generic(ctx: &mut Ctx, argv: Args, kind: Kind) -> Result<(), CmdError> {
    let limit = ctx.state.config.client_output_buffer_limit.pubsub;
    let receivers = ctx.state.pubsub.publish(kind, argv[1], argv[2], &limit, ctx.now);
    ctx.out.int(receivers as i64);
    Ok(())
}

fn publish(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    publish_generic(ctx, argv, Kind::Channel)
}

fn spublish(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    publish_generic(ctx, argv, Kind::Shard)
}

/// PUBSUB CHANNELS / SHARDCHANNELS [pattern].
fn channels_generic(ctx: &mut Ctx, argv: Args, kind: Kind) -> Result<(), CmdError> {
    if argv.len() > 3 {
        return Err(CmdError::UnknownSubcommandOrArity { sub: argv[1].to_vec(), command: "pubsub" });
    }
    let found = ctx.state.pubsub.channels(kind, argv.get(2).copied());
    ctx.out.array(found.len());
    for channel in found {
        ctx.out.bulk(channel);
    }
    Ok(())
}

/// PUBSUB NUMSUB / SHARDNUMSUB channel...: each channel and its count of subscribers.
fn numsub_generic(ctx: &mut Ctx, argv: Args, kind: Kind) -> Result<(), CmdError> {
    ctx.out.array((argv.len() - 2) * 2);
    for channel in &argv[2..] {
        ctx.out.bulk(channel);
        ctx.out.int(ctx.state.pubsub.numsub(kind, channel) as i64);
    }
    Ok(())
}

fn channels(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    channels_generic(ctx, argv, Kind::Channel)
}

fn shardchannels(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    channels_generic(ctx, argv, Kind::Shard)
}

fn numsub(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    numsub_generic(ctx, argv, Kind::Channel)
}

fn shardnumsub(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    numsub_generic(ctx, argv, Kind::Shard)
}

fn numpat(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(ctx.state.pubsub.numpat() as i64);
    Ok(())
}

fn help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    );
    Ok(())
}
