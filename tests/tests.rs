//! The single integration-test binary: every test module is a `mod` here, so they share one build and one
//! `support` module.

mod differential;
mod integration;
mod support;
