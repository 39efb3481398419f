//! `wirewatch backtest`: the matcher over a JSONL file, for analysts
//! editing a watchlist: per-rule hit counts, `--json` hits with evidence,
//! `--explain` for one article, and precision/recall against labels.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use super::Failure;
use crate::source::file;
use wirewatch_matcher::article::Article;
use wirewatch_matcher::article::DEFAULT_MAX_MESSAGE_BYTES;
use wirewatch_matcher::{Matcher, SpanKind};

pub fn run(
    watchlists: &Path,
    input: &Path,
    as_json: bool,
    explain: Option<&str>,
    expected: Option<&Path>,
) -> Result<(), Failure> {
    let (m, warnings) = crate::watchlists::load(watchlists, None)
        .map_err(|d| Failure::Usage(d.iter().map(ToString::to_string).collect()))?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let expected: Option<HashMap<String, BTreeSet<String>>> = match expected {
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
    let lines = file::read(input, DEFAULT_MAX_MESSAGE_BYTES)
        .with_context(|| format!("cannot read {}", input.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut counts: BTreeMap<String, usize> = m.rules().map(|r| (r.id.clone(), 0)).collect();
    let (mut articles, mut malformed, mut hits_total) = (0usize, 0usize, 0usize);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut mistakes = Vec::new();
    let mut explained = false;
    for (line, result) in lines {
        let article = match result {
            Ok(a) => a,
            Err(e) => {
                malformed += 1;
                eprintln!("{}:{line}: skipped malformed event: {e}", input.display());
                continue;
            }
        };
        articles += 1;
        if let Some(id) = explain {
            if article.id == id {
                explained = true;
                print_explanation(&mut out, &m, &article).map_err(|e| Failure::Other(e.into()))?;
            }
            continue;
        }
        let hits = match m.try_evaluate(&article) {
            Ok(hits) => hits,
            Err(e) => {
                malformed += 1;
                eprintln!(
                    "{}:{line}: skipped event {:?}: {e}",
                    input.display(),
                    article.id
                );
                continue;
            }
        };
        hits_total += hits.len();
        for h in &hits {
            *counts.entry(h.rule_id.clone()).or_default() += 1;
            if as_json {
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
                writeln!(out, "{line}").map_err(|e| Failure::Other(e.into()))?;
            }
        }
        if let Some(exp) = &expected {
            let got: BTreeSet<String> = hits.iter().map(|h| h.rule_id.clone()).collect();
            let want = exp.get(&article.id).cloned().unwrap_or_default();
            tp += got.intersection(&want).count();
            for r in got.difference(&want) {
                fp += 1;
                mistakes.push(format!("false positive: {} fired on {}", r, article.id));
            }
            for r in want.difference(&got) {
                fn_ += 1;
                mistakes.push(format!("missed: {} on {}", r, article.id));
            }
        }
    }
    if let Some(id) = explain {
        if !explained {
            return Err(Failure::Other(anyhow::anyhow!(
                "no article with id {id:?} in {}",
                input.display()
            )));
        }
        return Ok(());
    }
    if !as_json {
        let width = counts.keys().map(String::len).max().unwrap_or(4).max(4);
        writeln!(out, "{:width$}  hits", "rule").map_err(|e| Failure::Other(e.into()))?;
        for (rule, n) in &counts {
            writeln!(out, "{rule:width$}  {n:>4}").map_err(|e| Failure::Other(e.into()))?;
        }
        writeln!(
            out,
            "{articles} articles, {hits_total} hits, {malformed} malformed"
        )
        .map_err(|e| Failure::Other(e.into()))?;
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

fn print_explanation(out: &mut impl Write, m: &Matcher, article: &Article) -> std::io::Result<()> {
    writeln!(out, "article {}: {}", article.id, article.title)?;
    for e in m.explain(article) {
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
