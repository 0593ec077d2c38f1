//! Helpers shared by the integration tests, one room each:
//!
//! - [`demo`]: the ticket layer's demo network, the IEEE 123-bus fixture, time and event
//!   shorthands, and the scripted outage source.
//! - [`shared`]: where `../shared` (the feeder models and sample scenarios kept beside
//!   the repository) is found, for the tests that are ignored without it.
//! - [`scratch`]: fresh temporary folders for tests that write model files.
//! - [`trees`]: generated feeder trees that shrink, for property tests over networks.
//!
//! Each test binary includes this whole module and uses a part of it.
#![allow(dead_code)]

pub mod demo;
pub mod scratch;
pub mod shared;
pub mod trees;

// Not every test binary uses the demo world.
#[allow(unused_imports)]
pub use demo::*;
