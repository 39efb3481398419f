//! `wirewatch check`: validate the config and every watchlist it names.

use std::path::Path;

use super::{load_all, Failure};

pub fn run(config: &Path) -> Result<(), Failure> {
    match load_all(config) {
        Ok((c, m, warnings)) => {
            for w in &warnings {
                eprintln!("{w}");
            }
            for w in c.warnings() {
                eprintln!("{w}");
            }
            println!(
                "{}: ok ({} rules, {} channels, watchlists {})",
                config.display(),
                m.rule_count(),
                c.channels.len(),
                c.watchlists.display()
            );
            Ok(())
        }
        Err(problems) => Err(Failure::Usage(problems)),
    }
}
