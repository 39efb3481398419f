//! Prints the HTML of the alert email for the bundled seed article (or,
//! with `--digest`, a digest of every sample alert), for reviewers:
//! `scripts/render-email` turns it into a PNG with headless Chromium.

use wirewatch::alert::Alert;
use wirewatch_matcher::article::Article;

fn main() {
    let digest = std::env::args().any(|a| a == "--digest");
    let matcher = wirewatch::cli::demo::matcher().expect("the shipped watchlists are valid");
    let at = jiff::Timestamp::now();
    let mut alerts: Vec<Alert> = Vec::new();
    for line in wirewatch::cli::demo::ARTICLES
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let article: Article = serde_json::from_str(line).expect("the sample articles are valid");
        alerts.extend(
            matcher
                .evaluate(&article)
                .into_iter()
                .map(|h| Alert::new(&matcher, &article, h, at)),
        );
        if !digest {
            break;
        }
    }
    print!("{}", wirewatch::notify::email::render_html(&alerts));
}
