//! RESP: request decoding, reply encoding and Redis's number formats. Knows nothing of the server.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

pub mod decode;
pub mod number;
pub mod reply;
pub mod repr;
pub mod resp3;

pub use decode::{Limits, Next, RequestParser};
pub use reply::Out;
