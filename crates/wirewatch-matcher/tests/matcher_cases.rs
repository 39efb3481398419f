//! Hand-written labelled cases for the matcher: small wire-style articles
//! that an analyst must be able to trust it with. Every case pairs one
//! article with one rule and says whether the rule must fire, following the
//! labelling rule of the shared corpus (`../shared/design/contracts.md`,
//! section 2): a rule fires when the
//! article reports that one of its agencies (any actor if it lists none)
//! took, announced or is imposing an action of one of its types against or
//! concerning one of its companies (for exit, acquisition and breach: that
//! the company itself exited, acquired or suffered one). A company in
//! another role, a keyword in another sense, a company, agency and action
//! that only meet across unrelated paragraphs, or an acting body that is not
//! one of the rule's agencies does not fire.
//!
//! All cases are evaluated, and every failure is reported in one message
//! (kind, name, expected, actual and the matcher's own explanation).
//!
//! Long because it is a table of cases (data); the harness is short.

use std::path::PathBuf;

use wirewatch_matcher::article::Article;
use wirewatch_matcher::{watchlist, Hit, Matcher, SpanKind, Taxonomy};

/// One labelled case. `rule` holds the fields of one `[[rule]]` table
/// without its `id` (the harness adds a unique one).
struct Case {
    kind: &'static str,
    name: &'static str,
    rule: &'static str,
    title: &'static str,
    body: &'static str,
    fires: bool,
}

const FIRES: bool = true;
const SILENT: bool = false;

// Rules shared by several cases.

const KASPERSKY_US: &str = r#"
    companies = [{ name = "Kaspersky", aliases = ["Kaspersky Lab", "AO Kaspersky Lab"] }]
    agencies = ["us-commerce", "us-treasury"]
    actions = ["sanction", "ban", "export-control"]
"#;

const HUAWEI_US: &str = r#"
    companies = ["Huawei"]
    agencies = ["us-commerce", "us-fcc"]
    actions = ["export-control", "ban"]
"#;

const SOVCOMFLOT_TREASURY: &str = r#"
    companies = ["Sovcomflot"]
    agencies = ["us-treasury"]
    actions = ["sanction"]
"#;

const KASPERSKY_BREACH: &str = r#"
    companies = ["Kaspersky"]
    actions = ["breach"]
"#;

const CROWDSTRIKE_BREACH: &str = r#"
    companies = ["CrowdStrike"]
    actions = ["breach"]
"#;

const BOEING_SEC: &str = r#"
    companies = ["Boeing"]
    agencies = ["us-sec"]
    actions = ["investigation"]
"#;

