//! Integration tests against embedis alone: the embedding API, connections and protocol limits, real clients
//! (the `redis` crate, redis-cli) and the `embedis-server` binary.

mod aof;
mod binary;
mod check_aof;
mod connections;
mod embedding;
mod eviction;
mod pubsub;
mod real_clients;
mod scripting;
mod transactions;
