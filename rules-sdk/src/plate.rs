//! Licence plates: normalisation on construction, the shapes of Chinese and
//! Korean plates, and an edit distance that knows how cameras misread them.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest plate accepted, in characters.
pub const MAX_PLATE_CHARS: usize = 16;

/// A normalised licence plate: ASCII letters in capitals, full-width forms
/// folded to ASCII, separators removed; only ASCII letters and digits, CJK
/// ideographs (Chinese province characters) and Hangul syllables remain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plate(String);

/// The shape of a plate, as far as its characters tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateKind {
    /// Province character, letter, five characters: `粤B12345`.
    China,
    /// Province character, letter, six characters: `粤BD12345`.
    ChinaNewEnergy,
    /// Optional region, two or three digits, a Hangul syllable, four digits:
    /// `12가3456`, `서울12가3456`.
    Korea,
    /// Anything else.
    Other,
}

impl Plate {
    /// Normalises and checks a plate as read by a camera or typed by a person.
    pub fn parse(raw: &str) -> Result<Plate, String> {
        let mut out = String::with_capacity(raw.len());
        let mut len = 0usize;
        for c in raw.chars() {
            let c = match fold_full_width(c) {
                ' ' | '\u{3000}' | '·' | '•' | '-' | '.' | '_' => continue,
                c @ 'a'..='z' => c.to_ascii_uppercase(),
                c @ ('A'..='Z' | '0'..='9') => c,
                c if is_cjk(c) || is_hangul(c) => c,
                c => {
                    return Err(format!(
                        "plate `{raw}` has `{}`, which no plate carries",
                        shown(c)
                    ));
                }
            };
            out.push(c);
            len += 1;
        }
        if len < 2 {
            return Err(format!("plate `{raw}` is too short to be a plate"));
        }
        if len > MAX_PLATE_CHARS {
            return Err(format!(
                "plate `{raw}` is longer than {MAX_PLATE_CHARS} characters"
            ));
        }
        Ok(Plate(out))
    }

    /// The normalised plate.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised plate, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The leading non-ASCII characters: a Chinese province (`粤`) or a Korean
    /// region (`서울`). `None` when the plate starts with a letter or digit.
    pub fn region(&self) -> Option<&str> {
        let end = self
            .0
            .char_indices()
            .find(|(_, c)| c.is_ascii())
            .map_or(self.0.len(), |(i, _)| i);
        (end > 0).then(|| &self.0[..end])
    }

    /// The plate's shape.
    pub fn kind(&self) -> PlateKind {
        let chars: Vec<char> = self.0.chars().collect();
        let ascii_alnum = |s: &[char]| s.iter().all(char::is_ascii_alphanumeric);
        let digits = |s: &[char]| s.iter().all(char::is_ascii_digit);
        match chars.as_slice() {
            [p, l, rest @ ..] if is_cjk(*p) && l.is_ascii_uppercase() && ascii_alnum(rest) => {
                match rest.len() {
                    5 => PlateKind::China,
                    6 => PlateKind::ChinaNewEnergy,
                    _ => PlateKind::Other,
                }
            }
            _ => {
                let start = chars.iter().take_while(|c| is_hangul(**c)).count();
                let body = &chars[start..];
                let hangul_at = body.iter().position(|c| is_hangul(*c));
                match hangul_at {
                    Some(i @ (2 | 3))
                        if start != 1
                            && start <= 2
                            && body.len() == i + 5
                            && digits(&body[..i])
                            && digits(&body[i + 1..]) =>
                    {
                        PlateKind::Korea
                    }
                    _ => PlateKind::Other,
                }
            }
        }
    }

    /// Whether this is a Chinese new-energy (green, eight-character) plate.
    pub fn is_new_energy(&self) -> bool {
        self.kind() == PlateKind::ChinaNewEnergy
    }
}

impl TryFrom<String> for Plate {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Plate::parse(&raw)
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Plate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Plate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Plate::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A character as an error message shows it: control characters by code.
fn shown(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}')
}

/// Characters a licence-plate camera confuses with each other.
const CONFUSABLE: &[&[char]] = &[
    &['0', 'O', 'D', 'Q'],
    &['1', 'I', 'L'],
    &['2', 'Z'],
    &['5', 'S'],
    &['8', 'B'],
    &['6', 'G'],
    &['4', 'A'],
    &['7', 'T'],
    &['U', 'V'],
];

