//! `wirewatch backtest`: the matcher over a JSONL file or a time range of
//! the configured Kafka topics, for analysts editing a watchlist: per-rule
//! hit counts, `--json` hits with evidence, `--explain` for one article,
//! and precision/recall against labels.
//!
//! Articles are decoded and matched on `--jobs` threads ([`parallel`]) and
//! reported strictly in input order, so the output is the same byte for
//! byte whatever the number of threads; memory stays bounded whatever the
//! input's size. A long run shows a progress bar when stderr is a
//! terminal ([`progress`]). The Kafka range is read by
//! [`crate::source::kafka::range`], read-only.

mod parallel;
mod progress;
pub mod when;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::json;

use super::Failure;
use crate::source::file;
use crate::source::kafka::range::RangeReader;
use progress::{Progress, Unit};
pub use when::When;
use wirewatch_matcher::article::{self, Article, Malformed, DEFAULT_MAX_MESSAGE_BYTES};
use wirewatch_matcher::{Matcher, SpanKind};

/// Where the articles come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A JSONL file, or `-` for stdin.
    File(PathBuf),
    /// The configured topics, from `since` to `until` (or to their end
    /// when the backtest starts).
    Kafka { since: When, until: Option<When> },
}

/// Where the rules come from.
#[derive(Debug, Clone)]
pub enum Rules {
    Watchlists(PathBuf),
    /// The daemon's config: its watchlists, and its `[kafka]` section for
    /// [`Input::Kafka`].
    Config(PathBuf),
}

/// A backtest, as given on the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub rules: Rules,
    pub input: Input,
    pub json: bool,
    pub explain: Option<String>,
    pub expected: Option<PathBuf>,
    /// Only this rule's hits (and explanation, and expected labels).
    pub rule: Option<String>,
    /// Matching threads; `None` for one per available CPU.
    pub jobs: Option<usize>,
}

/// Where one event was read: for messages about it.
#[derive(Debug)]
enum Origin {
    Line(usize),
    Message {
        topic: Arc<str>,
        partition: i32,
        offset: i64,
    },
}

/// One event to decode and match.
struct Event {
    origin: Origin,
    payload: Result<Vec<u8>, Malformed>,
}

/// What matching one event gave.
enum Outcome {
    /// Not an article: why.
    Malformed(Malformed),
    /// An article the matcher refused (`too_expensive`).
    Rejected { id: String, error: Malformed },
    /// An article's hits: their rule ids and, with `--json`, their lines.
    Matched {
        id: String,
        rules: Vec<String>,
        json: String,
    },
    /// With `--explain`: the explanation when this is the article.
    Explained(Option<Vec<u8>>),
}

/// What every matching thread shares.
struct Work<'a> {
    matcher: &'a Matcher,
    max_bytes: usize,
    json: bool,
    explain: Option<&'a str>,
    rule: Option<&'a str>,
}

impl Work<'_> {
    fn run(&self, event: Event) -> (Origin, Outcome) {
        let article = match event
            .payload
            .and_then(|bytes| article::decode(&bytes, self.max_bytes))
        {
            Ok(a) => a,
            Err(e) => return (event.origin, Outcome::Malformed(e)),
        };
        (event.origin, self.article(article))
    }

    fn article(&self, article: Article) -> Outcome {
        if let Some(id) = self.explain {
            if article.id != id {
                return Outcome::Explained(None);
            }
            let mut text = Vec::new();
            print_explanation(&mut text, self.matcher, &article, self.rule)
                .expect("writing to memory cannot fail");
            return Outcome::Explained(Some(text));
        }
        let mut hits = match self.matcher.try_evaluate(&article) {
            Ok(hits) => hits,
            Err(error) => {
                return Outcome::Rejected {
                    id: article.id,
                    error,
                }
            }
        };
        if let Some(rule) = self.rule {
            hits.retain(|h| h.rule_id == rule);
        }
        let mut json = String::new();
        if self.json {
            for h in &hits {
                let mut line = json!({
                    "rule_id": h.rule_id,
                    "article_id": article.id,
                    "severity": h.severity,
                    "title": article.title,
                    "matched": {"company": h.company, "agency": h.agency, "action": h.action},
                    "status": h.status,
                    "language": h.language,
                    "evidence": h.evidence,
                });
                // A hit from a list names it and the entry's source id;
                // hits of a rule's own companies print as before.
                if let Some(list) = &h.list {
                    line["list"] = json!(list);
                    line["source_id"] = json!(h.source_id);
                }
                json.push_str(&line.to_string());
                json.push('\n');
            }
        }
        Outcome::Matched {
            id: article.id,
            rules: hits.into_iter().map(|h| h.rule_id).collect(),
            json,
        }
    }
}

