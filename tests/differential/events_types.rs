//! Keyspace events of this family's commands against redis-server (see keyspace_events.rs for the harness).

use super::diff_events;
