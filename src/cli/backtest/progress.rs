//! The progress bar of a backtest: position, articles/s and ETA on
//! stderr, only when stderr is a terminal (never when piped or captured,
//! so logs and scripts see only the messages).

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What the bar's position counts.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Bytes of a file read.
    Bytes,
    /// Kafka offsets read.
    Messages,
}

/// A progress bar, or nothing when stderr is not a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_message: Option<Instant>,
}

impl Progress {
    /// A bar up to `total` (a spinner when the total is unknown, as for
    /// stdin), drawn only if stderr is a terminal.
    pub fn new(total: Option<u64>, unit: Unit) -> Progress {
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| Self::bar(total, unit, ProgressDrawTarget::stderr()));
        Progress {
            bar,
            started: Instant::now(),
            last_message: None,
        }
    }

    /// No bar at all.
    pub fn hidden() -> Progress {
        Progress {
            bar: None,
            started: Instant::now(),
            last_message: None,
        }
    }

    fn bar(total: Option<u64>, unit: Unit, target: ProgressDrawTarget) -> ProgressBar {
        let amount = match unit {
            Unit::Bytes => "{binary_bytes}/{binary_total_bytes}",
            Unit::Messages => "{human_pos}/{human_len} messages",
        };
        let template = match total {
            Some(_) => format!("{{wide_bar}} {amount} · {{msg}} · ETA {{eta}}"),
            None => "{spinner} {binary_bytes} · {msg}".to_string(),
        };
        let style = ProgressStyle::with_template(&template)
            .expect("a valid progress template")
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(total, target).with_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// Moves the bar to `position`, with the articles matched so far.
    pub fn update(&mut self, position: u64, articles: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(position);
        let now = Instant::now();
        if self
            .last_message
            .is_some_and(|t| now - t < Duration::from_millis(100))
        {
            return;
        }
        self.last_message = Some(now);
        let secs = (now - self.started).as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{articles} articles, {:.0} articles/s",
            articles as f64 / secs
        ));
    }

    /// Prints a line on stderr, above the bar when there is one.
    pub fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar (the summary follows on a clean line).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bar itself, drawn to a hidden target: the template and the
    /// message render without panicking for both units and no total.
    #[test]
    fn bars_of_every_kind_build_and_update() {
        for (total, unit) in [
            (Some(1_000), Unit::Bytes),
            (Some(10), Unit::Messages),
            (None, Unit::Bytes),
        ] {
            let mut p = Progress {
                bar: Some(Progress::bar(total, unit, ProgressDrawTarget::hidden())),
                started: Instant::now(),
                last_message: None,
            };
            p.update(5, 3);
            assert!(p.bar.as_ref().unwrap().message().contains("3 articles"));
            p.eprintln("a line");
            p.finish();
        }
    }
}