/// The counts and the output, fed the outcomes in input order.
struct Tally<'a, W: Write> {
    out: W,
    progress: Progress,
    /// What lines are read from, in messages (`FILE:LINE: ...`).
    name: String,
    expected: Option<&'a HashMap<String, BTreeSet<String>>>,
    rule: Option<&'a str>,
    counts: BTreeMap<String, usize>,
    articles: usize,
    malformed: usize,
    reasons: BTreeMap<&'static str, usize>,
    hits: usize,
    tp: usize,
    fp: usize,
    fn_: usize,
    mistakes: Vec<String>,
    explained: bool,
}

impl<W: Write> Tally<'_, W> {
    fn label(&self, origin: &Origin) -> String {
        match origin {
            Origin::Line(n) => format!("{}:{n}", self.name),
            Origin::Message {
                topic,
                partition,
                offset,
            } => format!("{topic}[{partition}]@{offset}"),
        }
    }

    fn take(&mut self, outcomes: Vec<(Origin, Outcome)>, position: u64) -> std::io::Result<()> {
        for (origin, outcome) in outcomes {
            match outcome {
                Outcome::Malformed(e) => {
                    self.malformed += 1;
                    *self.reasons.entry(e.reason()).or_default() += 1;
                    let line = format!("{}: skipped malformed event: {e}", self.label(&origin));
                    self.progress.eprintln(&line);
                }
                Outcome::Rejected { id, error } => {
                    self.articles += 1;
                    self.malformed += 1;
                    *self.reasons.entry(error.reason()).or_default() += 1;
                    let line = format!("{}: skipped event {id:?}: {error}", self.label(&origin));
                    self.progress.eprintln(&line);
                }
                Outcome::Explained(text) => {
                    self.articles += 1;
                    if let Some(text) = text {
                        self.explained = true;
                        self.out.write_all(&text)?;
                    }
                }
                Outcome::Matched { id, rules, json } => {
                    self.articles += 1;
                    self.hits += rules.len();
                    for r in &rules {
                        *self.counts.entry(r.clone()).or_default() += 1;
                    }
                    self.out.write_all(json.as_bytes())?;
                    if let Some(exp) = self.expected {
                        let got: BTreeSet<String> = rules.into_iter().collect();
                        let want: BTreeSet<String> = exp
                            .get(&id)
                            .into_iter()
                            .flatten()
                            .filter(|r| self.rule.is_none_or(|only| *r == only))
                            .cloned()
                            .collect();
                        self.tp += got.intersection(&want).count();
                        for r in got.difference(&want) {
                            self.fp += 1;
                            self.mistakes
                                .push(format!("false positive: {r} fired on {id}"));
                        }
                        for r in want.difference(&got) {
                            self.fn_ += 1;
                            self.mistakes.push(format!("missed: {r} on {id}"));
                        }
                    }
                }
            }
        }
        self.out.flush()?;
        self.progress.update(position, self.articles);
        Ok(())
    }
}

