//! Integration tests against embedis alone: the embedding API, connections and protocol limits, real clients
//! (the `redis` crate, redis-cli) and the `embedis-server` binary.

mod aof;
mod binary;
mod check_aof;
mod clients;
mod config_rewrite;
mod connections;
mod diagnostics;
mod docker;
mod embedding;
mod eviction;
mod hardening;
mod lifecycle;
mod loading;
mod pubsub;
mod python_package;
mod rdb_durability;
mod readme_examples;
mod real_clients;
mod redis_cli_modes;
mod scripting;
mod source_rules;
mod test_kit;
mod test_mode;
mod transactions;
