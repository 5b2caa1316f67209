//! Integration tests: each module drives the built `clickstream` binary on
//! files under `fixtures/` (and the shared real-world cases).

mod cli;
mod convert;
mod generated;
mod hash_phones;
mod readme;
mod replay;
mod schema;
mod sink;
mod util;
mod validate;