/// One matching thread per available CPU.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn run(opts: &Options) -> Result<(), Failure> {
    let usage = |d: Vec<wirewatch_matcher::Diagnostic>| {
        Failure::Usage(d.iter().map(ToString::to_string).collect())
    };
    let (m, config) = match &opts.rules {
        Rules::Watchlists(path) => {
            let (m, warnings) = crate::watchlists::load(path, None).map_err(usage)?;
            for w in &warnings {
                eprintln!("{w}");
            }
            (m, None)
        }
        Rules::Config(path) => {
            let (config, m, warnings) = super::load_all(path).map_err(Failure::Usage)?;
            for w in &warnings {
                eprintln!("{w}");
            }
            (m, Some(config))
        }
    };
    if let Some(id) = &opts.rule {
        if !m.rules().any(|r| &r.id == id) {
            let known = m.rules().map(|r| r.id.as_str());
            return Err(Failure::Usage(vec![format!(
                "--rule: no rule {id:?} in the watchlists{}",
                wirewatch_matcher::diag::did_you_mean(id, known)
            )]));
        }
    }
    let expected: Option<HashMap<String, BTreeSet<String>>> = match &opts.expected {
        Some(p) => Some(
            serde_json::from_str(
                &std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
            )
            .with_context(|| {
                format!(
                    "{}: expected a JSON object of article id to rule ids",
                    p.display()
                )
            })?,
        ),
        None => None,
    };
    let jobs = opts.jobs.unwrap_or_else(default_jobs).max(1);
    let limits = parallel::Limits::for_jobs(jobs);
    let stdout = std::io::stdout();
    let mut tally = Tally {
        out: std::io::BufWriter::with_capacity(64 * 1024, stdout.lock()),
        progress: Progress::hidden(),
        name: String::new(),
        expected: expected.as_ref(),
        rule: opts.rule.as_deref(),
        counts: m
            .rules()
            .filter(|r| opts.rule.as_ref().is_none_or(|only| &r.id == only))
            .map(|r| (r.id.clone(), 0))
            .collect(),
        articles: 0,
        malformed: 0,
        reasons: BTreeMap::new(),
        hits: 0,
        tp: 0,
        fp: 0,
        fn_: 0,
        mistakes: Vec::new(),
        explained: false,
    };
    let weight = |e: &Event| e.payload.as_ref().map_or(0, Vec::len);
    let output_error =
        |e: std::io::Error| anyhow::Error::from(e).context("cannot write the output");
    let (read, source_name) = match &opts.input {
        Input::File(input) => {
            let (reader, total): (Box<dyn Read + Send>, Option<u64>) = if input == Path::new("-") {
                (Box::new(std::io::stdin()), None)
            } else {
                let f = std::fs::File::open(input)
                    .with_context(|| format!("cannot read {}", input.display()))?;
                let len = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
                (Box::new(f), len)
            };
            tally.name = input.display().to_string();
            tally.progress = Progress::new(total, Unit::Bytes);
            let counted = Arc::new(AtomicU64::new(0));
            let reader = std::io::BufReader::with_capacity(
                64 * 1024,
                Counting {
                    inner: reader,
                    count: counted.clone(),
                },
            );
            let events = file::raw_lines(reader, DEFAULT_MAX_MESSAGE_BYTES).map(move |(n, raw)| {
                Ok((
                    Event {
                        origin: Origin::Line(n),
                        payload: raw,
                    },
                    counted.load(Ordering::Relaxed),
                ))
            });
            let work = Work {
                matcher: &m,
                max_bytes: DEFAULT_MAX_MESSAGE_BYTES,
                json: opts.json,
                explain: opts.explain.as_deref(),
                rule: opts.rule.as_deref(),
            };
            let read = parallel::ordered_map(
                events,
                weight,
                limits,
                |e| work.run(e),
                |o, p| tally.take(o, p).map_err(output_error),
            );
            (read, input.display().to_string())
        }
        Input::Kafka { since, until } => {
            let Some(config) = config.as_ref() else {
                return Err(Failure::Usage(vec![
                    "--since reads the Kafka topics of a daemon config: give --config PATH instead of --watchlists".into(),
                ]));
            };
            let now = jiff::Timestamp::now();
            let resolve = |w: When| w.resolve(now).map_err(|e| Failure::Usage(vec![e]));
            let since = resolve(*since)?;
            let until = until.map(resolve).transpose()?;
            if let Some(until) = until {
                if until <= since {
                    return Err(Failure::Usage(vec![format!(
                        "--until ({until}) must be after --since ({since})"
                    )]));
                }
            }
            let topics = config.kafka.topics.join(",");
            let reader = RangeReader::open(
                &config.kafka,
                since.as_millisecond(),
                until.map(|t| t.as_millisecond()),
            )
            .with_context(|| {
                format!("cannot read topics {topics} from {}", config.kafka.brokers)
            })?;
            let total = reader.total();
            eprintln!(
                "reading up to {total} messages of {topics} ({} partitions) from {since} to {}",
                reader.spans().count(),
                until.map_or("the end at start".to_string(), |u| u.to_string())
            );
            tally.name = topics.clone();
            tally.progress = Progress::new(Some(total), Unit::Messages);
            let events = reader.map(|r| {
                r.map(|(f, position)| {
                    (
                        Event {
                            origin: Origin::Message {
                                topic: f.topic,
                                partition: f.partition,
                                offset: f.offset,
                            },
                            payload: Ok(f.payload.unwrap_or_default()),
                        },
                        position,
                    )
                })
            });
            let work = Work {
                matcher: &m,
                max_bytes: config.kafka.max_message_bytes,
                json: opts.json,
                explain: opts.explain.as_deref(),
                rule: opts.rule.as_deref(),
            };
            let read = parallel::ordered_map(
                events,
                weight,
                limits,
                |e| work.run(e),
                |o, p| tally.take(o, p).map_err(output_error),
            );
            (read, format!("topics {topics}"))
        }
    };
    tally.progress.finish();
    read?;
    let Tally {
        mut out,
        articles,
        malformed,
        hits,
        counts,
        reasons,
        tp,
        fp,
        fn_,
        mistakes,
        explained,
        ..
    } = tally;
    let io = |e: std::io::Error| Failure::Other(e.into());
    if let Some(id) = &opts.explain {
        if !explained {
            return Err(Failure::Other(anyhow::anyhow!(
                "no article with id {id:?} in {source_name}"
            )));
        }
        return Ok(());
    }
    if !opts.json {
        let width = counts.keys().map(String::len).max().unwrap_or(4).max(4);
        writeln!(out, "{:width$}  hits", "rule").map_err(io)?;
        for (rule, n) in &counts {
            writeln!(out, "{rule:width$}  {n:>4}").map_err(io)?;
        }
        writeln!(
            out,
            "{articles} articles, {hits} hits, {malformed} malformed"
        )
        .map_err(io)?;
    }
    out.flush().map_err(io)?;
    if matches!(opts.input, Input::Kafka { .. }) {
        let why: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        eprintln!(
            "{source_name}: {articles} articles, {hits} hits, {malformed} malformed{}",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join(", "))
            }
        );
    }
    if expected.is_some() {
        let precision = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = if tp + fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        };
        for mistake in &mistakes {
            eprintln!("{mistake}");
        }
        eprintln!(
            "precision {precision:.3} ({tp}/{}), recall {recall:.3} ({tp}/{})",
            tp + fp,
            tp + fn_
        );
    }
    Ok(())
}

