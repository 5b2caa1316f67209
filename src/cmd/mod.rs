//! One module per subcommand, each with its clap `Args` and a `run`.
pub mod validate;
pub mod hash_phones;
