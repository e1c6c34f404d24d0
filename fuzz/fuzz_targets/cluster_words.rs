//! Fuzz target `cluster_words`: what a user types to the cluster simulator.
//! Every line is read as an operation and as a goal, and the whole input as
//! a TOML cluster description (read only, no cluster built: building one
//! signs files and is slow).
//!
//! Reading never panics; an operation or goal that reads writes back as
//! text that reads as the same operation or goal; a description that reads
//! names at least one node.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::cluster::{Goal, Operation, describe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        if let Ok(op) = line.parse::<Operation>() {
            assert_eq!(op.to_string().parse::<Operation>().as_ref(), Ok(&op), "{line:?}");
            assert!(!op.describe().is_empty());
        }
        if let Ok(goal) = line.parse::<Goal>() {
            assert_eq!(goal.to_string().parse::<Goal>().as_ref(), Ok(&goal), "{line:?}");
        }
    }
    // Paths in a description are read (bounded); the seed corpus names none.
    if let Ok((spec, _keys)) = describe::parse(text, Some(std::path::Path::new("/nonexistent"))) {
        assert!(!spec.nodes.is_empty());
    }
});