/// A reader that counts the bytes read through it (the progress of a file).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn print_explanation(
    out: &mut impl Write,
    m: &Matcher,
    article: &Article,
    rule: Option<&str>,
) -> std::io::Result<()> {
    writeln!(out, "article {}: {}", article.id, article.title)?;
    for e in m.explain(article) {
        if rule.is_some_and(|only| e.rule_id != only) {
            continue;
        }
        match &e.hit {
            Some(hit) => {
                let cue = hit
                    .status_cue
                    .as_ref()
                    .map(|c| format!(" (\"{c}\")"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {}: FIRED, status {}{cue}, language {}",
                    e.rule_id,
                    hit.status.as_str(),
                    hit.language.as_deref().unwrap_or("unknown")
                )?;
                for ev in &hit.evidence {
                    let marked = ev.marked(
                        |_| "[".into(),
                        |k| format!("]{{{}}}", tag(k)),
                        str::to_string,
                    );
                    writeln!(out, "      > {marked}")?;
                }
            }
            None => writeln!(out, "  {}: no: {}", e.rule_id, e.reason)?,
        }
    }
    Ok(())
}

/// Spans as `[text]{kind}`.
fn tag(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Company => "company",
        SpanKind::Agency => "agency",
        SpanKind::Action => "action",
    }
}