const CASES: &[Case] = &[
    // ------------------------------------------------------------------
    // Normalization: accents, case, apostrophes, hyphens, whitespace, HTML,
    // word boundaries, Title Case headlines.
    // ------------------------------------------------------------------
    Case {
        kind: "normalization",
        name: "accents: unaccented 'Societe Generale' in text matches rule 'Société Générale'",
        rule: r#"
            companies = ["Société Générale"]
            agencies = ["us-treasury", "us-justice"]
            actions = ["fine"]
        "#,
        title: "French bank settles U.S. sanctions case",
        body: "Societe Generale agreed to pay $1.34 billion to settle charges that it \
               violated U.S. sanctions, the Treasury Department said on Monday.\n\n\
               The bank said it had overhauled its compliance programme.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "accents: accented 'Société Générale' in text matches rule 'Societe Generale'",
        rule: r#"
            companies = ["Societe Generale"]
            agencies = ["us-justice"]
            actions = ["fine"]
        "#,
        title: "Paris lender pays U.S. penalty",
        body: "The Justice Department fined Société Générale $860 million over bribes \
               paid to officials in Libya.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "accents: 'Société Générale de Surveillance' (SGS, another company) is not \
               Société Générale",
        rule: r#"
            companies = ["Société Générale"]
            agencies = ["us-justice"]
            actions = ["investigation"]
        "#,
        title: "Inspection firm under U.S. scrutiny",
        body: "The Justice Department opened an investigation into Société Générale de \
               Surveillance, the Geneva-based inspection company, over its certification \
               of oil cargoes.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "accents: unaccented 'Nestle' in text matches rule 'Nestlé'",
        rule: r#"
            companies = ["Nestlé"]
            actions = ["acquisition"]
        "#,
        title: "Swiss food group expands in Brazil",
        body: "Nestle agreed to buy a majority stake in a Brazilian chocolate maker, \
               the Swiss company said on Tuesday.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "accents: accented 'Nestlé' in text matches rule 'Nestle'",
        rule: r#"
            companies = ["Nestle"]
            actions = ["acquisition"]
        "#,
        title: "Deal closes in São Paulo",
        body: "Nestlé completed its purchase of the Brazilian chocolate maker on Friday.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "word boundary: 'nestled' is not Nestlé",
        rule: r#"
            companies = ["Nestlé"]
            agencies = ["us-ftc"]
            actions = ["investigation"]
        "#,
        title: "Dairy cooperative faces FTC inquiry",
        body: "The FTC opened an investigation into a dairy cooperative nestled in the \
               hills of Vermont over its milk pricing.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "case: 'Ikea' in text matches rule 'IKEA'",
        rule: r#"
            companies = ["IKEA"]
            actions = ["exit"]
        "#,
        title: "Furniture retailer leaves Russia",
        body: "Ikea will exit Russia and sell its four factories there, the Swedish \
               retailer said.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "case: 'IKEA' in text matches rule 'Ikea'",
        rule: r#"
            companies = ["Ikea"]
            actions = ["exit"]
        "#,
        title: "Retailer retreats from Russian market",
        body: "IKEA said on Wednesday it would wind down its operations in Russia.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "apostrophe: curly possessive 'Kaspersky’s' matches Kaspersky",
        rule: KASPERSKY_US,
        title: "U.S. acts against Russian antivirus maker",
        body: "The Commerce Department banned Kaspersky’s antivirus software from the \
               U.S. market on Thursday.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "apostrophe: straight possessive 'Kaspersky's' matches Kaspersky",
        rule: KASPERSKY_US,
        title: "U.S. acts against Russian antivirus maker",
        body: "Kaspersky's antivirus products were banned by the Commerce Department \
               on Thursday.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "apostrophe: curly 'McDonald’s' in text matches rule with straight 'McDonald's'",
        rule: r#"
            companies = ["McDonald's"]
            actions = ["exit"]
        "#,
        title: "Burger chain completes Russia sale",
        body: "McDonald’s agreed to sell its Russian business to a local licensee and \
               exit the country.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "apostrophe: straight 'McDonald's' in text matches rule with curly 'McDonald’s'",
        rule: r#"
            companies = ["McDonald’s"]
            actions = ["exit"]
        "#,
        title: "Burger chain leaves Russia",
        body: "McDonald's said it would exit Russia after more than three decades.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "hyphen: non-breaking hyphen 'Rolls\u{2011}Royce' matches 'Rolls-Royce'",
        rule: r#"
            companies = ["Rolls-Royce"]
            agencies = ["us-justice"]
            actions = ["fine"]
        "#,
        title: "Engine maker settles bribery case",
        body: "Rolls\u{2011}Royce agreed to pay $170 million to the Justice Department to \
               resolve bribery charges.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "hyphen: 'Rolls Royce' written with a space matches 'Rolls-Royce'",
        rule: r#"
            companies = ["Rolls-Royce"]
            agencies = ["us-justice"]
            actions = ["fine"]
        "#,
        title: "Engine maker settles bribery case",
        body: "Rolls Royce agreed to pay $170 million to resolve bribery charges brought \
               by the Justice Department.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "whitespace: no-break space, double space and line break inside names",
        rule: r#"
            companies = ["Credit Suisse"]
            agencies = ["us-justice"]
            actions = ["lawsuit", "fine"]
        "#,
        title: "Swiss bank pleads guilty",
        body: "Credit\u{00A0}Suisse pleaded guilty to helping Americans evade taxes and \
               paid a $2.6 billion\npenalty, the Justice  Department said.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "html: <p> paragraphs and &rsquo; entity in an HTML body",
        rule: KASPERSKY_US,
        title: "U.S. bans Russian antivirus software",
        body: "<p>The Commerce Department on Thursday banned Kaspersky Lab&rsquo;s \
               antivirus software.</p><p>The ban takes effect in September.</p>",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "html: &amp; entity inside a company name (AT&T)",
        rule: r#"
            companies = ["AT&T"]
            agencies = ["us-fcc"]
            actions = ["fine"]
        "#,
        title: "Carrier fined over vendor lapse",
        body: "<p>The FCC fined AT&amp;T $57 million over a vendor&rsquo;s failure to \
               protect customer records.</p>",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "html: a name only inside a tag attribute is not a mention",
        rule: KASPERSKY_US,
        title: "Commerce issues new software ban",
        body: "<p>The Commerce Department banned sales of the software, according to \
               <a href=\"/tags/kaspersky-lab\" title=\"Kaspersky Lab\">a notice</a> \
               published on Thursday.</p>",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "html: company and agency action in different <p> paragraphs",
        rule: KASPERSKY_US,
        title: "Tech roundup",
        body: "<p>Kaspersky Lab opened a new office in Rome.</p>\
               <p>The Commerce Department banned sales of several Chinese-made routers.</p>",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "word boundary: 'Intel' inside 'intelligence' is not Intel",
        rule: r#"
            companies = ["Intel"]
            agencies = ["eu-commission"]
            actions = ["fine", "investigation"]
        "#,
        title: "EU looks at chatbot profiling",
        body: "The European Commission opened an investigation into how chatbots use \
               artificial intelligence to profile users.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "word boundary: 'Intelsat' is not Intel",
        rule: r#"
            companies = ["Intel"]
            agencies = ["eu-commission"]
            actions = ["fine", "investigation"]
        "#,
        title: "Satellite deal draws EU review",
        body: "The European Commission opened an investigation into Intelsat's planned \
               purchase of a rival satellite operator.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "word boundary: Intel itself still matches",
        rule: r#"
            companies = ["Intel"]
            agencies = ["eu-commission"]
            actions = ["fine", "investigation"]
        "#,
        title: "EU re-imposes chipmaker fine",
        body: "The European Commission fined Intel €376 million for paying computer \
               makers to delay rival products.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "word boundary: 'metadata' is not Meta",
        rule: r#"
            companies = ["Meta"]
            agencies = ["eu-commission"]
            actions = ["fine"]
        "#,
        title: "Data broker fined in Europe",
        body: "EU regulators fined a data broker for selling location metadata collected \
               from phone apps.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "word boundary: Meta itself still matches",
        rule: r#"
            companies = ["Meta"]
            agencies = ["eu-commission"]
            actions = ["fine"]
        "#,
        title: "Brussels penalises social network owner",
        body: "The European Commission fined Meta €798 million for tying Facebook \
               Marketplace to its social network.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "title case: 'Target' in a Title Case headline is the verb, not the retailer",
        rule: r#"
            companies = ["Target"]
            agencies = ["us-treasury"]
            actions = ["sanction"]
        "#,
        title: "Treasury Sanctions Target Russian Shipping Firms",
        body: "The Treasury Department on Tuesday sanctioned 30 tankers and the companies \
               that manage them.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "title case: 'Block' in a Title Case headline is the verb, not the company",
        rule: r#"
            companies = ["Block"]
            agencies = ["us-ftc"]
            actions = ["lawsuit", "acquisition"]
        "#,
        title: "FTC Sues to Block Merger of Two Grocery Chains",
        body: "The Federal Trade Commission sued on Monday to block the merger of the two \
               largest U.S. grocery chains.",
        fires: SILENT,
    },
    Case {
        kind: "normalization",
        name: "title case: a non-word company in a Title Case headline still counts",
        rule: HUAWEI_US,
        title: "Commerce Department Bans Huawei Equipment Sales",
        body: "The order takes effect immediately, officials said.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "title case: brand word that is the headline's subject still counts \
               (Justice Department Sues Apple)",
        rule: r#"
            companies = ["Apple"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "Justice Department Sues Apple Over Smartphone Monopoly",
        body: "The Justice Department on Thursday accused the iPhone maker of illegally \
               monopolizing the smartphone market.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "title case: the same headline in sentence case fires",
        rule: r#"
            companies = ["Apple"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "Justice Department sues Apple over smartphone monopoly",
        body: "The Justice Department on Thursday accused the iPhone maker of illegally \
               monopolizing the smartphone market.",
        fires: FIRES,
    },
    Case {
        kind: "normalization",
        name: "headline: headlinese without 'the' (Adds Huawei Units to Entity List)",
        rule: HUAWEI_US,
        title: "Commerce Adds Huawei Units to Entity List",
        body: "The department cited risks to U.S. national security.",
        fires: FIRES,
    },
    // ------------------------------------------------------------------
    // Brand words in their common sense.
    // ------------------------------------------------------------------
    Case {
        kind: "brand-words",
        name: "Apple the company fires",
        rule: r#"
            companies = ["Apple"]
            agencies = ["eu-commission"]
            actions = ["fine"]
        "#,
        title: "EU fines iPhone maker",
        body: "The European Commission fined Apple €1.8 billion over rules that stopped \
               music apps from pointing users to cheaper offers.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "apple the fruit (lowercase) is not Apple",
        rule: r#"
            companies = ["Apple"]
            agencies = ["eu-commission"]
            actions = ["fine"]
        "#,
        title: "Fruit cartel fined",
        body: "The European Commission fined two fruit cooperatives for fixing apple \
               prices across four member states.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "'Apple growers' at the start of a sentence is the fruit, not Apple",
        rule: r#"
            companies = ["Apple"]
            agencies = ["cn-mofcom"]
            actions = ["ban"]
        "#,
        title: "U.S. farmers count cost of Chinese import curbs",
        body: "Apple growers in Washington state were hit hardest when China's Commerce \
               Ministry banned imports of U.S. fruit.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Shell the company fires",
        rule: r#"
            companies = ["Shell"]
            agencies = ["uk-fca"]
            actions = ["fine"]
        "#,
        title: "Oil major fined over reserves",
        body: "Britain's financial watchdog fined Shell £17 million for misleading \
               investors about its oil reserves.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "shell companies are not Shell",
        rule: r#"
            companies = ["Shell"]
            agencies = ["us-treasury"]
            actions = ["sanction"]
        "#,
        title: "U.S. targets Iranian oil network",
        body: "The Treasury sanctioned a network of shell companies that helped Iran \
               sell oil to buyers in Asia.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "'Shell companies' at the start of a sentence are not Shell",
        rule: r#"
            companies = ["Shell"]
            agencies = ["us-treasury"]
            actions = ["sanction"]
        "#,
        title: "U.S. targets Iranian oil network",
        body: "Shell companies registered in Dubai and Hong Kong were sanctioned by the \
               Treasury on Tuesday.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Target the retailer fires",
        rule: r#"
            companies = ["Target"]
            agencies = ["us-ftc"]
            actions = ["lawsuit"]
        "#,
        title: "FTC takes retailer to court",
        body: "The Federal Trade Commission sued Target on Tuesday, accusing the retailer \
               of misleading shoppers about delivery times.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "target the verb is not Target",
        rule: r#"
            companies = ["Target"]
            agencies = ["us-treasury"]
            actions = ["sanction"]
        "#,
        title: "New U.S. measures on Russian oil",
        body: "New Treasury sanctions target Russian oil traders and the tankers they \
               charter.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Orange the telecoms operator fires",
        rule: r#"
            companies = ["Orange"]
            actions = ["fine"]
        "#,
        title: "French operator fined over adverts",
        body: "France's privacy regulator fined Orange 50 million euros for showing \
               adverts disguised as emails.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "orange juice is not Orange",
        rule: r#"
            companies = ["Orange"]
            agencies = ["us-commerce"]
            actions = ["ban"]
        "#,
        title: "Juice prices jump",
        body: "Orange juice futures jumped after the Commerce Department banned imports \
               from two Brazilian processors.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Orange County is not Orange",
        rule: r#"
            companies = ["Orange"]
            actions = ["lawsuit"]
        "#,
        title: "Executives charged in California",
        body: "Orange County prosecutors charged three executives of a solar installer \
               with fraud.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Visa the card network fires",
        rule: r#"
            companies = ["Visa"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "U.S. sues card network",
        body: "The Justice Department sued Visa on Tuesday, accusing it of monopolizing \
               the debit card market.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "travel visas are not Visa",
        rule: r#"
            companies = ["Visa"]
            agencies = ["us-state"]
            actions = ["ban", "sanction"]
        "#,
        title: "U.S. restricts entry for officials",
        body: "The State Department said it would ban travel visas for officials involved \
               in the crackdown.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "'Visa restrictions' at the start of a sentence are not Visa",
        rule: r#"
            companies = ["Visa"]
            agencies = ["us-state"]
            actions = ["ban", "sanction"]
        "#,
        title: "U.S. restricts entry for officials",
        body: "Visa restrictions announced by the State Department on Monday bar 40 \
               officials from entering the United States.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Block the payments company fires",
        rule: r#"
            companies = ["Block"]
            agencies = ["us-sec"]
            actions = ["investigation"]
        "#,
        title: "Payments firm under SEC scrutiny",
        body: "The SEC is investigating Block, the payments company behind Cash App, over \
               its compliance controls.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "blocks the verb is not Block",
        rule: r#"
            companies = ["Block"]
            agencies = ["us-ftc"]
            actions = ["fine"]
        "#,
        title: "Telemarketer fined",
        body: "The FTC fined a telemarketer that ignored a rule which blocks robocalls to \
               numbers on the do-not-call registry.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Oracle the software company fires",
        rule: r#"
            companies = ["Oracle"]
            agencies = ["us-sec"]
            actions = ["fine"]
        "#,
        title: "Software maker settles bribery case",
        body: "Oracle agreed to pay $23 million to settle SEC charges that its \
               subsidiaries bribed foreign officials.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "a price oracle is not Oracle",
        rule: r#"
            companies = ["Oracle"]
            agencies = ["us-sec"]
            actions = ["fine"]
        "#,
        title: "Crypto lender penalised",
        body: "The SEC fined a crypto lender whose founder manipulated the price oracle of \
               a rival protocol.",
        fires: SILENT,
    },
    Case {
        kind: "brand-words",
        name: "Arm the chip designer fires",
        rule: r#"
            companies = ["Arm"]
            agencies = ["uk-cma"]
            actions = ["investigation"]
        "#,
        title: "UK watchdog looks at chip licences",
        body: "Britain's competition watchdog opened an investigation into Arm’s licensing \
               terms on Monday.",
        fires: FIRES,
    },
    Case {
        kind: "brand-words",
        name: "an agency's 'arm' is not Arm",
        rule: r#"
            companies = ["Arm"]
            agencies = ["us-ftc"]
            actions = ["investigation"]
        "#,
        title: "FTC examines chip licensing",
        body: "The FTC's consumer protection arm opened an investigation into chip \
               licensing practices.",
        fires: SILENT,
    },
    // ------------------------------------------------------------------
    // Word sense of actions.
    // ------------------------------------------------------------------
    Case {
        kind: "action-sense",
        name: "fined: the penalty fires",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["uk-fca"]
            actions = ["fine"]
        "#,
        title: "Bank fined over Qatar fundraising",
        body: "The Financial Conduct Authority fined Barclays £40 million over its \
               fundraising from Qatari investors in 2008.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "fine the adjective is not a fine",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["uk-fca"]
            actions = ["fine"]
        "#,
        title: "Regulator clears bank's capital plan",
        body: "The Financial Conduct Authority said Barclays' capital position was fine \
               and that no further action was needed.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "fine-tune is not a fine",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["uk-fca"]
            actions = ["fine"]
        "#,
        title: "Regulator asks for tweaks",
        body: "The FCA asked Barclays to fine-tune its complaint handling before the \
               deadline.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "exit: leaving a market fires",
        rule: r#"
            companies = ["Renault"]
            actions = ["exit"]
        "#,
        title: "Carmaker quits Russia",
        body: "Renault agreed to exit Russia by selling its majority stake in AvtoVAZ to a \
               state institute.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "exit polls are not an exit",
        rule: r#"
            companies = ["Renault"]
            actions = ["exit"]
        "#,
        title: "Paris stocks rise after vote",
        body: "Renault shares rose in Paris after exit polls pointed to a clear win for the \
               incumbent.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "breach: a data breach fires",
        rule: r#"
            companies = ["Equifax"]
            actions = ["breach"]
        "#,
        title: "Credit bureau hacked",
        body: "Equifax said hackers breached its systems and stole personal data on 147 \
               million Americans.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "breach of contract is not a breach",
        rule: r#"
            companies = ["Equifax"]
            actions = ["breach"]
        "#,
        title: "Credit bureau sues vendor",
        body: "Equifax sued a former software vendor for breach of contract over a delayed \
               system upgrade.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "sanctioned: the penalty fires",
        rule: SOVCOMFLOT_TREASURY,
        title: "U.S. hits Russian shipping giant",
        body: "The Treasury Department sanctioned Sovcomflot, Russia's largest shipping \
               company, and 14 of its tankers.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "sanctioned = approved by a court is not a sanction",
        rule: r#"
            companies = ["Credit Suisse"]
            actions = ["sanction"]
        "#,
        title: "Court approves bond plan",
        body: "A London court sanctioned Credit Suisse's scheme of arrangement with its \
               bondholders on Friday.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "sanctioned = approved by shareholders is not a sanction",
        rule: r#"
            companies = ["Unilever"]
            actions = ["sanction"]
        "#,
        title: "Shareholders back ice cream spin-off",
        body: "Unilever's shareholders sanctioned the spin-off of its ice cream business at \
               a meeting in London on Tuesday.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "target the verb after export controls is not Target",
        rule: r#"
            companies = ["Target"]
            agencies = ["us-commerce"]
            actions = ["export-control"]
        "#,
        title: "New chip rules",
        body: "The new Commerce Department export controls target Chinese makers of \
               advanced memory chips.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "probe: an investigation fires",
        rule: r#"
            companies = ["Boeing"]
            actions = ["investigation"]
        "#,
        title: "Planemaker faces criminal inquiry",
        body: "The Justice Department opened a probe into Boeing after a door panel blew \
               off a 737 MAX in flight.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "probe the device (temperature probe) is not an investigation",
        rule: r#"
            companies = ["Boeing"]
            actions = ["investigation"]
        "#,
        title: "Test flight preparations",
        body: "Boeing engineers used a temperature probe to check the fuel tanks before the \
               test flight.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "probe the device (angle-of-attack probe) is not an investigation",
        rule: r#"
            companies = ["Boeing"]
            actions = ["investigation"]
        "#,
        title: "Sensor blamed for bad readings",
        body: "Boeing said a faulty angle-of-attack probe had fed bad data to the flight \
               control software.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "charged: a criminal or civil charge fires",
        rule: r#"
            companies = ["Tesla"]
            agencies = ["us-sec"]
            actions = ["lawsuit"]
        "#,
        title: "SEC takes on carmaker",
        body: "The SEC charged Tesla and its chief executive with securities fraud over \
               posts about taking the company private.",
        fires: FIRES,
    },
    Case {
        kind: "action-sense",
        name: "fully charged battery is not a charge",
        rule: r#"
            companies = ["Tesla"]
            actions = ["lawsuit"]
        "#,
        title: "Electric truck specs",
        body: "Tesla said its new trucks can be fully charged in under an hour.",
        fires: SILENT,
    },
    Case {
        kind: "action-sense",
        name: "batteries charged overnight are not a charge",
        rule: r#"
            companies = ["Tesla"]
            actions = ["lawsuit"]
        "#,
        title: "Depot upgrade",
        body: "Tesla said the battery packs were charged overnight at its depot in Nevada.",
        fires: SILENT,
    },
    // ------------------------------------------------------------------
    // Event scope: one sentence, adjacent sentences tied by a reference,
    // headline and lead; not unrelated sentences or paragraphs.
    // ------------------------------------------------------------------
    Case {
        kind: "event-scope",
        name: "company, agency and action in one sentence fire",
        rule: KASPERSKY_US,
        title: "U.S. moves against antivirus maker",
        body: "The Commerce Department on Thursday banned sales of Kaspersky antivirus \
               software in the United States.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "next sentence opening with 'The company' ties the event",
        rule: KASPERSKY_US,
        title: "Antivirus maker loses U.S. market",
        body: "Kaspersky Lab has sold antivirus software in the United States since 2005. \
               The company will be barred from selling it there from September under a \
               ban announced by the Commerce Department on Thursday.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "next sentence opening with 'The firm' ties the event",
        rule: r#"
            companies = ["Wells Fargo"]
            agencies = ["us-justice", "us-sec"]
            actions = ["fine"]
        "#,
        title: "Bank resolves sales-practices cases",
        body: "Wells Fargo disclosed the settlement on Friday. The firm agreed to pay $3 \
               billion to resolve criminal and civil investigations by the Justice \
               Department and the SEC.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "next sentence with 'it' near its start ties the event",
        rule: r#"
            companies = ["Hikvision"]
            agencies = ["us-commerce"]
            actions = ["export-control"]
        "#,
        title: "Camera maker blacklisted",
        body: "Hikvision makes surveillance cameras used by police across China. On Monday \
               it was added to the Entity List by the Commerce Department.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "next sentence opening with 'Its' ties the event",
        rule: r#"
            companies = ["Wells Fargo"]
            agencies = ["us-sec"]
            actions = ["fine"]
        "#,
        title: "Bank settles with SEC",
        body: "Wells Fargo reported quarterly results on Friday. Its settlement with the \
               SEC, announced the same day, includes a $500 million civil penalty.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "headline and lead: lead names the company and the agency",
        rule: KASPERSKY_US,
        title: "Kaspersky hit with U.S. sales ban",
        body: "The Commerce Department announced the measure against Kaspersky on \
               Thursday, citing national security risks.\n\n\
               The company said it would challenge the decision.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "headline and lead: lead refers to the headline's company without its name",
        rule: KASPERSKY_US,
        title: "Kaspersky hit with U.S. sales ban",
        body: "The Commerce Department announced the measure on Thursday, citing national \
               security risks posed by the Russian cybersecurity company.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "agency action first, company named as its target in the next sentence",
        rule: HUAWEI_US,
        title: "U.S. tightens chip rules",
        body: "The Commerce Department on Tuesday announced new export controls on advanced \
               chips. Huawei and SMIC are the main targets of the rules, officials said.",
        fires: FIRES,
    },
    Case {
        kind: "event-scope",
        name: "company and agency action in unrelated paragraphs do not fire",
        rule: HUAWEI_US,
        title: "Huawei unveils folding phone",
        body: "Huawei unveiled a new folding smartphone in Shenzhen on Tuesday.\n\n\
               Separately, the Commerce Department banned exports of advanced chips to 14 \
               Chinese companies.",
        fires: SILENT,
    },
    Case {
        kind: "event-scope",
        name: "adjacent sentences without a reference back do not fire",
        rule: HUAWEI_US,
        title: "Tech news in brief",
        body: "Huawei unveiled a new folding smartphone in Shenzhen on Tuesday. Separately, \
               the Commerce Department banned exports of advanced chips to 14 Chinese \
               companies.",
        fires: SILENT,
    },
    Case {
        kind: "event-scope",
        name: "dummy 'it' ('it emerged that') is not a reference back to the company",
        rule: HUAWEI_US,
        title: "Tech news in brief",
        body: "Huawei opened a research centre in Paris on Monday. Last week it emerged that \
               the Commerce Department had banned exports to dozens of Chinese chip \
               designers.",
        fires: SILENT,
    },
    Case {
        kind: "event-scope",
        name: "headline clauses split by ';' are separate items",
        rule: HUAWEI_US,
        title: "Commerce tightens chip export controls; Huawei unveils new phone",
        body: "Huawei unveiled its Mate 70 smartphone at an event in Shenzhen on Tuesday.",
        fires: SILENT,
    },
    // ------------------------------------------------------------------
    // Roles: the company named in a role other than the target.
    // ------------------------------------------------------------------
    Case {
        kind: "roles",
        name: "quoted analyst: 'said ..., an analyst at X'",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["us-commerce"]
            actions = ["export-control"]
        "#,
        title: "Chip curbs to bite",
        body: "The Commerce Department's new export controls will hit Chinese chipmakers \
               hardest, said Jane Cole, an analyst at Barclays.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "quoted analyst: 'X analyst Name said'",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["us-commerce"]
            actions = ["export-control"]
        "#,
        title: "Chip curbs to bite",
        body: "Barclays analyst Tom Reid said the Commerce Department's export controls \
               would halve Nvidia's sales in China.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "the same bank as the target fires",
        rule: r#"
            companies = ["Barclays"]
            agencies = ["us-justice"]
            actions = ["fine"]
        "#,
        title: "Bank settles mortgage case",
        body: "Barclays agreed to pay $2 billion to settle Justice Department claims that \
               it misled mortgage investors.",
        fires: FIRES,
    },
    Case {
        kind: "roles",
        name: "researcher: 'researchers at X said'",
        rule: KASPERSKY_BREACH,
        title: "Utilities hit by hackers",
        body: "Hackers breached the networks of three European utilities last year, \
               researchers at Kaspersky said.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "researcher: 'X researchers found'",
        rule: KASPERSKY_BREACH,
        title: "Spy group targets Central Asia",
        body: "Kaspersky researchers found that the group had hacked into government email \
               servers in Central Asia.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "the security firm itself breached fires",
        rule: KASPERSKY_BREACH,
        title: "Security firm hit by intrusion",
        body: "Kaspersky said hackers had breached its corporate network using a previously \
               unknown flaw.",
        fires: FIRES,
    },
    Case {
        kind: "roles",
        name: "customer: 'whose customers include X'",
        rule: r#"
            companies = ["Amazon"]
            agencies = ["us-ftc"]
            actions = ["lawsuit"]
        "#,
        title: "FTC sues billing firm",
        body: "The FTC sued the cloud billing company, whose customers include Amazon and \
               Walmart, over hidden subscription fees.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "customer: 'customers including X'",
        rule: r#"
            companies = ["Microsoft"]
            agencies = ["us-commerce"]
            actions = ["ban"]
        "#,
        title: "U.S. bans Chinese routers",
        body: "The Commerce Department banned sales of the Chinese-made routers, used by \
               customers including Microsoft and several U.S. carriers.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "news source: '..., X said in a report'",
        rule: CROWDSTRIKE_BREACH,
        title: "Hospitals under attack",
        body: "Ransomware gangs breached more than 200 hospitals last year, CrowdStrike said \
               in a report.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "news source: '..., X said on Tuesday'",
        rule: CROWDSTRIKE_BREACH,
        title: "Telecom carriers hacked",
        body: "Hackers linked to China breached at least nine U.S. telecom carriers, \
               CrowdStrike said on Tuesday.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "news source: '..., X said in its annual threat hunting report'",
        rule: CROWDSTRIKE_BREACH,
        title: "Hospitals under attack",
        body: "Hackers breached more than 200 hospitals and clinics last year, CrowdStrike \
               said in its annual threat hunting report.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "platform: 'sellers on X'",
        rule: r#"
            companies = ["Amazon"]
            agencies = ["us-ftc"]
            actions = ["lawsuit"]
        "#,
        title: "FTC sues supplement sellers",
        body: "The FTC sued a group of sellers on Amazon who marketed fake weight-loss \
               pills.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "platform: 'ran a X channel' selling stolen data",
        rule: r#"
            companies = ["Telegram"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "Two charged over card data",
        body: "Federal prosecutors charged two men who ran a Telegram channel selling \
               stolen credit card data.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "platform as the target fires",
        rule: r#"
            companies = ["Telegram"]
            actions = ["investigation"]
        "#,
        title: "Messaging app under investigation",
        body: "French prosecutors opened an investigation into Telegram over its failure to \
               curb illegal content.",
        fires: FIRES,
    },
    Case {
        kind: "roles",
        name: "adviser: 'X advised the buyer'",
        rule: r#"
            companies = ["Goldman Sachs"]
            actions = ["acquisition"]
        "#,
        title: "Oil deal announced",
        body: "Chevron agreed to buy Hess for $53 billion in stock, and Goldman Sachs \
               advised the buyer.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "adviser: the buyer in the same sentence fires",
        rule: r#"
            companies = ["Chevron"]
            actions = ["acquisition"]
        "#,
        title: "Oil deal announced",
        body: "Chevron agreed to buy Hess for $53 billion in stock, and Goldman Sachs \
               advised the buyer.",
        fires: FIRES,
    },
    Case {
        kind: "roles",
        name: "adviser: 'X and Y acted as financial advisers'",
        rule: r#"
            companies = ["Morgan Stanley"]
            actions = ["acquisition"]
        "#,
        title: "Oil deal advisers",
        body: "Morgan Stanley and Evercore acted as financial advisers to Hess on the \
               acquisition.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "adviser: 'X was hired ... to advise on the takeover'",
        rule: r#"
            companies = ["Lazard"]
            actions = ["acquisition"]
        "#,
        title: "Board hires bank",
        body: "Lazard was hired by the board of Hess to advise on the takeover.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "complainant: 'following a complaint from X'",
        rule: r#"
            companies = ["Slack"]
            agencies = ["eu-commission"]
            actions = ["investigation"]
        "#,
        title: "EU examines Teams bundling",
        body: "The European Commission opened an investigation into Microsoft's bundling of \
               Teams following a complaint from Slack.",
        fires: SILENT,
    },
    Case {
        kind: "roles",
        name: "complainant: the target in the same sentence fires",
        rule: r#"
            companies = ["Microsoft"]
            agencies = ["eu-commission"]
            actions = ["investigation"]
        "#,
        title: "EU examines Teams bundling",
        body: "The European Commission opened an investigation into Microsoft's bundling of \
               Teams following a complaint from Slack.",
        fires: FIRES,
    },
    // ------------------------------------------------------------------
    // Agencies: only the listed agencies, their metonyms, not look-alikes.
    // ------------------------------------------------------------------
    Case {
        kind: "agencies",
        name: "wrong agency: FTC action for a rule listing only us-commerce",
        rule: r#"
            companies = ["Nvidia"]
            agencies = ["us-commerce"]
            actions = ["investigation", "export-control"]
        "#,
        title: "FTC looks at chip deal",
        body: "The FTC opened an investigation into Nvidia's acquisition of a chip design \
               startup.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "wrong agency: FTC ban for a rule listing us-commerce and us-treasury",
        rule: KASPERSKY_US,
        title: "Antivirus maker barred from claims",
        body: "The FTC banned Kaspersky from making misleading claims about its antivirus \
               software.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "wrong agency: a state attorney general is not the Justice Department",
        rule: r#"
            companies = ["Meta"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "New York sues social media company",
        body: "New York Attorney General Letitia James sued Meta over the design of \
               Instagram.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "wrong agency: China's Commerce Ministry is not the U.S. Commerce Department",
        rule: r#"
            companies = ["Lockheed Martin"]
            agencies = ["us-commerce"]
            actions = ["sanction", "export-control"]
        "#,
        title: "Beijing retaliates against defence firms",
        body: "China's Commerce Ministry added Lockheed Martin to its unreliable entity \
               list on Tuesday.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "China's Commerce Ministry fires for a rule listing cn-mofcom",
        rule: r#"
            companies = ["Lockheed Martin"]
            agencies = ["cn-mofcom"]
            actions = ["sanction", "export-control"]
        "#,
        title: "Beijing retaliates against defence firms",
        body: "China's Commerce Ministry added Lockheed Martin to its unreliable entity \
               list on Tuesday.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "wrong agency: a Chamber of Commerce is not the Commerce Department",
        rule: HUAWEI_US,
        title: "Trade fair turns away Chinese exhibitor",
        body: "Huawei was barred from a trade fair organised by the Chamber of Commerce in \
               Lyon.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "wrong agency: HM Treasury is not the U.S. Treasury",
        rule: SOVCOMFLOT_TREASURY,
        title: "UK freezes shipping unit's assets",
        body: "HM Treasury froze the assets of Sovcomflot's London-based subsidiary on \
               Wednesday.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "place: Brussels as a location is not the European Commission",
        rule: r#"
            companies = ["Kaspersky"]
            agencies = ["eu-commission"]
            actions = ["ban"]
        "#,
        title: "U.S. bans antivirus maker",
        body: "Kaspersky, which opened a transparency centre in Brussels in 2019, was banned \
               by the Commerce Department on Thursday.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "metonym: 'Brussels' acting is the European Commission",
        rule: r#"
            companies = ["Google"]
            agencies = ["eu-commission"]
            actions = ["fine"]
        "#,
        title: "EU penalises search giant",
        body: "Brussels fined Google €2.4 billion for favouring its own shopping service in \
               search results.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "metonym: bare 'Treasury' is the Treasury Department",
        rule: SOVCOMFLOT_TREASURY,
        title: "U.S. widens Russian shipping sanctions",
        body: "Treasury on Friday imposed sanctions on Sovcomflot and 14 of its crude \
               tankers.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "metonym: OFAC is the Treasury",
        rule: SOVCOMFLOT_TREASURY,
        title: "U.S. widens Russian shipping sanctions",
        body: "OFAC added Sovcomflot to the SDN list on Friday.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "metonym: 'the Justice Department' is us-justice",
        rule: r#"
            companies = ["Google"]
            agencies = ["us-justice"]
            actions = ["lawsuit"]
        "#,
        title: "U.S. sues over ad tech",
        body: "The Justice Department sued Google over its dominance of online advertising \
               technology.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "metonym: BIS is the Commerce Department",
        rule: HUAWEI_US,
        title: "More Huawei units blacklisted",
        body: "BIS added 38 Huawei affiliates to the Entity List, further limiting the \
               company's access to U.S. chips.",
        fires: FIRES,
    },
    Case {
        kind: "agencies",
        name: "'Treasury yields' are not the Treasury acting",
        rule: SOVCOMFLOT_TREASURY,
        title: "Russian shipper's bonds slide",
        body: "Sovcomflot's bonds fell as Treasury yields climbed and the European Union \
               weighed new sanctions on Russian shipping.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "'SEC filing' is not the SEC acting",
        rule: BOEING_SEC,
        title: "Planemaker discloses FAA inquiry",
        body: "Boeing disclosed in an SEC filing that the FAA had opened an investigation \
               into its 737 MAX production lines.",
        fires: SILENT,
    },
    Case {
        kind: "agencies",
        name: "the SEC itself investigating fires",
        rule: BOEING_SEC,
        title: "SEC examines planemaker's statements",
        body: "The SEC opened an investigation into Boeing's statements about the safety of \
               the 737 MAX.",
        fires: FIRES,
    },
];

fn rule_id(i: usize) -> String {
    format!("case-{i:03}")
}

/// One watchlist with one rule per case, compiled once.
fn compile(extra_rules: &str) -> Matcher {
    let mut toml = String::new();
    for (i, c) in CASES.iter().enumerate() {
        toml.push_str(&format!(
            "[[rule]]\nid = \"{}\"\n{}\n\n",
            rule_id(i),
            c.rule.trim()
        ));
    }
    toml.push_str(extra_rules);
    let taxonomy = Taxonomy::builtin();
    let (wl, _warnings) = watchlist::parse(&[(PathBuf::from("cases.toml"), toml)], taxonomy)
        .unwrap_or_else(|diags| {
            let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
            panic!("the case watchlist does not parse:\n{}", lines.join("\n"))
        });
    Matcher::compile(&wl, taxonomy)
}

fn article(id: &str, title: &str, body: &str) -> Article {
    Article {
        id: id.to_string(),
        title: title.to_string(),
        body: body.to_string(),
        url: None,
        source: None,
        published_at: None,
        language: None,
    }
}

fn fired(hits: &[Hit], id: &str) -> bool {
    hits.iter().any(|h| h.rule_id == id)
}

fn verdict(fires: bool) -> &'static str {
    if fires {
        "fire"
    } else {
        "no fire"
    }
}

#[test]
fn labelled_cases() {
    let mut names = std::collections::HashSet::new();
    for c in CASES {
        assert!(names.insert(c.name), "duplicate case name: {}", c.name);
    }
    let matcher = compile("");
    let mut failures = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let id = rule_id(i);
        let a = article(&id, c.title, c.body);
        let hits = matcher.evaluate(&a);
        let got = fired(&hits, &id);
        if got == c.fires {
            continue;
        }
        let detail = match hits.iter().find(|h| h.rule_id == id) {
            Some(h) => {
                let evidence: Vec<&str> = h.evidence.iter().map(|e| e.text.as_str()).collect();
                format!("evidence: {evidence:?}")
            }
            None => matcher
                .explain(&a)
                .into_iter()
                .find(|e| e.rule_id == id)
                .map_or_else(String::new, |e| format!("reason: {}", e.reason)),
        };
        failures.push(format!(
            "[{}] {} ({id}): expected {}, got {}; {detail}",
            c.kind,
            c.name,
            verdict(c.fires),
            verdict(got)
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} matcher cases failed:\n  {}",
        failures.len(),
        CASES.len(),
        failures.join("\n  ")
    );
}

/// An article whose evidence mixes multi-byte and folded characters
/// (accents, curly quotes, no-break and doubled spaces, entities, a gap
/// phrase), to check that spans are byte offsets into the evidence text.
const SPAN_RULE: &str = r#"
[[rule]]
id = "span-check"
companies = [{ name = "Société Générale", aliases = ["SocGen"] }]
agencies = ["us-treasury"]
actions = ["fine", "sanction"]
"#;

/// Found by `cargo fuzz` (article_match): a paragraph break inside an
/// agency's name ("Department of</p> Justice") made a span run past the end
/// of its sentence's evidence.
const SPLIT_NAME_RULE: &str = r#"
[[rule]]
id = "split-name"
companies = ["Apple"]
actions = ["lawsuit", "fine", "investigation"]
"#;

#[test]
fn evidence_spans_slice_their_text() {
    let matcher = compile(&format!("{SPAN_RULE}\n{SPLIT_NAME_RULE}"));
    let mut articles = vec![article(
        "span-check",
        "U.S. penalises French bank",
        "<p>The U.S.\u{00A0}Treasury&rsquo;s sanctions office said on Monday that \
         Société  Générale’s New York branch agreed to pay $53.9 million to settle \
         claims that it broke sanctions on Cuba.</p>",
    )];
    articles.push(article(
        "split-name",
        "VW pleads guilty, agrees to pay $4.3 billion over emissions cheating",
        "VW agreed to plead guilty to three criminal felony counts and pay Apple$4.3 billion \
         in penalties to resolve U.S. charges that it cheated on diesel emissions tests, the \
         Department of</p> Justice said on Wednesday.\n\nSix executives were indicted.",
    ));
    for (i, c) in CASES.iter().enumerate() {
        articles.push(article(&rule_id(i), c.title, c.body));
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut kinds = Vec::new();
    for a in &articles {
        for hit in matcher.evaluate(a) {
            if hit.evidence.is_empty() {
                problems.push(format!(
                    "{} / {}: a hit without evidence",
                    a.id, hit.rule_id
                ));
            }
            for ev in &hit.evidence {
                for span in &ev.spans {
                    checked += 1;
                    if hit.rule_id == "span-check" {
                        kinds.push(span.kind);
                    }
                    match ev.text.get(span.start..span.end) {
                        Some(s) if s == span.text => {}
                        other => problems.push(format!(
                            "{} / {}: span {}..{} {:?} of {:?} slices to {:?}",
                            a.id, hit.rule_id, span.start, span.end, span.text, ev.text, other
                        )),
                    }
                }
            }
        }
    }
    for kind in [SpanKind::Company, SpanKind::Agency, SpanKind::Action] {
        assert!(
            kinds.contains(&kind),
            "span-check: no {kind:?} span in its evidence (found {kinds:?})"
        );
    }
    assert!(checked > 0, "no spans were checked");
    assert!(
        problems.is_empty(),
        "{} of {checked} spans do not slice their evidence:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
