//! Integration tests: each module drives the built `clickstream` binary on
//! files under `fixtures/` (and the shared real-world cases).

mod convert;
mod hash_phones;
mod replay;
mod sink;
mod util;
mod validate;