/// The cost of a wrong ASCII character that is not a known confusion.
pub const COST_WRONG: u32 = 10;
/// The cost of a known LPR confusion (`0`/`O`/`D`/`Q`, `8`/`B`, ...).
pub const COST_CONFUSION: u32 = 3;
/// The cost of a wrong, missing or extra province character or Hangul
/// syllable: cameras often drop or misread them, so it weighs less than a
/// wrong serial character.
pub const COST_REGION: u32 = 4;

fn confusable(a: char, b: char) -> bool {
    CONFUSABLE
        .iter()
        .any(|group| group.contains(&a) && group.contains(&b))
}

fn substitution(a: char, b: char) -> u32 {
    if a == b {
        0
    } else if !a.is_ascii() && !b.is_ascii() {
        COST_REGION
    } else if confusable(a, b) {
        COST_CONFUSION
    } else {
        COST_WRONG
    }
}

fn indel(c: char) -> u32 {
    if c.is_ascii() {
        COST_WRONG
    } else {
        COST_REGION
    }
}

/// How far a camera's read `a` is from plate `b`: an edit distance whose
/// substitutions cost less for characters cameras confuse and whose
/// province/Hangul edits cost less than serial ones. 0 means equal.
pub fn lpr_distance(a: &Plate, b: &Plate) -> u32 {
    let a: Vec<char> = a.0.chars().collect();
    let b: Vec<char> = b.0.chars().collect();
    let mut prev: Vec<u32> = Vec::with_capacity(b.len() + 1);
    prev.push(0);
    for &c in &b {
        let last = prev[prev.len() - 1];
        prev.push(last + indel(c));
    }
    let mut cur = vec![0u32; b.len() + 1];
    for &ca in &a {
        cur[0] = prev[0] + indel(ca);
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + substitution(ca, cb))
                .min(prev[j + 1] + indel(ca))
                .min(cur[j] + indel(cb));
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Plate {
        Plate::parse(s).unwrap()
    }

    #[test]
    fn normalises_what_people_type() {
        assert_eq!(p(" 粤b·12345 ").as_str(), "粤B12345");
        assert_eq!(p("粤Ｂ１２３４５").as_str(), "粤B12345");
        assert_eq!(p("12 가 3456").as_str(), "12가3456");
        assert!(Plate::parse("粤B12345!").unwrap_err().contains("has `!`"));
        assert!(
            Plate::parse("粤B\u{7}1")
                .unwrap_err()
                .contains("has `U+0007`")
        );
        assert!(Plate::parse("").is_err());
        assert!(Plate::parse("A").is_err());
        assert!(Plate::parse("ABCDEFGHIJKLMNOPQ").is_err());
    }

    #[test]
    fn knows_plate_shapes() {
        assert_eq!(p("粤B12345").kind(), PlateKind::China);
        assert!(p("粤BD12345").is_new_energy());
        assert_eq!(p("12가3456").kind(), PlateKind::Korea);
        assert_eq!(p("123가4567").kind(), PlateKind::Korea);
        assert_eq!(p("서울12가3456").kind(), PlateKind::Korea);
        assert_eq!(p("ABC123").kind(), PlateKind::Other);
        assert_eq!(p("粤B12345").region(), Some("粤"));
        assert_eq!(p("서울12가3456").region(), Some("서울"));
        assert_eq!(p("12가3456").region(), None);
    }

    #[test]
    fn confusions_cost_less_than_wrong_characters() {
        let truth = p("粤B12345");
        assert_eq!(lpr_distance(&truth, &truth), 0);
        let confused = lpr_distance(&p("粤B1234S"), &truth);
        let wrong = lpr_distance(&p("粤B12349"), &truth);
        let province = lpr_distance(&p("湘B12345"), &truth);
        let missing_province = lpr_distance(&p("B12345"), &truth);
        assert_eq!(confused, COST_CONFUSION);
        assert_eq!(wrong, COST_WRONG);
        assert_eq!(province, COST_REGION);
        assert_eq!(missing_province, COST_REGION);
        assert!(confused < province && province < wrong);
        assert_eq!(lpr_distance(&p("12거3456"), &p("12가3456")), COST_REGION);
        assert_eq!(
            lpr_distance(&p("12가3456"), &p("서울12가3456")),
            2 * COST_REGION
        );
    }

    #[test]
    fn distance_is_symmetric() {
        let pairs = [
            ("粤B0D8Q1", "粤BOD8O1"),
            ("12가3456", "서울12가3458"),
            ("AB", "粤BD12345"),
        ];
        for (a, b) in pairs {
            assert_eq!(
                lpr_distance(&p(a), &p(b)),
                lpr_distance(&p(b), &p(a)),
                "{a} {b}"
            );
        }
    }
}
