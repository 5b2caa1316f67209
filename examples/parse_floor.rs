//! The benchmark's parsing floor (SPEC 8): a bare serde_json parse of each
//! JSONL line into a borrowed struct, on one core, with no checks at all.
//! `cargo run --release --example parse_floor FILE` prints the line count.

use std::io::{BufRead, BufReader};

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Event<'a> {
    event_id: &'a str,
    reference_id: &'a str,
    organisation_id: &'a str,
    campaign_id: &'a str,
    display_unit: &'a str,
    impression_timestamp: &'a str,
    click_timestamp: Option<&'a str>,
    business_number: &'a str,
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).expect("usage: parse_floor FILE");
    let mut input = BufReader::with_capacity(256 * 1024, std::fs::File::open(path)?);
    let (mut line, mut parsed) = (Vec::new(), 0u64);
    while input.read_until(b'\n', &mut line)? > 0 {
        if serde_json::from_slice::<Event>(&line).is_ok() {
            parsed += 1;
        }
        line.clear();
    }
    println!("{parsed}");
    Ok(())
}
