//! `backtest --explain`: for every rule, whether it fired on an article
//! and, if not, what was missing, in words for an analyst editing a
//! watchlist.
//!
//! Invariant: the wording is made only here, from the cheap [`Miss`] the
//! evaluation returns; matching itself never formats a reason.

use super::{Miss, Scan, Stage};
use crate::article::Article;
use crate::compile::Matcher;
use crate::hit::Explanation;
use crate::watchlist::Company;

impl Matcher {
    /// For every rule, whether it fired on `article` and, if not, what was
    /// missing. For analysts editing a watchlist (`backtest --explain`).
    pub fn explain(&self, article: &Article) -> Vec<Explanation> {
        let scan = self.scan(article);
        (0..self.rules.len())
            .map(|r| {
                let rule_id = self.rules[r].rule.id.clone();
                match self.evaluate_rule(&scan, r) {
                    Ok(hit) => Explanation {
                        rule_id,
                        hit: Some(hit),
                        reason: "fired".into(),
                    },
                    Err(miss) => Explanation {
                        rule_id,
                        hit: None,
                        reason: self.reason(&scan, r, miss),
                    },
                }
            })
            .collect()
    }

    /// Words a [`Miss`] for an analyst (`backtest --explain`).
    fn reason(&self, scan: &Scan, r: usize, miss: Miss) -> String {
        let rule = &self.rules[r];
        let best = match miss {
            Miss::NoCompany => {
                let mut watched = company_list(&rule.rule.companies);
                for &l in &rule.lists {
                    let list = &self.lists[l as usize];
                    if !watched.is_empty() {
                        watched.push_str(", ");
                    }
                    watched.push_str(&format!(
                        "any of the {} companies of list {}",
                        list.companies.len(),
                        list.id
                    ));
                }
                return format!("no mention of {watched}");
            }
            Miss::OtherRole { sentence } => {
                return format!(
                    "company only in another role: \"{}\"",
                    scan.doc.sentence_text(sentence)
                )
            }
            Miss::Stage(best) => best,
            Miss::Status(st) => {
                return format!(
                    "the event's status is {} (rule status = [{}])",
                    st.as_str(),
                    rule.rule
                        .status
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        // The rule's ids, resolved through `table`, as a list.
        let ids = |ids: &[u32], table: &[String]| {
            ids.iter()
                .map(|&i| table[i as usize].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match best {
            Stage::NoCompany | Stage::NoAgency => format!(
                "company mentioned, but no listed agency ({}) in the same event",
                ids(&rule.agencies, &self.agency_ids)
            ),
            Stage::NoAction => format!(
                "company and agency in one event, but no listed action ({})",
                if rule.actions.is_empty() {
                    "any".to_string()
                } else {
                    ids(&rule.actions, &self.action_ids)
                }
            ),
            Stage::ActionOtherSense => {
                "action words present only in another sense, or denied (\"not\", \"ruled out\")"
                    .into()
            }
            Stage::Excluded => "vetoed by an exclude phrase".into(),
            Stage::Fired => unreachable!("fired windows are collected"),
        }
    }
}

fn company_list(companies: &[Company]) -> String {
    companies
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
