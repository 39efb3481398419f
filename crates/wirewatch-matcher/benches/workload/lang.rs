//! The multilingual workload: the watchlist of [`super::generate`] with a
//! native-script alias for three in ten companies (Cyrillic, Chinese or
//! katakana, transcribed from the Latin name with syllable tables), and
//! articles of which two thirds are English (as in [`super::articles`]) and
//! one third is in German, French, Spanish, Italian, Portuguese, Russian,
//! Chinese or Japanese, in equal shares, from the template tables below.
//!
//! Long because of those tables (sentence templates and syllable tables per
//! language), which are data; the code is a few hundred lines.
//! Half of the articles carry their language tag; the other half leave it
//! to detection. Events, near misses and background news come in the same
//! proportions as in the English workload.
//!
//! All sentences are written for this benchmark; agency names and action
//! words are ones `taxonomy/lang/*.toml` lists, so event articles fire.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use wirewatch_matcher::article::Article;

use super::{
    mention, Company, Generated, Kind, Writer, AGENCIES, FIRST_NAMES, INDEXES, LAST_NAMES,
};

/// The script of a native alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Cyrillic,
    Han,
    Katakana,
}

/// A company's alias in a non-Latin script.
#[derive(Debug, Clone)]
pub struct Native {
    pub script: Script,
    pub text: String,
}

/// The share of companies (watched and unwatched) with a native alias,
/// split evenly between the three scripts.
const NATIVE_SHARE: f64 = 0.3;
/// How often a text in the alias's script uses it rather than the Latin name.
const NATIVE_USE: f64 = 0.7;

/// Every language of the workload, English first, then as in [`TABLES`].
pub const ALL_LANGUAGES: [&str; 9] = ["en", "de", "fr", "es", "it", "pt", "ru", "zh", "ja"];

/// The watchlist of [`super::generate`] (same rules, names and aliases),
/// with native aliases added to some companies.
pub fn generate_multilingual(seed: u64, rules: usize) -> Generated {
    let mut g = super::generate(seed, rules);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x4E41_5449_5645);
    let mut natives = Natives::new();
    for c in g.companies.iter_mut().chain(g.unwatched.iter_mut()) {
        let script = match rng.gen_range(0..30) {
            n if (n as f64) >= NATIVE_SHARE * 30.0 => continue,
            n if n % 3 == 0 => Script::Cyrillic,
            n if n % 3 == 1 => Script::Han,
            _ => Script::Katakana,
        };
        let stem = c.name.split(' ').next().unwrap_or_default();
        c.native = natives.make(stem, script);
    }
    g.toml = super::render_toml(&g.companies, &g.rules);
    g
}

/// `n` articles of about [`super::ARTICLE_BYTES`] each, with their language
/// code: two thirds English, the rest in [`LANGUAGES`] in equal shares;
/// 10% events, 10% near misses and 80% background news in every language.
/// Half of them carry their language in [`Article::language`].
pub fn articles_multilingual(
    g: &Generated,
    seed: u64,
    n: usize,
) -> Vec<(Article, Kind, &'static str)> {
    for t in TABLES {
        t.check();
    }
    let mut w = Writer {
        g,
        rng: StdRng::seed_from_u64(seed ^ 0x4D55_4C54_494C_494E),
    };
    (0..n)
        .map(|i| {
            let kind = super::draw_kind(&mut w.rng, g);
            let (mut a, code) = match w.rng.gen_range(0..24) {
                0..=15 => (w.article(i, kind), "en"),
                k => {
                    let t = &TABLES[k - 16];
                    (w.article_in(t, i, kind), t.code)
                }
            };
            if w.rng.gen_bool(0.5) {
                a.language = Some(code.to_string());
            }
            (a, kind, code)
        })
        .collect()
}

/// One language's templates and words. Placeholders as in
/// [`super::ACTIONS`] and [`super::FILLER`]; `{D}` is a whole adverbial
/// ("am Montag", "el lunes", "周一"), `{R}` a region as a place ("in Asien",
/// "в Европе"; in Russian `{T}` too, "во Франкфурте"), and `{g}` the
/// past-tense ending that agrees with the
/// agency's gender (Russian: the agency's name ends in `#m`, `#f`, `#n` or
/// `#p`). Agency names carry their article where the language needs one;
/// the agency is the subject of every event sentence.
pub struct Tables {
    pub code: &'static str,
    /// Written without spaces between words or sentences.
    pub cjk: bool,
    /// The script of the company aliases this language's text uses.
    pub native: Option<Script>,
    pub agencies: &'static [(&'static str, &'static [&'static str])],
    pub actions: &'static [(&'static str, &'static [&'static str])],
    /// Headlines of event articles (`{A}`, `{C}`).
    pub event_titles: &'static [&'static str],
    /// The sentence after an event's lead: the company's response.
    pub follow: &'static [&'static str],
    /// Near miss: the watched company is the source of the news.
    pub source: &'static [&'static str],
    /// Near miss: the watched company in passing, two paragraphs from the event.
    pub passing: &'static [&'static str],
    pub filler: &'static [&'static str],
    pub headlines: &'static [&'static str],
    pub weekdays: &'static [&'static str],
    pub months: &'static [&'static str],
    pub cities: &'static [&'static str],
    pub regions: &'static [&'static str],
    pub products: &'static [&'static str],
    pub indexes: &'static [&'static str],
    pub first_names: &'static [&'static str],
    /// Empty when `first_names` are whole names; family name first in CJK.
    pub last_names: &'static [&'static str],
}

impl Tables {
    /// Panics unless every built-in agency and action has entries.
    fn check(&self) {
        for (id, _) in AGENCIES {
            assert!(
                !self.agency_names(id).is_empty(),
                "{}: no names for agency {id}",
                self.code
            );
        }
        for (id, _) in super::ACTIONS {
            assert!(
                !self.action_templates(id).is_empty(),
                "{}: no sentences for action {id}",
                self.code
            );
        }
    }

    pub fn agency_names(&self, id: &str) -> &'static [&'static str] {
        self.agencies
            .iter()
            .find(|a| a.0 == id)
            .map_or(&[], |a| a.1)
    }

    pub fn action_templates(&self, id: &str) -> &'static [&'static str] {
        self.actions.iter().find(|a| a.0 == id).map_or(&[], |a| a.1)
    }

    /// Every text of the tables, for checking aliases against.
    fn corpus(&self) -> String {
        let lists: [&[&str]; 13] = [
            self.event_titles,
            self.follow,
            self.source,
            self.passing,
            self.filler,
            self.headlines,
            self.weekdays,
            self.months,
            self.cities,
            self.regions,
            self.products,
            self.first_names,
            self.last_names,
        ];
        let mut out: Vec<&str> = lists.into_iter().flatten().copied().collect();
        out.extend(self.agencies.iter().flat_map(|a| a.1.iter().copied()));
        out.extend(self.actions.iter().flat_map(|a| a.1.iter().copied()));
        out.join("\n")
    }
}

impl Writer<'_> {
    /// A mention of `c` in a text of language `t`: its native alias most of
    /// the time when it has one in `t`'s script (in «quotes» in Russian),
    /// otherwise its name or a Latin alias.
    fn mention_in(&mut self, t: &Tables, c: &Company) -> String {
        if let Some(n) = c.native.as_ref().filter(|n| Some(n.script) == t.native) {
            if self.rng.gen_bool(NATIVE_USE) {
                return match n.script {
                    Script::Cyrillic => format!("«{}»", n.text),
                    _ => n.text.clone(),
                };
            }
        }
        mention(&mut self.rng, c).to_string()
    }

    fn unwatched_in(&mut self, t: &Tables) -> String {
        let c = self.g.unwatched.choose(&mut self.rng).unwrap();
        self.mention_in(t, c)
    }

    fn watched_in(&mut self, t: &Tables) -> String {
        let c = self.g.companies.choose(&mut self.rng).unwrap();
        self.mention_in(t, c)
    }

    /// Fills a template of language `t`; `watched` is used for `{W}` and
    /// `{C}`, `agency` for `{A}` (and its gender for `{g}`).
    fn fill_in(
        &mut self,
        t: &Tables,
        template: &str,
        watched: Option<&str>,
        agency: &str,
    ) -> String {
        let (agency, gender) = agency.split_once('#').unwrap_or((agency, "m"));
        let mut out = String::with_capacity(template.len() + 64);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '{' {
                out.push(c);
                continue;
            }
            let key = chars.next().unwrap_or(' ');
            chars.next(); // '}'
            match key {
                'U' | 'V' | 'X' => {
                    let u = self.unwatched_in(t);
                    out.push_str(&u);
                }
                'W' | 'C' => match watched {
                    Some(w) => out.push_str(w),
                    None => {
                        let u = self.unwatched_in(t);
                        out.push_str(&u);
                    }
                },
                'A' => out.push_str(agency),
                'g' => out.push_str(match gender {
                    "f" => "а",
                    "n" => "о",
                    "p" => "и",
                    _ => "",
                }),
                'F' => {
                    let first = *t.first_names.choose(&mut self.rng).unwrap();
                    match t.last_names.choose(&mut self.rng) {
                        None => out.push_str(first),
                        Some(last) if t.cjk => {
                            out.push_str(last);
                            out.push_str(first);
                        }
                        Some(last) => {
                            out.push_str(first);
                            out.push(' ');
                            out.push_str(last);
                        }
                    }
                }
                'T' => out.push_str(t.cities.choose(&mut self.rng).unwrap()),
                'R' => out.push_str(t.regions.choose(&mut self.rng).unwrap()),
                'P' => out.push_str(t.products.choose(&mut self.rng).unwrap()),
                'I' => out.push_str(t.indexes.choose(&mut self.rng).unwrap()),
                'D' => out.push_str(t.weekdays.choose(&mut self.rng).unwrap()),
                'M' => out.push_str(t.months.choose(&mut self.rng).unwrap()),
                'N' => out.push_str(&self.rng.gen_range(2..99).to_string()),
                'n' => out.push_str(&self.rng.gen_range(1..10).to_string()),
                other => out.push(other),
            }
        }
        // A sentence that opens with a lower-case agency name ("l'exécutif
        // européen", "минфин США").
        match out.chars().next() {
            Some(first) if first.is_lowercase() => {
                first.to_uppercase().collect::<String>() + &out[first.len_utf8()..]
            }
            _ => out,
        }
    }

    fn filler_in(&mut self, t: &Tables, p_watched: f64) -> String {
        let template = *t.filler.choose(&mut self.rng).unwrap();
        let w = self.rng.gen_bool(p_watched).then(|| self.watched_in(t));
        self.fill_in(t, template, w.as_deref(), "")
    }

    /// Paragraphs of 2 to 4 filler sentences until the body reaches `target` bytes.
    fn body_in(&mut self, t: &Tables, mut body: String, target: usize, p_watched: f64) -> String {
        let mut left = 0;
        while body.len() < target {
            if left == 0 {
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                left = self.rng.gen_range(2..=4);
            } else if !t.cjk {
                body.push(' ');
            }
            let s = self.filler_in(t, p_watched);
            body.push_str(&s);
            left -= 1;
        }
        body
    }

    /// Sentences joined as the language joins them.
    fn join(t: &Tables, a: &str, b: &str) -> String {
        if t.cjk {
            format!("{a}{b}")
        } else {
            format!("{a} {b}")
        }
    }

    /// An article of `kind` in language `t`, built as [`Writer::article`]
    /// builds an English one.
    fn article_in(&mut self, t: &Tables, id: usize, kind: Kind) -> Article {
        let pick = |rng: &mut StdRng, list: &[&'static str]| *list.choose(rng).unwrap();
        let (title, lead, p_watched) = match kind {
            Kind::Event { rule } => {
                let g = self.g;
                let spec = &g.rules[rule];
                let company = &g.companies[*spec.companies.choose(&mut self.rng).unwrap()];
                let name = self.mention_in(t, company);
                let agency_id = *spec
                    .agencies
                    .choose(&mut self.rng)
                    .unwrap_or(&AGENCIES.choose(&mut self.rng).unwrap().0);
                let action_id = *spec.actions.choose(&mut self.rng).unwrap();
                let agency = pick(&mut self.rng, t.agency_names(agency_id));
                let template = pick(&mut self.rng, t.action_templates(action_id));
                let lead = self.fill_in(t, template, Some(&name), agency);
                let title_template = pick(&mut self.rng, t.event_titles);
                let title = self.fill_in(t, title_template, Some(&name), agency);
                let follow_template = pick(&mut self.rng, t.follow);
                let follow = self.fill_in(t, follow_template, None, "");
                (title, Self::join(t, &lead, &follow), 0.1)
            }
            Kind::NearMiss => {
                let name = self.watched_in(t);
                let (agency_id, _) = *AGENCIES.choose(&mut self.rng).unwrap();
                let agency = pick(&mut self.rng, t.agency_names(agency_id));
                let (action_id, _) = *super::ACTIONS.choose(&mut self.rng).unwrap();
                let template = pick(&mut self.rng, t.action_templates(action_id));
                let headline = pick(&mut self.rng, t.headlines);
                let title = self.fill_in(t, headline, None, "");
                let body = if self.rng.gen_bool(0.5) {
                    // The watched company is only the source of the news.
                    let event = self.fill_in(t, template, None, agency);
                    let source_template = pick(&mut self.rng, t.source);
                    let source = self.fill_in(t, source_template, Some(&name), "");
                    Self::join(t, &event, &source)
                } else {
                    // The watched company in passing, the event about another one.
                    let passing_template = pick(&mut self.rng, t.passing);
                    let passing = self.fill_in(t, passing_template, Some(&name), "");
                    let between = self.filler_in(t, 0.0);
                    let event = self.fill_in(t, template, None, agency);
                    format!("{passing}\n\n{between}\n\n{event}")
                };
                (title, body, 0.1)
            }
            Kind::Background => {
                let w = self.rng.gen_bool(0.3).then(|| self.watched_in(t));
                let headline = pick(&mut self.rng, t.headlines);
                (
                    self.fill_in(t, headline, w.as_deref(), ""),
                    String::new(),
                    0.15,
                )
            }
        };
        let body = self.body_in(
            t,
            lead,
            super::ARTICLE_BYTES.saturating_sub(title.len()),
            p_watched,
        );
        Article {
            id: format!("scale-{}-{id:06}", t.code),
            title,
            body,
            url: None,
            source: None,
            published_at: None,
            language: None,
        }
    }
}

