//! Placeholder replaced by the matcher benchmark.
fn main() {}
