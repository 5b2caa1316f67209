//! clickstream: validate, hash, convert and replay clickstream webhook events.

pub mod phone;