// ---------------------------------------------------------------------------
// Native aliases: a Latin stem ("Norvex") as sounds, then as Cyrillic
// ("Норвекс"), Chinese ("诺尔韦克斯") or katakana ("ノルベックス").

/// The sounds of a stem: consonant-vowel units; a lone consonant has no
/// vowel, a lone vowel no consonant. Consonants are ASCII letters, plus
/// `S` (sh), `C` (ch) and `X` (a final or pre-consonant x, "ks").
fn sounds(stem: &str) -> Vec<(Option<char>, Option<char>)> {
    let s: Vec<char> = stem.to_lowercase().chars().collect();
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    let mut phones: Vec<char> = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        let (out, skip): (&[char], usize) = match (c, next) {
            ('c', Some('k')) => (&['k'], 2),
            ('p', Some('h')) => (&['f'], 2),
            ('t', Some('h')) => (&['t'], 2),
            ('s', Some('h')) => (&['S'], 2),
            ('c', Some('h')) => (&['C'], 2),
            ('q', Some('u')) => (&['k', 'w'], 2),
            ('c', Some('e' | 'i' | 'y')) => (&['s'], 1),
            ('c' | 'q', _) => (&['k'], 1),
            ('x', _) if i == 0 => (&['z'], 1),
            ('x', Some(n)) if is_vowel(n) => (&['k', 's'], 1),
            ('x', _) => (&['X'], 1),
            ('y', Some(n)) if is_vowel(n) && (i == 0 || is_vowel(s[i - 1])) => (&['y'], 1),
            ('y', _) => (&['i'], 1),
            _ => (std::slice::from_ref(&s[i]), 1),
        };
        for &p in out {
            // A doubled consonant is one sound ("Vell", "Ross").
            if phones.last() != Some(&p) || is_vowel(p) {
                phones.push(p);
            }
        }
        i += skip;
    }
    let mut units = Vec::new();
    let mut i = 0;
    while i < phones.len() {
        let c = phones[i];
        if is_vowel(c) {
            units.push((None, Some(c)));
            i += 1;
        } else if c != 'X' && phones.get(i + 1).is_some_and(|&v| is_vowel(v)) {
            units.push((Some(c), Some(phones[i + 1])));
            i += 2;
        } else {
            units.push((Some(c), None));
            i += 1;
        }
    }
    units
}

fn vowel_index(v: char) -> usize {
    match v {
        'a' => 0,
        'e' => 1,
        'i' => 2,
        'o' => 3,
        _ => 4,
    }
}

/// Katakana by consonant (`-` for none) and vowel a, e, i, o, u.
const KANA: &[(char, [&str; 5])] = &[
    ('-', ["ア", "エ", "イ", "オ", "ウ"]),
    ('k', ["カ", "ケ", "キ", "コ", "ク"]),
    ('g', ["ガ", "ゲ", "ギ", "ゴ", "グ"]),
    ('s', ["サ", "セ", "シ", "ソ", "ス"]),
    ('z', ["ザ", "ゼ", "ジ", "ゾ", "ズ"]),
    ('t', ["タ", "テ", "ティ", "ト", "トゥ"]),
    ('d', ["ダ", "デ", "ディ", "ド", "ドゥ"]),
    ('n', ["ナ", "ネ", "ニ", "ノ", "ヌ"]),
    ('h', ["ハ", "ヘ", "ヒ", "ホ", "フ"]),
    ('f', ["ファ", "フェ", "フィ", "フォ", "フ"]),
    ('b', ["バ", "ベ", "ビ", "ボ", "ブ"]),
    ('v', ["バ", "ベ", "ビ", "ボ", "ブ"]),
    ('p', ["パ", "ペ", "ピ", "ポ", "プ"]),
    ('m', ["マ", "メ", "ミ", "モ", "ム"]),
    ('y', ["ヤ", "イエ", "イ", "ヨ", "ユ"]),
    ('r', ["ラ", "レ", "リ", "ロ", "ル"]),
    ('l', ["ラ", "レ", "リ", "ロ", "ル"]),
    ('w', ["ワ", "ウェ", "ウィ", "ウォ", "ウ"]),
    ('j', ["ジャ", "ジェ", "ジ", "ジョ", "ジュ"]),
    ('S', ["シャ", "シェ", "シ", "ショ", "シュ"]),
    ('C', ["チャ", "チェ", "チ", "チョ", "チュ"]),
];
/// Katakana of a consonant with no vowel after it.
const KANA_CODA: &[(char, &str)] = &[
    ('k', "ク"),
    ('g', "グ"),
    ('s', "ス"),
    ('z', "ズ"),
    ('t', "ト"),
    ('d', "ド"),
    ('n', "ン"),
    ('h', ""),
    ('f', "フ"),
    ('b', "ブ"),
    ('v', "ブ"),
    ('p', "プ"),
    ('m', "ム"),
    ('r', "ル"),
    ('l', "ル"),
    ('w', "ウ"),
    ('j', "ジ"),
    ('S', "シュ"),
    ('C', "チ"),
    ('X', "クス"),
];

/// Chinese transcription characters by consonant and vowel a, e, i, o, u.
const HAN: &[(char, [&str; 5])] = &[
    ('-', ["阿", "埃", "伊", "奥", "乌"]),
    ('k', ["卡", "凯", "基", "科", "库"]),
    ('g', ["加", "盖", "吉", "戈", "古"]),
    ('s', ["萨", "塞", "西", "索", "苏"]),
    ('z', ["扎", "泽", "齐", "佐", "祖"]),
    ('t', ["塔", "泰", "蒂", "托", "图"]),
    ('d', ["达", "戴", "迪", "多", "杜"]),
    ('n', ["纳", "内", "尼", "诺", "努"]),
    ('h', ["哈", "赫", "希", "霍", "胡"]),
    ('f', ["法", "费", "菲", "福", "富"]),
    ('b', ["巴", "贝", "比", "博", "布"]),
    ('v', ["瓦", "韦", "维", "沃", "武"]),
    ('p', ["帕", "佩", "皮", "波", "普"]),
    ('m', ["马", "梅", "米", "莫", "穆"]),
    ('y', ["亚", "耶", "伊", "约", "尤"]),
    ('r', ["拉", "雷", "里", "罗", "鲁"]),
    ('l', ["拉", "莱", "利", "洛", "卢"]),
    ('w', ["瓦", "威", "维", "沃", "武"]),
    ('j', ["贾", "杰", "吉", "乔", "朱"]),
    ('S', ["沙", "谢", "希", "肖", "舒"]),
    ('C', ["查", "切", "奇", "乔", "楚"]),
];
/// Chinese characters of a consonant-vowel unit closed by an n ("Zan" 赞).
const HAN_NASAL: &[(char, [&str; 5])] = &[
    ('-', ["安", "恩", "因", "昂", "温"]),
    ('k', ["坎", "肯", "金", "孔", "昆"]),
    ('g', ["甘", "根", "金", "贡", "衮"]),
    ('s', ["桑", "森", "辛", "松", "孙"]),
    ('z', ["赞", "曾", "津", "宗", "尊"]),
    ('t', ["坦", "滕", "廷", "通", "吞"]),
    ('d', ["丹", "登", "丁", "东", "敦"]),
    ('n', ["南", "嫩", "宁", "农", "嫩"]),
    ('h', ["汉", "亨", "欣", "洪", "洪"]),
    ('f', ["凡", "芬", "芬", "丰", "丰"]),
    ('b', ["班", "本", "宾", "邦", "本"]),
    ('v', ["万", "文", "温", "旺", "文"]),
    ('p', ["潘", "彭", "平", "蓬", "蓬"]),
    ('m', ["曼", "门", "明", "蒙", "蒙"]),
    ('y', ["延", "延", "因", "永", "云"]),
    ('r', ["兰", "伦", "林", "隆", "伦"]),
    ('l', ["兰", "伦", "林", "隆", "伦"]),
    ('w', ["万", "文", "温", "旺", "文"]),
    ('j', ["詹", "真", "金", "琼", "君"]),
    ('S', ["尚", "申", "辛", "雄", "顺"]),
    ('C', ["钱", "琴", "钦", "琼", "春"]),
];
/// Chinese characters of a consonant with no vowel after it.
const HAN_CODA: &[(char, &str)] = &[
    ('k', "克"),
    ('g', "格"),
    ('s', "斯"),
    ('z', "兹"),
    ('t', "特"),
    ('d', "德"),
    ('n', "恩"),
    ('h', ""),
    ('f', "夫"),
    ('b', "布"),
    ('v', "夫"),
    ('p', "普"),
    ('m', "姆"),
    ('r', "尔"),
    ('l', "尔"),
    ('w', "乌"),
    ('j', "吉"),
    ('S', "什"),
    ('C', "奇"),
    ('X', "克斯"),
];

