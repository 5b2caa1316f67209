//! One module per subcommand, each with its clap `Args` and a `run`.
pub mod convert;
pub mod hash_phones;
pub mod replay;
pub mod validate;
