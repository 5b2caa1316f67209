//! One module per subcommand, each with its clap `Args` and a `run`.
pub mod completions;
pub mod convert;
pub mod hash_phones;
pub mod man;
pub mod replay;
pub mod schema;
pub mod validate;
