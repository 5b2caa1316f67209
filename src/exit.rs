//! Exit statuses, in one place (SPEC sections 3 to 6).

/// Everything checked out.
pub const SUCCESS: u8 = 0;
/// The run finished but found problems: invalid records, bad lines, failed sends.
pub const PROBLEMS: u8 = 1;
/// Usage error, unreadable input, unwritable output.
pub const USAGE: u8 = 2;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;