fn row<'a>(table: &'a [(char, [&'a str; 5])], c: Option<char>) -> &'a [&'a str; 5] {
    let c = c.unwrap_or('-');
    &table.iter().find(|r| r.0 == c).unwrap_or(&table[0]).1
}

fn coda<'a>(table: &'a [(char, &'a str)], c: char) -> &'a str {
    table.iter().find(|r| r.0 == c).map_or("", |r| r.1)
}

/// The stem in katakana: "Norvex" → "ノルベックス".
fn katakana(stem: &str) -> String {
    let units = sounds(stem);
    let mut out = String::new();
    for (i, &(c, v)) in units.iter().enumerate() {
        match (c, v) {
            (c, Some(v)) => out.push_str(row(KANA, c)[vowel_index(v)]),
            (Some(c), None) => {
                // A short vowel before a final stop or x doubles it ("Tek" テック).
                let after_vowel = i > 0 && units[i - 1].1.is_some();
                let last = i + 1 == units.len();
                if after_vowel && (c == 'X' || (last && matches!(c, 'k' | 't' | 'p'))) {
                    out.push('ッ');
                }
                out.push_str(coda(KANA_CODA, c));
            }
            (None, None) => {}
        }
    }
    out
}

/// The stem in Chinese transcription characters: "Norvex" → "诺尔韦克斯".
fn han(stem: &str) -> String {
    let units = sounds(stem);
    let mut out = String::new();
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            (c, Some(v)) => {
                let nasal = units.get(i + 1) == Some(&(Some('n'), None));
                let table = if nasal { HAN_NASAL } else { HAN };
                out.push_str(row(table, c)[vowel_index(v)]);
                i += if nasal { 2 } else { 1 };
            }
            (Some(c), None) => {
                out.push_str(coda(HAN_CODA, c));
                i += 1;
            }
            (None, None) => i += 1,
        }
    }
    out
}

/// The stem in Cyrillic letters: "Altamira" → "Альтамира".
fn cyrillic(stem: &str) -> String {
    let s: Vec<char> = stem.to_lowercase().chars().collect();
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        let prev_vowel = i > 0 && is_vowel(s[i - 1]);
        let (text, skip) = match (c, next) {
            ('c', Some('k')) => ("к", 2),
            ('p', Some('h')) => ("ф", 2),
            ('t', Some('h')) => ("т", 2),
            ('s', Some('h')) => ("ш", 2),
            ('c', Some('h')) => ("ч", 2),
            ('q', Some('u')) => ("кв", 2),
            ('c', Some('e' | 'i' | 'y')) => ("с", 1),
            ('a', _) => ("а", 1),
            ('b', _) => ("б", 1),
            ('c' | 'k' | 'q', _) => ("к", 1),
            ('d', _) => ("д", 1),
            ('e', _) if i == 0 => ("э", 1),
            ('e', _) => ("е", 1),
            ('f', _) => ("ф", 1),
            ('g', _) => ("г", 1),
            ('h', _) => ("х", 1),
            ('i', Some('a')) => ("ия", 2),
            ('i', _) => ("и", 1),
            ('j', _) => ("дж", 1),
            // A soft l before a consonant or at the end ("Al" Аль).
            ('l', n) if !n.is_some_and(is_vowel) && n != Some('l') => ("ль", 1),
            ('l', _) => ("л", 1),
            ('m', _) => ("м", 1),
            ('n', _) => ("н", 1),
            ('o', _) => ("о", 1),
            ('p', _) => ("п", 1),
            ('r', _) => ("р", 1),
            ('s', _) => ("с", 1),
            ('t', _) => ("т", 1),
            ('u', _) => ("у", 1),
            ('v' | 'w', _) => ("в", 1),
            ('x', _) => ("кс", 1),
            ('y', _) if prev_vowel => ("й", 1),
            ('y', _) => ("и", 1),
            ('z', _) => ("з", 1),
            _ => ("", 1),
        };
        out.push_str(text);
        i += skip;
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

/// Makes native aliases, each unique in its script; Chinese ones also
/// never inside another one, nor in the Chinese templates (Chinese is
/// matched as character sequences, so "诺尔韦" would match inside
/// "诺尔韦克斯").
struct Natives {
    seen: HashSet<String>,
    han_parts: HashSet<String>,
    corpus: [(Script, String); 3],
}

impl Natives {
    fn new() -> Natives {
        let corpus_of = |code: &str| {
            TABLES
                .iter()
                .find(|t| t.code == code)
                .map(Tables::corpus)
                .unwrap_or_default()
                .to_lowercase()
        };
        Natives {
            seen: HashSet::new(),
            han_parts: HashSet::new(),
            corpus: [
                (Script::Cyrillic, corpus_of("ru")),
                (Script::Han, corpus_of("zh")),
                (Script::Katakana, corpus_of("ja")),
            ],
        }
    }

    fn make(&mut self, stem: &str, script: Script) -> Option<Native> {
        let text = match script {
            Script::Cyrillic => cyrillic(stem),
            Script::Han => han(stem),
            Script::Katakana => katakana(stem),
        };
        let chars: Vec<char> = text.chars().collect();
        let corpus = &self.corpus.iter().find(|c| c.0 == script).unwrap().1;
        if chars.len() < 3
            || self.seen.contains(&text.to_lowercase())
            || corpus.contains(&text.to_lowercase())
        {
            return None;
        }
        if script == Script::Han {
            let parts: Vec<String> = (0..chars.len())
                .flat_map(|i| (i + 3..=chars.len()).map(move |j| (i, j)))
                .map(|(i, j)| chars[i..j].iter().collect())
                .collect();
            if self.han_parts.contains(&text) || parts.iter().any(|p| self.seen.contains(p)) {
                return None;
            }
            self.han_parts.extend(parts);
        }
        self.seen.insert(text.to_lowercase());
        Some(Native { script, text })
    }
}

// ---------------------------------------------------------------------------
// The languages. Every sentence here was written for this benchmark.

pub const TABLES: &[Tables] = &[DE, FR, ES, IT, PT, RU, ZH, JA];

const DE: Tables = Tables {
    code: "de",
    cjk: false,
    native: None,
    agencies: &[
        ("us-commerce", &["das US-Handelsministerium", "die US-Exportkontrollbehörde"]),
        ("us-treasury", &["das US-Finanzministerium", "die US-Sanktionsbehörde OFAC"]),
        ("us-justice", &["das US-Justizministerium", "die US-Staatsanwaltschaft"]),
        ("us-sec", &["die US-Börsenaufsicht SEC", "die SEC"]),
        ("us-ftc", &["die US-Handelsaufsicht FTC", "die FTC"]),
        ("us-fcc", &["die US-Telekomaufsicht FCC", "die FCC"]),
        ("us-state", &["das US-Außenministerium"]),
        ("us-cfius", &["der US-Investitionsprüfungsausschuss", "der Ausschuss für Auslandsinvestitionen in den USA"]),
        ("eu-commission", &["die EU-Kommission", "die Europäische Kommission"]),
        ("eu-council", &["der Rat der EU", "der EU-Rat"]),
        ("uk-ofsi", &["das britische Finanzministerium", "die britische Sanktionsbehörde OFSI"]),
        ("uk-cma", &["die britische Wettbewerbsbehörde CMA", "die CMA"]),
        ("uk-fca", &["die britische Finanzaufsicht FCA", "die FCA"]),
        ("un-security-council", &["der UN-Sicherheitsrat"]),
        ("cn-mofcom", &["das chinesische Handelsministerium", "das Handelsministerium in Peking"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} hat {D} Sanktionen gegen {C} verhängt und wirft dem Konzern vor, Käufern {R} bei der Umgehung von Handelsregeln geholfen zu haben.",
            "{A} setzte {C} {D} auf die Sanktionsliste, weil das Unternehmen Geschäfte mit staatlichen Firmen {R} gemacht habe.",
        ]),
        ("export-control", &[
            "{A} hat {C} {D} auf die Entity List gesetzt und verweist auf Sicherheitsbedenken beim Geschäft mit {P}.",
            "{A} verhängte {D} Exportbeschränkungen gegen {C} und schnitt das Unternehmen damit von Lieferungen von {P} ab.",
        ]),
        ("ban", &[
            "{A} hat {C} {D} den Verkauf von {P} im Land verboten und begründet dies mit Sicherheitsrisiken.",
            "{A} hat {C} {D} für {N} Jahre von öffentlichen Aufträgen ausgeschlossen.",
        ]),
        ("fine", &[
            "{A} hat gegen {C} {D} eine Geldbuße von {N} Millionen Euro verhängt, weil der Konzern Risiken im Geschäft mit {P} verschwiegen habe.",
            "{A} verhängte {D} ein Bußgeld von {N} Millionen Dollar gegen {C} wegen irreführender Angaben gegenüber Kunden {R}.",
        ]),
        ("lawsuit", &[
            "{A} hat {C} {D} verklagt und wirft dem Unternehmen vor, Anleger über die Nachfrage nach {P} getäuscht zu haben.",
            "{A} reichte {D} Klage gegen {C} ein, um die geplante Übernahme von {X} zu stoppen.",
        ]),
        ("investigation", &[
            "{A} hat {D} eine Untersuchung gegen {C} eingeleitet, bei der es um die Preisgestaltung bei {P} {R} geht.",
            "{A} ermittelt gegen {C} wegen mutmaßlicher Zahlungen an Amtsträger {R}, wie mit der Sache vertraute Personen sagten.",
        ]),
        ("exit", &[
            "{C} zieht sich aus Russland zurück, nachdem {A} den Verkauf seines Geschäfts mit {P} angeordnet hat, wie der Konzern {D} mitteilte.",
            "{C} hat {D} {R} den Betrieb eingestellt, nachdem {A} die Verlängerung der Betriebslizenz verweigert hatte.",
        ]),
        ("acquisition", &[
            "{A} hat {D} die Übernahme von {X} durch {C} genehmigt, unter der Auflage, dass das Geschäft mit {P} verkauft wird.",
            "{A} kündigte {D} an, die geplante Übernahme von {X} durch {C} vor einer Freigabe eingehend zu prüfen.",
        ]),
        ("breach", &[
            "{A} teilte {D} mit, Hacker seien in die Systeme von {C} eingedrungen und hätten Daten von {N} Millionen Kunden gestohlen.",
            "{A} bestätigte {D} einen Cyberangriff auf {C}, bei dem Daten von {N} Millionen Nutzern {R} abgeflossen sind.",
        ]),
    ],
    event_titles: &["{A} geht gegen {C} vor"],
    follow: &["Das Unternehmen erklärte, es werde mit den Behörden zusammenarbeiten und sein Geschäft mit {P} {R} überprüfen."],
    source: &["Analysten bei {W} sagten, der Schritt könne Zulieferer von {P} {R} belasten."],
    passing: &["{W} verbuchte im Quartal {N} Prozent mehr Aufträge im Geschäft mit {P}, getragen von der starken Nachfrage {R}."],
    filler: &[
        "Die Aktie von {U} stieg {D} im Handel in {T} um {n},{n} Prozent auf {N},{N} Euro und entwickelte sich damit besser als der {I}.",
        "{U} steigerte den Umsatz im dritten Quartal um {N} Prozent auf {N} Millionen Euro und übertraf damit die Erwartungen.",
        "Der Konzern rechnet bis zum Jahresende mit einer anhaltend starken Nachfrage nach {P}, sagte Vorstandschef {F} vor Journalisten.",
        "Die Renditen von Staatsanleihen zogen leicht an, während Anleger neue Daten zur Inflation {R} auswerteten.",
        "{U} und {V} haben im {M} die Gründung eines Gemeinschaftsunternehmens zur Entwicklung von {P} vereinbart.",
        "Die Lieferketten {R} sind weiterhin angespannt, was die Auslieferung von {P} verzögert, heißt es bei {V}.",
        "{F}, ein Sprecher von {U}, wollte sich zu dem Bericht nicht äußern.",
        "Vor einem Feiertag in {T} blieben die Umsätze an der Börse dünn, sagten Händler.",
        "Die Gruppe mit Sitz in {T} beschäftigt rund {N}00 Mitarbeiter und betreibt {N} Werke {R}.",
        "{W} will im kommenden Jahr bei {T} ein neues Werk zur Fertigung von {P} eröffnen und rund {N}00 Arbeitsplätze schaffen.",
        "{W} meldete für das Quartal ein Auftragsplus von {N} Prozent im Geschäft mit {P}, gestützt auf die Nachfrage {R}.",
        "Die Führung von {W} sagte in einer Telefonkonferenz, die Preise bei {P} hätten sich seit {M} stabilisiert.",
        "{W} hat {F} mit Wirkung zum 1. {M} zum neuen Finanzvorstand ernannt.",
        "Seit Jahresbeginn hat die Aktie {N} Prozent zugelegt, während der {I} um {n},{n} Prozent gestiegen ist.",
        "Die Konkurrenz günstigerer Hersteller {R} drückt auf die Margen bei {P}, schrieb {F} in einer Kundennotiz.",
        "{U} baut sein Geschäft {R} aus und beliefert dort inzwischen mehr als {N}00 Kunden mit {P}.",
        "In {T} sollen bis Ende {M} neue Leitlinien für den Umgang mit {P} veröffentlicht werden.",
    ],
    headlines: &[
        "Aktie von {U} legt zu dank Nachfrage nach {P}",
        "{U} hebt Prognose nach starken Aufträgen {R} an",
        "{W} plant neues Werk bei {T}",
        "Börse in {T}: Kurse steigen vor Zinsentscheid",
        "{U} und {V} kooperieren bei {P}",
        "{W} beruft {F} zum Finanzchef",
    ],
    weekdays: &["am Montag", "am Dienstag", "am Mittwoch", "am Donnerstag", "am Freitag"],
    months: &["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    cities: &["London", "Frankfurt", "Tokio", "Singapur", "New York", "Zürich", "Seoul", "Paris", "Toronto", "Sydney", "Hongkong", "Stockholm", "Mailand", "Madrid"],
    regions: &["in Europa", "in Asien", "in Nordamerika", "in Lateinamerika", "im Nahen Osten", "in Afrika", "in Südostasien", "in Skandinavien", "in China", "in Russland", "in Indien", "im Iran"],
    products: &["Chips", "Überwachungskameras", "Telekomausrüstung", "Batterien", "Drohnen", "Cloud-Diensten", "Zahlungsdiensten", "Industrierobotern", "Solarmodulen", "Medizintechnik", "Frachtschiffen", "Satellitenverbindungen", "Software", "Stahlrohren", "Düngemitteln", "Flugzeugtriebwerken"],
    indexes: INDEXES,
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
};

const FR: Tables = Tables {
    code: "fr",
    cjk: false,
    native: None,
    agencies: &[
        ("us-commerce", &["le département américain du Commerce", "le Bureau de l'industrie et de la sécurité"]),
        ("us-treasury", &["le Trésor américain", "le département du Trésor"]),
        ("us-justice", &["le département américain de la Justice", "la justice américaine"]),
        ("us-sec", &["la SEC", "le gendarme boursier américain"]),
        ("us-ftc", &["la FTC", "la Commission fédérale du commerce"]),
        ("us-fcc", &["la FCC", "le régulateur américain des télécoms"]),
        ("us-state", &["le département d'État américain"]),
        ("us-cfius", &["le CFIUS", "le Comité pour l'investissement étranger aux États-Unis"]),
        ("eu-commission", &["la Commission européenne", "l'exécutif européen"]),
        ("eu-council", &["le Conseil de l'Union européenne"]),
        ("uk-ofsi", &["le Trésor britannique", "l'OFSI"]),
        ("uk-cma", &["l'autorité britannique de la concurrence", "la CMA"]),
        ("uk-fca", &["la FCA", "le régulateur financier britannique"]),
        ("un-security-council", &["le Conseil de sécurité de l'ONU"]),
        ("cn-mofcom", &["le ministère chinois du Commerce"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} a imposé {D} des sanctions à {C}, accusé d'avoir aidé des acheteurs {R} à contourner les règles commerciales.",
            "{C} a été sanctionné {D} par {A} en raison de ses liens avec des entreprises publiques {R}.",
        ]),
        ("export-control", &[
            "{A} a imposé {D} des restrictions à l'exportation visant {C}, privé désormais de l'accès à certains {P}.",
            "{A} a ajouté {C} {D} à sa liste noire commerciale, invoquant des risques pour la sécurité nationale liés à ses {P}.",
        ]),
        ("ban", &[
            "{A} a interdit {D} à {C} de vendre ses {P} dans le pays, invoquant des risques de sécurité.",
            "{A} a prononcé {D} une interdiction de {N} ans visant {C} sur les marchés publics.",
        ]),
        ("fine", &[
            "{A} a infligé {D} une amende de {N} millions d'euros à {C} pour avoir dissimulé des risques liés à ses {P}.",
            "{A} a condamné {C} {D} à une amende de {N} millions de dollars pour avoir trompé ses clients {R}.",
        ]),
        ("lawsuit", &[
            "{A} a engagé des poursuites contre {C} {D}, l'accusant d'avoir trompé les investisseurs sur la demande de {P}.",
            "{A} a déposé plainte contre {C} {D} pour bloquer son projet de rachat de {X}.",
        ]),
        ("investigation", &[
            "{A} a ouvert {D} une enquête sur {C} au sujet de ses prix pour les {P} {R}.",
            "{A} enquête sur des paiements de {C} à des responsables {R}, ont indiqué des personnes proches du dossier.",
        ]),
        ("exit", &[
            "{C} va quitter la Russie après que {A} lui a ordonné de céder son activité de {P}, a annoncé le groupe {D}.",
            "{C} a annoncé {D} se retirer de Chine, {A} ayant refusé de renouveler sa licence d'exploitation.",
        ]),
        ("acquisition", &[
            "{A} a autorisé {D} le rachat de {X} par {C}, sous réserve de la cession de son activité de {P}.",
            "{A} a fait part {D} de son intention d'examiner en détail l'acquisition de {X} par {C}.",
        ]),
        ("breach", &[
            "{A} a indiqué {D} que des pirates informatiques avaient visé {C} et dérobé les données de {N} millions de clients.",
            "{A} examine une fuite de données chez {C}, qui a exposé {D} les informations de {N} millions d'utilisateurs {R}.",
        ]),
    ],
    event_titles: &["{A} s'attaque à {C}"],
    follow: &["L'entreprise a déclaré qu'elle coopérerait avec les autorités et réexaminerait son activité de {P} {R}."],
    source: &["Selon les analystes de {W}, cette mesure pourrait peser sur les fournisseurs de {P} {R}."],
    passing: &["{W} a fait état d'une hausse de {N} % de ses commandes trimestrielles de {P}, portée par une forte demande {R}."],
    filler: &[
        "L'action {U} a gagné {n},{n} % à {N},{N} euros {D} à la Bourse de {T}, faisant mieux que l'indice {I}.",
        "{U} a annoncé un chiffre d'affaires en hausse de {N} % au troisième trimestre, à {N} millions d'euros, au-dessus des attentes.",
        "Le groupe s'attend à ce que la demande de {P} reste soutenue jusqu'à la fin de l'année, a déclaré son directeur général, {F}.",
        "Les analystes de {V} estiment que les perspectives des fabricants de {P} se sont améliorées après {N} trimestres de baisse des marges.",
        "Les rendements obligataires ont légèrement progressé, les investisseurs digérant de nouvelles données sur l'inflation {R}.",
        "{U} et {V} ont convenu en {M} de créer une coentreprise pour développer des {P} destinés aux clients {R}.",
        "Les perturbations des chaînes d'approvisionnement {R} ont pesé sur les livraisons de {P}, selon {V}.",
        "{F}, porte-parole de {U}, n'a pas souhaité commenter ces informations.",
        "Les volumes d'échanges sont restés faibles à la veille d'un jour férié à {T}, selon des courtiers.",
        "Basé à {T}, le groupe emploie environ {N}00 personnes et exploite {N} usines {R}.",
        "{W} prévoit d'ouvrir l'an prochain une nouvelle usine de {P} près de {T}, ce qui créerait environ {N}00 emplois.",
        "{W} a annoncé une hausse de {N} % de ses commandes de {P} sur le trimestre, soutenue par la demande {R}.",
        "Lors d'une conférence téléphonique, les dirigeants de {W} ont indiqué que les prix des {P} s'étaient stabilisés depuis {M}.",
        "{W} a nommé {F} directeur financier, avec effet en {M}.",
        "Le titre a gagné {N} % depuis le début de l'année, contre une progression de {n},{n} % pour le {I}.",
        "La concurrence de producteurs moins chers {R} pèse sur les marges dans les {P}, a écrit {F} dans une note aux clients.",
        "{U} se développe {R}, où il vend désormais des {P} à plus de {N}00 clients.",
    ],
    headlines: &[
        "{U} grimpe en Bourse, la demande de {P} tient bon",
        "{U} relève ses prévisions grâce aux commandes {R}",
        "{W} va construire une usine de {P} près de {T}",
        "La Bourse de {T} progresse avant la réunion de la banque centrale",
        "{U} et {V} s'allient dans les {P}",
        "{W} nomme {F} directeur financier",
    ],
    weekdays: &["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    months: &["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    cities: &["Londres", "Francfort", "Tokyo", "Singapour", "New York", "Zurich", "Séoul", "Paris", "Toronto", "Sydney", "Hong Kong", "Stockholm", "Milan", "Madrid"],
    regions: &["en Europe", "en Asie", "en Amérique du Nord", "en Amérique latine", "au Moyen-Orient", "en Afrique", "en Asie du Sud-Est", "dans les pays nordiques", "en Chine", "en Russie", "en Inde", "en Iran"],
    products: &["puces", "caméras de surveillance", "matériels de télécommunication", "batteries", "drones", "services cloud", "services de paiement", "robots industriels", "panneaux solaires", "dispositifs médicaux", "navires de fret", "liaisons satellitaires", "logiciels", "tubes en acier", "fertilisants", "moteurs d'avion"],
    indexes: INDEXES,
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
};

const ES: Tables = Tables {
    code: "es",
    cjk: false,
    native: None,
    agencies: &[
        ("us-commerce", &["el Departamento de Comercio de Estados Unidos", "la Oficina de Industria y Seguridad"]),
        ("us-treasury", &["el Departamento del Tesoro de Estados Unidos", "la Oficina de Control de Activos Extranjeros"]),
        ("us-justice", &["el Departamento de Justicia de Estados Unidos", "la fiscalía estadounidense"]),
        ("us-sec", &["la Comisión de Bolsa y Valores", "la SEC"]),
        ("us-ftc", &["la Comisión Federal de Comercio", "la FTC"]),
        ("us-fcc", &["la Comisión Federal de Comunicaciones", "la FCC"]),
        ("us-state", &["el Departamento de Estado de Estados Unidos"]),
        ("us-cfius", &["el Comité de Inversiones Extranjeras en Estados Unidos"]),
        ("eu-commission", &["la Comisión Europea", "el Ejecutivo comunitario"]),
        ("eu-council", &["el Consejo de la UE"]),
        ("uk-ofsi", &["el Tesoro británico", "la OFSI"]),
        ("uk-cma", &["la Autoridad de Competencia y Mercados", "el regulador británico de la competencia"]),
        ("uk-fca", &["la Autoridad de Conducta Financiera", "la FCA"]),
        ("un-security-council", &["el Consejo de Seguridad de la ONU"]),
        ("cn-mofcom", &["el Ministerio de Comercio de China"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} impuso {D} sanciones a {C} por ayudar presuntamente a compradores {R} a eludir los límites comerciales.",
            "{A} sancionó {D} a {C} por sus negocios con empresas estatales {R}.",
        ]),
        ("export-control", &[
            "{A} impuso {D} restricciones a la exportación a {C} y le cortó el acceso a {P} de origen estadounidense.",
            "{A} incluyó {D} a {C} en su lista de entidades, alegando riesgos para la seguridad nacional vinculados a sus {P}.",
        ]),
        ("ban", &[
            "{A} prohibió {D} a {C} vender sus {P} en el país, alegando riesgos de seguridad.",
            "{A} vetó {D} a {C} en los concursos públicos durante {N} años.",
        ]),
        ("fine", &[
            "{A} impuso {D} una multa de {N} millones de euros a {C} por ocultar riesgos de su negocio de {P}.",
            "{A} multó {D} a {C} con {N} millones de dólares por engañar a clientes {R}.",
        ]),
        ("lawsuit", &[
            "{A} presentó una demanda contra {C} {D}, acusándola de engañar a los inversores sobre las ventas de {P}.",
            "{A} interpuso una demanda contra {C} {D} para frenar la compra prevista de {X}.",
        ]),
        ("investigation", &[
            "{A} abrió {D} una investigación sobre {C} por sus precios de {P} {R}.",
            "{A} investiga a {C} por pagos a funcionarios {R}, según personas familiarizadas con el asunto.",
        ]),
        ("exit", &[
            "{C} anunció {D} su salida de Rusia después de que {A} le ordenara vender su negocio de {P}.",
            "{C} abandonó el mercado ruso {D} después de que {A} rechazara renovar su licencia.",
        ]),
        ("acquisition", &[
            "{A} autorizó {D} la adquisición de {X} por parte de {C}, con la condición de que venda su negocio de {P}.",
            "{A} anunció {D} que revisará la adquisición de {X} por parte de {C} antes de aprobar la operación.",
        ]),
        ("breach", &[
            "{A} informó {D} de que unos piratas informáticos accedieron a los sistemas de {C} y robaron datos de {N} millones de clientes.",
            "{A} examina una filtración de datos en {C} que dejó expuestos {D} los registros de {N} millones de usuarios {R}.",
        ]),
    ],
    event_titles: &["{A} actúa contra {C}"],
    follow: &["La empresa afirmó que cooperará con las autoridades y revisará su negocio de {P} {R}."],
    source: &["Analistas de {W} señalaron que la medida podría afectar a los proveedores de {P} {R}."],
    passing: &["{W} registró un aumento del {N} % en sus pedidos trimestrales de {P}, impulsado por la fuerte demanda {R}."],
    filler: &[
        "Las acciones de {U} subieron un {n},{n} % hasta {N},{N} euros {D} en la bolsa de {T}, por encima del índice {I}.",
        "{U} informó de que sus ingresos del tercer trimestre crecieron un {N} % hasta {N} millones de euros, por encima de lo previsto.",
        "La compañía espera que la demanda de {P} se mantenga firme hasta final de año, dijo a los periodistas su consejero delegado, {F}.",
        "Los analistas de {V} creen que las perspectivas de los fabricantes de {P} han mejorado tras {N} trimestres de caída de los márgenes.",
        "La rentabilidad de la deuda pública subió ligeramente mientras los inversores analizaban nuevos datos de inflación {R}.",
        "{U} y {V} acordaron en {M} crear una empresa conjunta para desarrollar {P} para clientes {R}.",
        "Los problemas en las cadenas de suministro {R} han frenado las entregas de {P}, según {V}.",
        "{F}, portavoz de {U}, declinó hacer comentarios sobre la información.",
        "El volumen de negociación fue reducido ante un día festivo en {T}, según operadores del mercado.",
        "El grupo, con sede en {T}, emplea a unas {N}00 personas y tiene {N} plantas {R}.",
        "{W} prevé abrir el año que viene una nueva planta de {P} cerca de {T}, lo que creará unos {N}00 empleos.",
        "{W} registró un aumento del {N} % en los pedidos trimestrales de {P}, gracias al buen tono del mercado {R}.",
        "Los directivos de {W} explicaron en una conferencia telefónica que los precios de {P} se han estabilizado desde {M}.",
        "{W} nombró a {F} nuevo director financiero con efecto a partir de {M}.",
        "El valor acumula una subida del {N} % en lo que va de año, frente al {n},{n} % del {I}.",
        "La competencia de productores más baratos {R} ha reducido los márgenes en el negocio de {P}, escribió {F} en una nota a sus clientes.",
        "{U} se ha expandido {R}, donde ya vende {P} a más de {N}00 clientes.",
    ],
    headlines: &[
        "Las acciones de {U} suben por la solidez del mercado de {P}",
        "{U} eleva sus previsiones gracias a los pedidos {R}",
        "{W} construirá una planta de {P} cerca de {T}",
        "La bolsa de {T} sube antes de la reunión del banco central",
        "{U} y {V} se alían en el negocio de {P}",
        "{W} nombra a {F} director financiero",
    ],
    weekdays: &["el lunes", "el martes", "el miércoles", "el jueves", "el viernes"],
    months: &["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    cities: &["Londres", "Fráncfort", "Tokio", "Singapur", "Nueva York", "Zúrich", "Seúl", "París", "Toronto", "Sídney", "Hong Kong", "Estocolmo", "Milán", "Madrid"],
    regions: &["en Europa", "en Asia", "en Norteamérica", "en América Latina", "en Oriente Medio", "en África", "en el Sudeste Asiático", "en los países nórdicos", "en China", "en Rusia", "en la India", "en Irán"],
    products: &["chips", "cámaras de vigilancia", "equipos de telecomunicaciones", "baterías", "drones", "servicios en la nube", "servicios de pago", "robots industriales", "paneles solares", "dispositivos médicos", "buques de carga", "enlaces por satélite", "programas informáticos", "tubos de acero", "fertilizantes", "motores de avión"],
    indexes: INDEXES,
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
};

const IT: Tables = Tables {
    code: "it",
    cjk: false,
    native: None,
    agencies: &[
        ("us-commerce", &["il Dipartimento del Commercio americano", "il segretario al Commercio"]),
        ("us-treasury", &["il Tesoro americano", "il Dipartimento del Tesoro"]),
        ("us-justice", &["il Dipartimento di Giustizia americano", "la giustizia americana"]),
        ("us-sec", &["la SEC", "la Consob americana"]),
        ("us-ftc", &["la FTC", "l'Antitrust americano"]),
        ("us-fcc", &["la FCC", "la Commissione federale per le comunicazioni"]),
        ("us-state", &["il Dipartimento di Stato americano"]),
        ("us-cfius", &["il Comitato per gli investimenti esteri negli Stati Uniti"]),
        ("eu-commission", &["la Commissione europea", "l'esecutivo comunitario"]),
        ("eu-council", &["il Consiglio dell'Unione europea"]),
        ("uk-ofsi", &["il Tesoro britannico", "l'OFSI"]),
        ("uk-cma", &["l'Antitrust britannico", "la CMA"]),
        ("uk-fca", &["la FCA", "la Consob britannica"]),
        ("un-security-council", &["il Consiglio di sicurezza dell'Onu"]),
        ("cn-mofcom", &["il ministero del Commercio cinese"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} ha imposto {D} sanzioni contro {C}, accusata di aver aiutato acquirenti {R} ad aggirare i limiti commerciali.",
            "{A} ha sanzionato {D} {C} per i suoi rapporti con società statali {R}.",
        ]),
        ("export-control", &[
            "{A} ha imposto {D} restrizioni all'export nei confronti di {C}, tagliando il suo accesso ai {P} di fabbricazione occidentale.",
            "{A} ha deciso {D} controlli sulle esportazioni verso {C}, citando rischi per la sicurezza nazionale legati ai suoi {P}.",
        ]),
        ("ban", &[
            "{A} ha vietato {D} a {C} di vendere i suoi {P} nel Paese, citando rischi per la sicurezza.",
            "{A} ha messo al bando {C} {D} dalle gare pubbliche per {N} anni.",
        ]),
        ("fine", &[
            "{A} ha inflitto {D} una multa di {N} milioni di euro a {C} per aver taciuto i rischi della sua attività nei {P}.",
            "{A} ha multato {C} {D} per {N} milioni di dollari per aver ingannato i clienti {R}.",
        ]),
        ("lawsuit", &[
            "{A} ha fatto causa a {C} {D}, accusandola di aver ingannato gli investitori sulla domanda di {P}.",
            "{A} ha avviato {D} una causa contro {C} per bloccare l'acquisizione prevista di {X}.",
        ]),
        ("investigation", &[
            "{A} ha aperto {D} un'indagine su {C} per i prezzi dei suoi {P} {R}.",
            "{A} indaga su {C} per presunti pagamenti a funzionari {R}, secondo persone a conoscenza del dossier.",
        ]),
        ("exit", &[
            "{C} ha annunciato {D} l'uscita dalla Russia dopo che {A} le ha ordinato di cedere le attività nei {P}.",
            "{C} ha abbandonato la Russia {D} dopo che {A} ha rifiutato di rinnovarle la licenza.",
        ]),
        ("acquisition", &[
            "{A} ha autorizzato {D} l'acquisizione di {X} da parte di {C}, a condizione che venga ceduta l'attività nei {P}.",
            "{A} ha annunciato {D} che esaminerà l'acquisizione di {X} da parte di {C} prima di dare il via libera.",
        ]),
        ("breach", &[
            "{A} ha reso noto {D} che alcuni hacker hanno violato i sistemi di {C}, rubando i dati di {N} milioni di clienti.",
            "{A} esamina una violazione dei dati di {C} che {D} ha esposto le informazioni di {N} milioni di utenti {R}.",
        ]),
    ],
    event_titles: &["{A} contro {C}"],
    follow: &["La società ha detto che collaborerà con le autorità e rivedrà la propria attività nei {P} {R}."],
    source: &["Gli analisti di {W} ritengono che la mossa possa pesare sui fornitori di {P} {R}."],
    passing: &["{W} ha registrato un aumento del {N}% degli ordini trimestrali di {P}, sostenuto dalla forte domanda {R}."],
    filler: &[
        "Le azioni di {U} sono salite del {n},{n}% a {N},{N} euro {D} alla Borsa di {T}, meglio dell'indice {I}.",
        "{U} ha chiuso il terzo trimestre con ricavi in crescita del {N}% a {N} milioni di euro, sopra le attese.",
        "Il gruppo prevede che la domanda di {P} resti sostenuta fino alla fine dell'anno, ha detto l'amministratore delegato {F}.",
        "Gli analisti di {V} ritengono che le prospettive dei produttori di {P} siano migliorate dopo {N} trimestri di margini in calo.",
        "I rendimenti dei titoli di Stato sono saliti leggermente mentre gli investitori valutavano nuovi dati sull'inflazione {R}.",
        "{U} e {V} hanno concordato a {M} di creare una joint venture per sviluppare {P} destinati ai clienti {R}.",
        "Le difficoltà nelle catene di fornitura {R} hanno rallentato le consegne di {P}, secondo {V}.",
        "{F}, portavoce di {U}, non ha voluto commentare la notizia.",
        "Gli scambi sono stati modesti in vista di un giorno festivo a {T}, hanno riferito gli operatori.",
        "Il gruppo, con sede a {T}, impiega circa {N}00 persone e gestisce {N} stabilimenti {R}.",
        "{W} prevede di aprire il prossimo anno un nuovo impianto di {P} vicino a {T}, con circa {N}00 posti di lavoro.",
        "{W} ha registrato un aumento del {N}% degli ordini di {P} nel trimestre, grazie alla domanda {R}.",
        "In una conference call, i manager di {W} hanno detto che i prezzi dei {P} si sono stabilizzati da {M}.",
        "{W} ha nominato {F} nuovo direttore finanziario a partire da {M}.",
        "Da inizio anno il titolo guadagna il {N}%, contro un rialzo del {n},{n}% del {I}.",
        "La concorrenza di produttori a basso costo {R} comprime i margini nei {P}, ha scritto {F} in una nota ai clienti.",
        "{U} si sta espandendo {R}, dove ora vende {P} a oltre {N}00 clienti.",
    ],
    headlines: &[
        "{U} sale in Borsa, tiene la domanda di {P}",
        "{U} alza le stime grazie agli ordini {R}",
        "{W} costruirà un impianto di {P} vicino a {T}",
        "Borsa di {T} in rialzo in attesa della banca centrale",
        "{U} e {V} alleati nei {P}",
        "{W} nomina {F} direttore finanziario",
    ],
    weekdays: &["lunedì", "martedì", "mercoledì", "giovedì", "venerdì"],
    months: &["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    cities: &["Londra", "Francoforte", "Tokyo", "Singapore", "New York", "Zurigo", "Seul", "Parigi", "Toronto", "Sydney", "Hong Kong", "Stoccolma", "Milano", "Madrid"],
    regions: &["in Europa", "in Asia", "in Nord America", "in America Latina", "in Medio Oriente", "in Africa", "nel Sud-est asiatico", "nei Paesi nordici", "in Cina", "in Russia", "in India", "in Iran"],
    products: &["chip", "sistemi di videosorveglianza", "sistemi di telecomunicazione", "pacchi batteria", "droni", "servizi cloud", "servizi di pagamento", "robot industriali", "pannelli solari", "dispositivi medici", "collegamenti satellitari", "software", "tubi d'acciaio", "fertilizzanti", "motori per aerei"],
    indexes: INDEXES,
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
};

const PT: Tables = Tables {
    code: "pt",
    cjk: false,
    native: None,
    agencies: &[
        ("us-commerce", &["o Departamento de Comércio dos EUA", "o Escritório de Indústria e Segurança"]),
        ("us-treasury", &["o Departamento do Tesouro dos EUA", "o Tesouro americano"]),
        ("us-justice", &["o Departamento de Justiça dos EUA", "a Justiça americana"]),
        ("us-sec", &["a SEC", "a Comissão de Valores Mobiliários dos EUA"]),
        ("us-ftc", &["a FTC", "a Comissão Federal de Comércio"]),
        ("us-fcc", &["a FCC", "a Comissão Federal de Comunicações"]),
        ("us-state", &["o Departamento de Estado dos EUA"]),
        ("us-cfius", &["o Comitê de Investimento Estrangeiro nos Estados Unidos"]),
        ("eu-commission", &["a Comissão Europeia", "o Executivo comunitário"]),
        ("eu-council", &["o Conselho da União Europeia"]),
        ("uk-ofsi", &["o Tesouro britânico", "o OFSI"]),
        ("uk-cma", &["a Autoridade de Concorrência e Mercados", "o regulador britânico da concorrência"]),
        ("uk-fca", &["a FCA", "o regulador financeiro britânico"]),
        ("un-security-council", &["o Conselho de Segurança da ONU"]),
        ("cn-mofcom", &["o Ministério do Comércio da China"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} impôs {D} sanções à {C}, acusada de ajudar compradores {R} a contornar limites comerciais.",
            "{A} sancionou {D} a {C} por negócios com empresas estatais {R}.",
        ]),
        ("export-control", &[
            "{A} impôs {D} restrições à exportação contra a {C}, cortando o acesso da empresa a {P} de origem americana.",
            "{A} anunciou {D} controles de exportação contra a {C}, citando riscos à segurança nacional ligados à venda de {P}.",
        ]),
        ("ban", &[
            "{A} proibiu {D} a {C} de vender {P} no país, citando riscos de segurança.",
            "{A} baniu a {C} de licitações públicas por {N} anos, informou o órgão {D}.",
        ]),
        ("fine", &[
            "{A} aplicou {D} uma multa de {N} milhões de euros à {C} por ocultar riscos do negócio de {P}.",
            "{A} multou {D} a {C} em {N} milhões de dólares por enganar clientes {R}.",
        ]),
        ("lawsuit", &[
            "{A} moveu uma ação contra a {C} {D}, acusando a empresa de enganar investidores sobre a demanda por {P}.",
            "{A} abriu processo contra a {C} {D} para barrar a compra planejada da {X}.",
        ]),
        ("investigation", &[
            "{A} abriu {D} uma investigação sobre a {C} por causa dos preços de {P} {R}.",
            "{A} investiga a {C} por supostos pagamentos a autoridades {R}, de acordo com pessoas a par do assunto.",
        ]),
        ("exit", &[
            "A {C} anunciou {D} a saída da Rússia depois que {A} ordenou a venda de sua divisão de {P}.",
            "A {C} deixou o mercado russo {D} depois que {A} se recusou a renovar sua licença de operação.",
        ]),
        ("acquisition", &[
            "{A} aprovou {D} a aquisição da {X} pela {C}, com a condição de que a empresa venda o negócio de {P}.",
            "{A} informou {D} que vai analisar a aquisição da {X} pela {C} antes de aprovar o negócio.",
        ]),
        ("breach", &[
            "{A} informou {D} que um ataque hacker atingiu os sistemas da {C} e expôs dados de {N} milhões de clientes.",
            "{A} apura um vazamento de dados na {C} que expôs {D} registros de {N} milhões de usuários {R}.",
        ]),
    ],
    event_titles: &["{A} age contra a {C}"],
    follow: &["A empresa disse que vai cooperar com as autoridades e revisar o negócio de {P} {R}."],
    source: &["Analistas da {W} afirmaram que a medida pode pesar sobre fornecedores de {P} {R}."],
    passing: &["A {W} registrou alta de {N}% nas encomendas trimestrais de {P}, puxada pela forte demanda {R}."],
    filler: &[
        "As ações da {U} subiram {n},{n}% para {N},{N} euros {D} na bolsa de {T}, acima do índice {I}.",
        "A {U} informou que a receita do terceiro trimestre cresceu {N}%, para {N} milhões de euros, acima das estimativas.",
        "A empresa espera que a procura por {P} continue forte até o fim do ano, disse o presidente-executivo {F}.",
        "Analistas da {V} avaliam que as perspectivas dos fabricantes de {P} melhoraram após {N} trimestres de margens em queda.",
        "Os rendimentos dos títulos públicos subiram levemente enquanto investidores avaliavam novos dados de inflação {R}.",
        "A {U} e a {V} acertaram em {M} a criação de uma joint venture para desenvolver {P} para clientes {R}.",
        "Problemas nas cadeias de suprimento {R} atrasaram as entregas de {P}, segundo a {V}.",
        "{F}, porta-voz da {U}, preferiu não comentar a informação.",
        "O volume de negócios foi fraco antes de um feriado em {T}, disseram operadores.",
        "Com sede em {T}, o grupo emprega cerca de {N}00 pessoas e opera {N} fábricas {R}.",
        "A {W} planeja abrir no próximo ano uma nova fábrica de {P} perto de {T}, criando cerca de {N}00 empregos.",
        "A {W} registrou alta de {N}% nos pedidos de {P} no trimestre, com a demanda firme {R}.",
        "Em teleconferência, executivos da {W} disseram que os preços de {P} se estabilizaram desde {M}.",
        "A {W} nomeou {F} como novo diretor financeiro a partir de {M}.",
        "A ação acumula alta de {N}% no ano, contra avanço de {n},{n}% do {I}.",
        "A concorrência de produtores mais baratos {R} tem pressionado as margens no segmento de {P}, escreveu {F} em nota a clientes.",
        "A {U} vem se expandindo {R}, onde já vende {P} para mais de {N}00 clientes.",
    ],
    headlines: &[
        "Ações da {U} sobem com demanda firme por {P}",
        "{U} eleva projeções com pedidos {R}",
        "{W} vai construir fábrica de {P} perto de {T}",
        "Bolsa de {T} sobe antes de reunião do banco central",
        "{U} e {V} se unem no segmento de {P}",
        "{W} nomeia {F} diretor financeiro",
    ],
    weekdays: &["na segunda-feira", "na terça-feira", "na quarta-feira", "na quinta-feira", "na sexta-feira"],
    months: &["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
    cities: &["Londres", "Frankfurt", "Tóquio", "Singapura", "Nova York", "Zurique", "Seul", "Paris", "Toronto", "Sydney", "Hong Kong", "Estocolmo", "Milão", "Madri"],
    regions: &["na Europa", "na Ásia", "na América do Norte", "na América Latina", "no Oriente Médio", "na África", "no Sudeste Asiático", "nos países nórdicos", "na China", "na Rússia", "na Índia", "no Irã"],
    products: &["chips", "câmeras de vigilância", "equipamentos de telecomunicações", "baterias", "drones", "serviços de nuvem", "serviços de pagamento", "robôs industriais", "painéis solares", "dispositivos médicos", "navios de carga", "links de satélite", "software", "tubos de aço", "fertilizantes", "motores de avião"],
    indexes: INDEXES,
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
};

const RU: Tables = Tables {
    code: "ru",
    cjk: false,
    native: Some(Script::Cyrillic),
    agencies: &[
        ("us-commerce", &["министерство торговли США#n", "Бюро промышленности и безопасности#n"]),
        ("us-treasury", &["минфин США#m", "Управление по контролю за иностранными активами#n"]),
        ("us-justice", &["министерство юстиции США#n", "ФБР#n"]),
        ("us-sec", &["Комиссия по ценным бумагам и биржам США#f", "SEC#f"]),
        ("us-ftc", &["Федеральная торговая комиссия#f", "FTC#f"]),
        ("us-fcc", &["Федеральная комиссия по связи#f"]),
        ("us-state", &["госдепартамент США#m"]),
        ("us-cfius", &["Комитет по иностранным инвестициям в США#m"]),
        ("eu-commission", &["Еврокомиссия#f", "Европейская комиссия#f"]),
        ("eu-council", &["Совет ЕС#m"]),
        ("uk-ofsi", &["минфин Великобритании#m", "британский минфин#m"]),
        ("uk-cma", &["Управление по конкуренции и рынкам#n"]),
        ("uk-fca", &["британский финансовый регулятор#m", "Управление по финансовому поведению#n"]),
        ("un-security-council", &["Совет Безопасности ООН#m", "СБ ООН#m"]),
        ("cn-mofcom", &["министерство коммерции КНР#n", "минкоммерции Китая#n"]),
    ],
    actions: &[
        ("sanction", &[
            "{A} {D} ввел{g} санкции против компании {C}, обвинив ее в помощи покупателям {R} в обходе торговых правил.",
            "Компания {C} {D} попала под санкции: {A} указал{g} на ее связи с госкомпаниями {R}.",
        ]),
        ("export-control", &[
            "{A} {D} ввел{g} экспортные ограничения против компании {C}, лишив ее доступа к поставкам {P}.",
            "{A} {D} ужесточил{g} экспортный контроль в отношении компании {C}, сославшись на риски для национальной безопасности при поставках {P}.",
        ]),
        ("ban", &[
            "{A} {D} запретил{g} компании {C} продавать в стране продукцию из сегмента {P}, сославшись на угрозу безопасности.",
            "{A} {D} ввел{g} запрет на участие компании {C} в госзакупках.",
        ]),
        ("fine", &[
            "{A} {D} оштрафовал{g} компанию {C} на {N} млн евро за сокрытие рисков в бизнесе по выпуску {P}.",
            "{A} {D} наложил{g} на компанию {C} штраф в размере {N} млн долларов за введение в заблуждение клиентов {R}.",
        ]),
        ("lawsuit", &[
            "{A} {D} подал{g} иск против компании {C}, обвинив ее во введении инвесторов в заблуждение относительно продаж {P}.",
            "{A} {D} подал{g} в суд на компанию {C}, чтобы сорвать покупку компании {X}.",
        ]),
        ("investigation", &[
            "{A} {D} начал{g} расследование в отношении компании {C} из-за цен на рынке {P} {R}.",
            "{A} расследует платежи компании {C} чиновникам {R}, сообщили источники, знакомые с ситуацией.",
        ]),
        ("exit", &[
            "Компания {C} уходит из России после того, как {A} потребовал{g} продать ее подразделение по выпуску {P}, сообщила компания {D}.",
            "Компания {C} {D} ушла с российского рынка после того, как {A} отказал{g} в продлении ее лицензии.",
        ]),
        ("acquisition", &[
            "{A} {D} одобрил{g} приобретение компании {X} компанией {C} при условии продажи бизнеса по выпуску {P}.",
            "{A} {D} заявил{g}, что изучит сделку по приобретению компании {X} компанией {C} до ее одобрения.",
        ]),
        ("breach", &[
            "{A} {D} сообщил{g}, что хакеры взломали системы компании {C} и похитили данные {N} млн клиентов.",
            "{A} изучает утечку данных в компании {C}, из-за которой {D} были раскрыты сведения о {N} млн пользователей {R}.",
        ]),
    ],
    event_titles: &["{A} против компании {C}"],
    follow: &["В компании заявили, что будут сотрудничать с властями и пересмотрят бизнес по выпуску {P} {R}."],
    source: &["Аналитики компании {W} считают, что это решение может ударить по поставщикам {P} {R}."],
    passing: &["Компания {W} сообщила о росте квартальных заказов на {N}% в сегменте {P} на фоне высокого спроса {R}."],
    filler: &[
        "Акции компании {U} {D} подорожали на {n},{n}% до {N},{N} доллара на торгах {T}, опередив индекс {I}.",
        "Выручка компании {U} в третьем квартале выросла на {N}% до {N} млн долларов, превысив ожидания рынка.",
        "Генеральный директор {F} ожидает, что спрос в сегменте {P} сохранится высоким до конца года.",
        "В банке {V} полагают, что перспективы производителей {P} улучшились после нескольких кварталов падения маржи.",
        "Доходность гособлигаций немного выросла: инвесторы оценивают свежие данные об инфляции {R}.",
        "Компании {U} и {V} в {M} договорились о создании совместного предприятия по выпуску {P}.",
        "Перебои в цепочках поставок {R} замедлили отгрузки {P}, отмечают в компании {V}.",
        "Представитель компании {U} отказался от комментариев.",
        "Объем торгов был невысоким в преддверии праздника {T}, отмечают трейдеры.",
        "Группа со штаб-квартирой {T} насчитывает около {N}00 сотрудников и несколько заводов {R}.",
        "Компания {W} планирует в следующем году открыть новый завод по выпуску {P} {R}, что создаст около {N}00 рабочих мест.",
        "Компания {W} сообщила, что квартальные заказы в сегменте {P} выросли на {N}% благодаря спросу {R}.",
        "Руководство компании {W} заявило, что цены в сегменте {P} стабилизировались с начала года.",
        "Новым финансовым директором компании {W} станет {F}.",
        "С начала года акции подорожали на {N}%, тогда как индекс {I} прибавил {n},{n}%.",
        "Конкуренция со стороны более дешевых производителей {R} давит на маржу в сегменте {P}, говорится в обзоре для клиентов.",
        "Компания {U} расширяет присутствие {R}, где у нее уже более {N}00 клиентов в сегменте {P}.",
    ],
    headlines: &[
        "Акции компании {U} растут на фоне спроса в сегменте {P}",
        "Компания {U} повысила прогноз благодаря заказам {R}",
        "Компания {W} построит новый завод {R}",
        "Биржа {T} растет в ожидании решения центробанка",
        "Компании {U} и {V} объединяют усилия в сегменте {P}",
        "У компании {W} новый финансовый директор",
    ],
    weekdays: &["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу"],
    months: &["январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре", "ноябре", "декабре"],
    cities: &["в Лондоне", "во Франкфурте", "в Токио", "в Сингапуре", "в Нью-Йорке", "в Цюрихе", "в Сеуле", "в Париже", "в Торонто", "в Сиднее", "в Гонконге", "в Стокгольме", "в Милане", "в Мадриде"],
    regions: &["в Европе", "в Азии", "в Северной Америке", "в Латинской Америке", "на Ближнем Востоке", "в Африке", "в Юго-Восточной Азии", "в Скандинавии", "в Китае", "в России", "в Индии", "в Иране"],
    products: &["микросхем", "камер видеонаблюдения", "телекоммуникационного оборудования", "аккумуляторов", "дронов", "облачных сервисов", "платежных сервисов", "промышленных роботов", "солнечных панелей", "медицинских изделий", "грузовых судов", "спутниковой связи", "программного обеспечения", "стальных труб", "удобрений", "авиадвигателей"],
    indexes: INDEXES,
    first_names: &["Анна Волкова", "Дмитрий Орлов", "Ольга Белова", "Сергей Кузнецов", "Елена Морозова", "Алексей Смирнов", "Мария Соколова", "Игорь Лебедев"],
    last_names: &[],
};

const ZH: Tables = Tables {
    code: "zh",
    cjk: true,
    native: Some(Script::Han),
    agencies: &[
        ("us-commerce", &["美国商务部", "美国商务部工业和安全局"]),
        (
            "us-treasury",
            &["美国财政部", "美国财政部海外资产控制办公室"],
        ),
        ("us-justice", &["美国司法部", "美国联邦检察官"]),
        ("us-sec", &["美国证券交易委员会", "美国证交会"]),
        ("us-ftc", &["美国联邦贸易委员会"]),
        ("us-fcc", &["美国联邦通信委员会"]),
        ("us-state", &["美国国务院"]),
        ("us-cfius", &["美国外国投资委员会"]),
        ("eu-commission", &["欧盟委员会", "欧委会"]),
        ("eu-council", &["欧盟理事会"]),
        ("uk-ofsi", &["英国金融制裁执行办公室", "英国财政部"]),
        ("uk-cma", &["英国竞争与市场管理局"]),
        ("uk-fca", &["英国金融行为监管局"]),
        ("un-security-council", &["联合国安理会"]),
        ("cn-mofcom", &["中国商务部", "商务部"]),
    ],
    actions: &[
        (
            "sanction",
            &[
                "{A}{D}宣布对{C}实施制裁，指其帮助{R}买家规避贸易规则。",
                "{C}{D}遭{A}制裁，原因是其与{R}国有企业存在业务往来。",
            ],
        ),
        (
            "export-control",
            &[
                "{A}{D}将{C}列入实体清单，理由是其{P}业务危及国家安全。",
                "{A}{D}对{C}实施出口管制，切断其获取{P}的渠道。",
            ],
        ),
        (
            "ban",
            &[
                "{A}{D}禁止{C}在境内销售{P}，理由是存在安全风险。",
                "{A}{D}宣布{N}年内禁止{C}参与政府采购项目。",
            ],
        ),
        (
            "fine",
            &[
                "{A}{D}对{C}处以{N}00万欧元罚款，原因是其隐瞒了{P}业务的风险。",
                "{C}{D}被{A}罚款{N}00万美元，因其误导{R}客户。",
            ],
        ),
        (
            "lawsuit",
            &[
                "{A}{D}对{C}提起诉讼，指其在{P}销售问题上误导投资者。",
                "{A}{D}起诉{C}，试图阻止其收购{X}的计划。",
            ],
        ),
        (
            "investigation",
            &[
                "{A}{D}对{C}展开调查，涉及其在{R}的{P}定价问题。",
                "知情人士称，{A}正在调查{C}向{R}官员付款的问题。",
            ],
        ),
        (
            "exit",
            &[
                "{C}{D}表示，在{A}责令其出售{P}业务后，公司将撤出俄罗斯。",
                "由于{A}拒绝为其续发经营许可，{C}{D}宣布退出中国市场。",
            ],
        ),
        (
            "acquisition",
            &[
                "{A}{D}批准{C}收购{X}，条件是{C}出售旗下{P}业务。",
                "{A}{D}表示，将在批准前审查{C}对{X}的收购案。",
            ],
        ),
        (
            "breach",
            &[
                "{A}{D}称，黑客入侵了{C}的系统，窃取了{N}00万名客户的数据。",
                "{A}{D}证实，{C}发生数据泄露，{R}约{N}00万名用户的记录外泄。",
            ],
        ),
    ],
    event_titles: &["{A}对{C}采取行动"],
    follow: &["该公司表示将配合有关部门，并重新评估其在{R}的{P}业务。"],
    source: &["据{W}分析师称，此举可能拖累{R}的{P}供应商。"],
    passing: &["{W}第三季度{P}订单增长{N}%，主要受{R}强劲需求带动。"],
    filler: &[
        "{U}股价{D}在{T}交易中上涨{n}.{n}%，至{N}.{N}美元，表现优于{I}指数。",
        "{U}表示，第三季度营收增长{N}%，至{N}亿美元，高于市场预期。",
        "公司首席执行官{F}对记者表示，预计{P}需求在年底前将保持强劲。",
        "{V}的分析师认为，在利润率连续{N}个季度下滑之后，{P}制造商的前景已有所改善。",
        "投资者权衡{R}最新的通胀和消费数据，国债收益率小幅走高。",
        "{U}与{V}于{M}同意成立合资企业，为{R}客户开发{P}。",
        "据{V}称，{R}供应链中断拖累了{P}的交付。",
        "{U}发言人{F}未就相关报道置评。",
        "由于{T}即将迎来公众假期，市场交投清淡。",
        "这家总部位于{T}的集团拥有约{N}00名员工，在{R}运营{n}家工厂。",
        "{W}计划明年在{T}附近新建一座{P}工厂，预计创造约{N}00个就业岗位。",
        "{W}公布，受{R}需求强劲推动，季度{P}订单增长{N}%。",
        "{W}高管在电话会议上表示，{P}价格自{M}以来已趋于稳定。",
        "{W}任命{F}为新任首席财务官，自{M}起生效。",
        "该股今年迄今累计上涨{N}%，同期{I}指数上涨{n}.{n}%。",
        "{F}在致客户的报告中写道，来自{R}低成本厂商的竞争挤压了{P}的利润率。",
        "{U}正在{R}扩张，目前已向超过{N}00家客户供应{P}。",
    ],
    headlines: &[
        "{P}需求稳健，{U}股价走高",
        "{R}订单强劲，{U}上调业绩预期",
        "{W}将在{T}附近新建{P}工厂",
        "央行会议前夕{T}股市走高",
        "{U}与{V}联手开发{P}",
        "{W}任命{F}为首席财务官",
    ],
    weekdays: &["周一", "周二", "周三", "周四", "周五"],
    months: &[
        "一月",
        "二月",
        "三月",
        "四月",
        "五月",
        "六月",
        "七月",
        "八月",
        "九月",
        "十月",
        "十一月",
        "十二月",
    ],
    cities: &[
        "伦敦",
        "法兰克福",
        "东京",
        "新加坡",
        "纽约",
        "苏黎世",
        "首尔",
        "巴黎",
        "多伦多",
        "悉尼",
        "香港",
        "斯德哥尔摩",
        "米兰",
        "马德里",
    ],
    regions: &[
        "欧洲",
        "亚洲",
        "北美",
        "拉丁美洲",
        "中东",
        "非洲",
        "东南亚",
        "北欧",
        "中国",
        "俄罗斯",
        "印度",
        "伊朗",
    ],
    products: &[
        "芯片",
        "监控摄像头",
        "电信设备",
        "电池",
        "无人机",
        "云服务",
        "支付服务",
        "工业机器人",
        "太阳能电池板",
        "医疗器械",
        "货轮",
        "卫星通信",
        "软件",
        "钢管",
        "化肥",
        "航空发动机",
    ],
    indexes: &[
        "恒生",
        "日经225",
        "标普500",
        "富时100",
        "DAX",
        "斯托克600",
        "MSCI世界",
    ],
    first_names: &[
        "明", "静", "伟", "芳", "磊", "洁", "强", "敏", "丽华", "建国", "晓东", "海燕",
    ],
    last_names: &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"],
};

const JA: Tables = Tables {
    code: "ja",
    cjk: true,
    native: Some(Script::Katakana),
    agencies: &[
        ("us-commerce", &["米商務省", "米商務省産業安全保障局"]),
        ("us-treasury", &["米財務省", "米財務省外国資産管理局"]),
        ("us-justice", &["米司法省", "米連邦捜査局"]),
        ("us-sec", &["米証券取引委員会"]),
        ("us-ftc", &["米連邦取引委員会"]),
        ("us-fcc", &["米連邦通信委員会"]),
        ("us-state", &["米国務省"]),
        ("us-cfius", &["対米外国投資委員会"]),
        ("eu-commission", &["欧州委員会"]),
        ("eu-council", &["EU理事会"]),
        ("uk-ofsi", &["英金融制裁執行局", "英財務省"]),
        ("uk-cma", &["英競争・市場庁"]),
        ("uk-fca", &["英金融行動監視機構"]),
        ("un-security-council", &["国連安全保障理事会", "国連安保理"]),
        ("cn-mofcom", &["中国商務省"]),
    ],
    actions: &[
        ("sanction", &[
            "{A}は{D}、{R}の買い手による貿易ルールの回避を助けたとして{C}に制裁を科した。",
            "{C}は{D}、{R}の国有企業との取引を理由に{A}の制裁対象に指定された。",
        ]),
        ("export-control", &[
            "{A}は{D}、安全保障上の懸念を理由に{C}をエンティティー・リストに追加した。",
            "{A}は{D}、{C}に対する輸出規制を発表し、同社による{P}の調達を制限した。",
        ]),
        ("ban", &[
            "{A}は{D}、安全上のリスクを理由に{C}による国内での{P}の販売を禁止した。",
            "{A}は{D}、{C}を{N}年間にわたり政府調達から排除すると発表した。",
        ]),
        ("fine", &[
            "{A}は{D}、{P}事業のリスクを隠したとして{C}に{N}00万ユーロの罰金を科した。",
            "{C}は{D}、{R}の顧客を誤解させたとして{A}から{N}00万ドルの制裁金を科された。",
        ]),
        ("lawsuit", &[
            "{A}は{D}、{P}の販売について投資家を欺いたとして{C}を提訴した。",
            "{A}は{D}、{X}の買収計画を阻止するため{C}を相手取って訴えを起こした。",
        ]),
        ("investigation", &[
            "{A}は{D}、{R}における{P}の価格設定をめぐり{C}の調査を開始した。",
            "関係者によると、{A}は{R}の当局者への支払いをめぐり{C}を捜査している。",
        ]),
        ("exit", &[
            "{C}は{D}、{A}から{P}事業の売却を命じられたことを受け、ロシアから撤退すると発表した。",
            "{C}は{D}、{A}が営業許可の更新を拒んだため中国市場から撤退した。",
        ]),
        ("acquisition", &[
            "{A}は{D}、{P}事業の売却を条件に{C}による{X}の買収を承認した。",
            "{A}は{D}、{C}による{X}の買収について承認前に審査すると表明した。",
        ]),
        ("breach", &[
            "{A}は{D}、ハッカーが{C}のシステムに侵入し、{N}00万人分の顧客データを盗んだと発表した。",
            "{C}は{D}、{R}の利用者{N}00万人分の記録が流出したとして{A}に情報漏えいを報告した。",
        ]),
    ],
    event_titles: &["{A}、{C}に措置"],
    follow: &["同社は当局に協力し、{R}の{P}事業を見直す方針を示した。"],
    source: &["調査会社{W}によると、今回の措置は{R}の{P}メーカーに打撃となる可能性がある。"],
    passing: &["{W}は、{R}での旺盛な需要を背景に{P}の四半期受注が{N}%増えたと発表した。"],
    filler: &[
        "{U}の株価は{D}、{T}市場で{n}.{n}%上昇し{N}.{N}ドルとなり、{I}指数を上回った。",
        "{U}は、第3四半期の売上高が前年同期比{N}%増の{N}00万ドルとなり、市場予想を上回ったと発表した。",
        "{F}最高経営責任者は記者団に対し、{P}の需要は年末まで堅調に推移するとの見通しを示した。",
        "{V}のアナリストは、利益率が{N}四半期連続で低下した後、{P}メーカーの見通しは改善したと指摘した。",
        "{R}のインフレや個人消費の最新データを見極めようとする動きから、国債利回りは小幅に上昇した。",
        "{U}と{V}は{M}、{R}の顧客向けに{P}を開発する合弁会社の設立で合意した。",
        "{V}によると、{R}のサプライチェーンの混乱が{P}の出荷に影響している。",
        "{U}の広報担当者である{F}氏は、報道についてコメントを控えた。",
        "{T}の祝日を前に商いは薄く、市場関係者は様子見姿勢を強めた。",
        "{T}に本社を置く同グループは約{N}00人の従業員を抱え、{R}で{n}カ所の工場を運営している。",
        "{W}は来年、{T}近郊に{P}の新工場を開設し、約{N}00人を雇用する計画だ。",
        "{W}は、{R}の需要が堅調だったことから{P}の四半期受注が{N}%増加したと明らかにした。",
        "{W}の幹部は電話会議で、{P}の価格は{M}以降安定していると述べた。",
        "{W}は{F}氏を新たな最高財務責任者に起用し、{M}付で就任すると発表した。",
        "株価は年初来で{N}%上昇しており、{I}指数の{n}.{n}%上昇を上回っている。",
        "{F}氏は顧客向けリポートで、{R}の低価格メーカーとの競争が{P}の利益率を圧迫していると指摘した。",
        "{U}は{R}で事業を拡大しており、現在は{N}00社を超える顧客に{P}を供給している。",
    ],
    headlines: &[
        "{U}株が上昇、{P}需要が堅調",
        "{U}、{R}の受注好調で業績予想を上方修正",
        "{W}、{T}近郊に{P}の新工場",
        "{T}株式市場、中銀会合を前に上昇",
        "{U}と{V}、{P}で提携",
        "{W}、{F}氏を財務責任者に起用",
    ],
    weekdays: &["月曜日", "火曜日", "水曜日", "木曜日", "金曜日"],
    months: &["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
    cities: &["ロンドン", "フランクフルト", "東京", "シンガポール", "ニューヨーク", "チューリヒ", "ソウル", "パリ", "トロント", "シドニー", "香港", "ストックホルム", "ミラノ", "マドリード"],
    regions: &["欧州", "アジア", "北米", "中南米", "中東", "アフリカ", "東南アジア", "北欧", "中国", "ロシア", "インド", "イラン"],
    products: &["半導体", "監視カメラ", "通信機器", "電池", "ドローン", "クラウドサービス", "決済サービス", "産業用ロボット", "太陽光パネル", "医療機器", "貨物船", "衛星通信", "ソフトウエア", "鋼管", "肥料", "航空機エンジン"],
    indexes: &["日経平均", "TOPIX", "S&P500", "DAX", "ハンセン", "ストックス600", "MSCIワールド"],
    first_names: &["健一", "美咲", "大輔", "由美", "翔太", "直子", "拓也", "恵"],
    last_names: &["佐藤", "鈴木", "高橋", "田中", "渡辺", "山本", "中村", "小林"],
};
