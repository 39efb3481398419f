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
            let lists = match m.list_count() {
                0 => String::new(),
                n => format!(
                    ", {n} list{} of {} companies",
                    if n == 1 { "" } else { "s" },
                    m.listed_count()
                ),
            };
            println!(
                "{}: ok ({} rules, {} channels, watchlists {}{lists})",
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
