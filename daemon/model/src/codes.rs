//! Codes from a barcode scanner or a person, read into a GTIN plus the other
//! GS1 application identifiers (AIs) they carry, for product lookups.
//!
//! Three forms are understood: a plain GTIN, a GS1 element string (bracketed
//! for humans, or unbracketed with GS separators and an optional AIM symbology
//! identifier as scanners send it) and an uncompressed GS1 Digital Link URI.

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::ids::{Gtin, IdError};

/// ASCII 29, the group separator that ends a variable-length field (FNC1).
const GS: char = '\u{1d}';

/// What was read from a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScannedCode {
    /// The trade item's GTIN (AI 01), in its 14-digit form.
    pub gtin: Gtin,
    /// The form the code came in.
    pub form: CodeForm,
    /// The other AIs as `(ai, value)` in input order, e.g. `("10", "LOT42")`.
    pub attributes: Vec<(String, String)>,
}

/// The form a code came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeForm {
    /// Digits of a GTIN-8, -12, -13 or -14 only.
    PlainGtin,
    /// A GS1 element string, bracketed or as a scanner transmits it.
    ElementString,
    /// An uncompressed GS1 Digital Link URI.
    DigitalLink,
}

/// Why a code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but whitespace.
    #[error("empty code, expected a GTIN, a GS1 element string or a GS1 Digital Link URI")]
    Empty,
    /// An AIM symbology identifier (`]xx`) that does not announce GS1 data.
    #[error("unknown symbology identifier `{0}`, expected ]C1, ]e0, ]d2, ]Q3 or ]E0 to ]E9")]
    UnknownSymbology(String),
    /// An application identifier missing from our table.
    #[error("unknown GS1 application identifier ({0})")]
    UnknownAi(String),
    /// A variable-length value longer than its AI allows.
    #[error("value of AI ({ai}) is longer than {max} characters")]
    ValueTooLong {
        /// The application identifier.
        ai: String,
        /// The longest value it allows.
        max: usize,
    },
    /// The code carries no AI 01.
    #[error("no GTIN (AI 01) in the code")]
    MissingGtin,
    /// The AI 01 value (or the plain digits) is not a valid GTIN.
    #[error("invalid GTIN: {0}")]
    InvalidGtin(#[from] IdError),
    /// The code does not follow the syntax of its form; the text says what was expected.
    #[error("{0}")]
    Malformed(String),
    /// A compressed GS1 Digital Link, which we cannot decode.
    #[error("compressed GS1 Digital Links are not supported, expected /01/ and a GTIN in the path")]
    CompressedDigitalLink,
}

/// Reads a code as given by a scanner or typed by a person: GTIN digits
/// (spaces allowed), a bracketed or unbracketed element string (GS as ASCII
/// 29, `<GS>` or `{GS}`; optional AIM prefix `]C1`, `]e0`, `]d2`, `]Q3`, or
/// `]E0`-`]E9` before EAN/UPC digits), or an http(s) Digital Link URI.
///
/// Surrounding whitespace (scanners often add CR/LF) is ignored.
pub fn parse_code(input: &str) -> Result<ScannedCode, CodeError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(CodeError::Empty);
    }
    if let Some(rest) = strip_scheme(s) {
        return parse_digital_link(rest);
    }
    if let Some(rest) = s.strip_prefix(']') {
        return parse_symbology(rest);
    }
    let compact: String = s.chars().filter(|&c| c != ' ').collect();
    if is_digits(&compact) {
        // No element string holding AI 01 is shorter than 16 digits, so up
        // to 14 digits can only be meant as a GTIN.
        return if compact.len() <= 14 { plain(&compact) } else { element_string(&compact) };
    }
    if s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '(' | GS | '<' | '{')) {
        return element_string(s);
    }
    Err(malformed("expected a GTIN, a GS1 element string or a GS1 Digital Link URI", s))
}

/// A fixed-length value's length, or a variable-length value's longest length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Len {
    Fixed(usize),
    Var(usize),
}

/// The AIs of the GS1 General Specifications that occur on trade items.
/// Only strings of 2-4 ASCII digits match. AIs are prefix-free, so the
/// shortest prefix of an unbracketed string that matches is its AI.
fn spec(ai: &str) -> Option<Len> {
    use Len::{Fixed as F, Var as V};
    let len = match ai.as_bytes() {
        b"00" => F(18),
        b"01" | b"02" | b"03" | b"8001" => F(14),
        b"11" | b"12" | b"13" | b"15" | b"16" | b"17" | b"7006" | b"8005" => F(6),
        b"20" => F(2),
        b"10" | b"21" | b"22" | b"243" | b"254" | b"420" | b"7240" | b"8002" | b"8012" => V(20),
        b"235" => V(28),
        b"240" | b"241" | b"250" | b"251" | b"253" | b"400" | b"401" | b"403" => V(30),
        b"7002" | b"8003" | b"8004" | b"90" => V(30),
        b"242" => V(6),
        b"255" | b"8013" | b"8020" => V(25),
        b"30" | b"37" => V(8),
        // 31nn-36nn and 39nn: measures and amounts; the last digit is the
        // number of decimals (or, for 391n/393n, a currency prefix follows).
        [b'3', b'1'..=b'6', b'0'..=b'9', b'0'..=b'9'] | [b'3', b'9', b'5', b'0'..=b'9'] => F(6),
        [b'3', b'9', b'0' | b'2', b'0'..=b'9'] | b"423" | b"425" => V(15),
        [b'3', b'9', b'1' | b'3', b'0'..=b'9'] => V(18),
        [b'3', b'9', b'4', b'0'..=b'9'] => F(4),
        [b'4', b'1', b'0'..=b'7'] | b"7001" => F(13),
        b"402" => F(17),
        b"421" | b"7005" | b"7007" | b"8008" => V(12),
        b"422" | b"424" | b"426" => F(3),
        b"427" => V(3),
        b"7003" => F(10),
        b"8006" | b"8017" | b"8018" => F(18),
        b"8007" => V(34),
        b"8200" => V(70),
        [b'9', b'1'..=b'9'] => V(90),
        _ => return None,
    };
    Some(len)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A `Malformed` error quoting at most 40 characters of what was found.
fn malformed(what: &str, found: &str) -> CodeError {
    let mut quoted: String = found.chars().take(40).collect();
    if quoted.len() < found.len() {
        quoted.push('…');
    }
    match found {
        "" => CodeError::Malformed(what.to_owned()),
        _ => CodeError::Malformed(format!("{what}, found `{quoted}`")),
    }
}

fn plain(digits: &str) -> Result<ScannedCode, CodeError> {
    let gtin = Gtin::parse(digits)?;
    Ok(ScannedCode { gtin, form: CodeForm::PlainGtin, attributes: Vec::new() })
}

/// Reads the AIM symbology identifier (after its `]`) and the data behind it.
fn parse_symbology(rest: &str) -> Result<ScannedCode, CodeError> {
    let id: String = rest.chars().take(2).collect();
    let data = rest.get(id.len()..).unwrap_or("");
    match id.as_bytes() {
        b"C1" | b"e0" | b"d2" | b"Q3" => element_string(data),
        // EAN/UPC: an EAN-13 may carry a 2 or 5 digit add-on (]E3), which
        // says nothing about the item and is dropped.
        [b'E', b'0'..=b'9'] if is_digits(data) && matches!(data.len(), 15 | 18) => {
            plain(data.get(..13).unwrap_or(data))
        }
        [b'E', b'0'..=b'9'] => plain(data),
        _ => Err(CodeError::UnknownSymbology(format!("]{id}"))),
    }
}

/// Reads a bracketed or unbracketed element string; `<GS>` and `{GS}` are
/// printable stand-ins some scanners emit for ASCII 29.
fn element_string(data: &str) -> Result<ScannedCode, CodeError> {
    let data = data.replace("<GS>", "\u{1d}").replace("{GS}", "\u{1d}");
    let elements = if data.starts_with('(') { split_bracketed(&data)? } else { split_unbracketed(&data)? };
    assemble(elements, CodeForm::ElementString)
}

/// `(01)04006381333931(10)ABC`: each value runs to the next `(`.
fn split_bracketed(mut rest: &str) -> Result<Vec<(String, String)>, CodeError> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let Some((ai, tail)) = rest.strip_prefix('(').and_then(|b| b.split_once(')')) else {
            return Err(malformed("expected `(AI)value` in the element string", rest));
        };
        let end = tail.find('(').unwrap_or(tail.len());
        let (value, next) = tail.split_at_checked(end).unwrap_or((tail, ""));
        out.push((ai.to_owned(), value.trim().to_owned()));
        rest = next;
    }
    Ok(out)
}

/// `0104006381333931` `10ABC<GS>21XYZ`: the AI table says where a fixed-length
/// value ends; a variable-length one ends at GS or at the end.
fn split_unbracketed(data: &str) -> Result<Vec<(String, String)>, CodeError> {
    let mut out = Vec::new();
    // A leading GS is the FNC1 that marks GS1 data; a trailing one is harmless.
    let mut rest = data.trim_start_matches(GS);
    while !rest.is_empty() {
        let (ai, len) = read_ai(rest)?;
        let after = rest.get(ai.len()..).unwrap_or("");
        let (value, tail) = match len {
            // Too short: the whole rest is the value and check_value refuses it.
            Len::Fixed(n) => (after.get(..n).unwrap_or(after), after.get(n..).unwrap_or("")),
            Len::Var(_) => after.split_once(GS).unwrap_or((after, "")),
        };
        out.push((ai.to_owned(), value.to_owned()));
        rest = tail.trim_start_matches(GS);
    }
    Ok(out)
}

/// The AI at the start of `rest`.
fn read_ai(rest: &str) -> Result<(&str, Len), CodeError> {
    let found = (2..=4).find_map(|n| rest.get(..n).and_then(|ai| Some((ai, spec(ai)?))));
    if let Some(found) = found {
        return Ok(found);
    }
    let n = rest.bytes().take(4).take_while(u8::is_ascii_digit).count();
    match rest.get(..n) {
        Some(digits) if n >= 2 => Err(CodeError::UnknownAi(digits.to_owned())),
        _ => Err(malformed("expected a GS1 application identifier", rest)),
    }
}

/// Checks every element and splits AI 01 from the attributes.
fn assemble(elements: Vec<(String, String)>, form: CodeForm) -> Result<ScannedCode, CodeError> {
    let mut gtin = None;
    let mut attributes = Vec::with_capacity(elements.len());
    for (ai, value) in elements {
        if ai != "01" {
            check_value(&ai, &value)?;
            attributes.push((ai, value));
        } else if gtin.is_some() {
            return Err(CodeError::Malformed("duplicate AI (01)".into()));
        } else {
            // Not held to the table's 14 digits: Digital Link allows GTIN-8/12/13.
            gtin = Some(Gtin::parse(&value)?);
        }
    }
    let gtin = gtin.ok_or(CodeError::MissingGtin)?;
    Ok(ScannedCode { gtin, form, attributes })
}

fn check_value(ai: &str, value: &str) -> Result<(), CodeError> {
    let len = spec(ai).ok_or_else(|| CodeError::UnknownAi(ai.chars().take(40).collect()))?;
    let problem = match len {
        _ if value.is_empty() => "is empty".to_owned(),
        Len::Fixed(n) if value.len() != n || !is_digits(value) => format!("needs {n} digits"),
        Len::Var(max) if value.chars().count() > max => {
            let ai = ai.to_owned();
            return Err(CodeError::ValueTooLong { ai, max });
        }
        _ if value.chars().any(char::is_control) => "has a control character".to_owned(),
        _ => return Ok(()),
    };
    Err(malformed(&format!("value of AI ({ai}) {problem}"), value))
}

/// What follows `http://` or `https://` (in any case), if `s` starts with one.
fn strip_scheme(s: &str) -> Option<&str> {
    let (scheme, rest) = s.split_once("://")?;
    let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
    web.then_some(rest)
}

/// Reads a Digital Link URI after its scheme. A path prefix before the
/// primary key is allowed; the fragment is ignored.
fn parse_digital_link(uri: &str) -> Result<ScannedCode, CodeError> {
    let uri = uri.split('#').next().unwrap_or("");
    let (before_query, query) = uri.split_once('?').unwrap_or((uri, ""));
    let (host, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    if host.is_empty() {
        return Err(CodeError::Malformed("digital link URI has no host".into()));
    }
    let mut segments: Vec<&str> = path.split('/').collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }
    let mut starts = (0..segments.len()).rev();
    let Some(start) = starts.find(|&i| is_primary_key_at(&segments, i)) else {
        return Err(no_primary_key(&segments));
    };
    let mut elements = Vec::new();
    for pair in segments.get(start..).unwrap_or_default().chunks(2) {
        if let [key, value] = pair {
            let ai = qualifier(key).map_or("01", |(ai, _)| ai);
            elements.push((ai.to_owned(), decode(value)?));
        }
    }
    for (key, value) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        // Only numeric keys are AIs; linkType and the like are for resolvers.
        if is_digits(key) {
            elements.push((key.to_owned(), decode(value)?));
        }
    }
    assemble(elements, CodeForm::DigitalLink)
}

/// A key qualifier of the GTIN in a Digital Link path: its AI and its rank,
/// as the qualifiers must come in the order 22, 10, 21.
fn qualifier(key: &str) -> Option<(&'static str, u8)> {
    match key {
        "22" | "cpv" => Some(("22", 0)),
        "10" | "lot" => Some(("10", 1)),
        "21" | "ser" => Some(("21", 2)),
        _ => None,
    }
}

/// Whether `segments[i..]` is `01/{gtin}` followed only by qualifier pairs in
/// order; whatever precedes it is the URI's own path prefix.
fn is_primary_key_at(segments: &[&str], i: usize) -> bool {
    let tail = segments.get(i..).unwrap_or_default();
    if !matches!(tail.first(), Some(&"01" | &"gtin")) || tail.len() % 2 != 0 {
        return false;
    }
    // Returning at the first bad key keeps long paths linear.
    let mut last = None;
    for key in tail.iter().skip(2).step_by(2) {
        let rank = qualifier(key).map(|q| q.1);
        if rank.is_none() || rank <= last {
            return false;
        }
        last = rank;
    }
    true
}

/// The error for a Digital Link path without a usable `/01/` primary key.
fn no_primary_key(segments: &[&str]) -> CodeError {
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let what = if segments.contains(&"01") || segments.contains(&"gtin") {
        "digital link path after /01/{gtin} may hold only /22/, /10/, /21/ in that order"
    } else if let [.., key, _] = segments
        && spec(key).is_some()
    {
        // Another primary key (SSCC, GLN, ...): a link, but not to a trade item.
        return CodeError::MissingGtin;
    } else if let [.., last] = segments
        && last.len() >= 10
        && last.bytes().all(base64url)
    {
        return CodeError::CompressedDigitalLink;
    } else {
        "expected a GS1 Digital Link URI with /01/ and a GTIN in its path"
    };
    CodeError::Malformed(what.into())
}

fn decode(value: &str) -> Result<String, CodeError> {
    let decoded = percent_decode_str(value).decode_utf8();
    decoded
        .map(String::from)
        .map_err(|_| CodeError::Malformed("digital link value is not UTF-8 once decoded".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input => form gtin ai=value...`; `␝` stands for ASCII 29.
    const VALID: &str = "
4006381333931 => PlainGtin 04006381333931
4006381 333931 => PlainGtin 04006381333931
96385074 => PlainGtin 00000096385074
036000291452 => PlainGtin 00036000291452
10036016500279 => PlainGtin 10036016500279
]E04006381333931 => PlainGtin 04006381333931
]E0036000291452 => PlainGtin 00036000291452
]E496385074 => PlainGtin 00000096385074
]E3400638133393112 => PlainGtin 04006381333931
]E3400638133393112345 => PlainGtin 04006381333931
(01)04006381333931(10)ABC123(21)XYZ => ElementString 04006381333931 10=ABC123 21=XYZ
(01)04006381333931(17)261231 => ElementString 04006381333931 17=261231
(17)261231 (01)4006381333931 => ElementString 04006381333931 17=261231
(01)10036016500279(3922)1295(400)PO-1(8008)26123112 => ElementString 10036016500279 3922=1295 400=PO-1 8008=26123112
0104006381333931 => ElementString 04006381333931
010400638133393110ABC123␝21XYZ => ElementString 04006381333931 10=ABC123 21=XYZ
␝010400638133393110ABC123␝21XYZ␝ => ElementString 04006381333931 10=ABC123 21=XYZ
010400638133393110ABC123<GS>21XYZ => ElementString 04006381333931 10=ABC123 21=XYZ
{GS}010400638133393110ABC123{GS}21XYZ => ElementString 04006381333931 10=ABC123 21=XYZ
010400638133393100106141412345678908 => ElementString 04006381333931 00=106141412345678908
01040063813339319112345 => ElementString 04006381333931 91=12345
010400638133393121ABCDEFGHIJKLMNOPQRST => ElementString 04006381333931 21=ABCDEFGHIJKLMNOPQRST
(01)04006381333931(10)éééééééééééééééééééé => ElementString 04006381333931 10=éééééééééééééééééééé
]C1010400638133393117261231 => ElementString 04006381333931 17=261231
]d201095060001343521726123110LOT42␝21SER1 => ElementString 09506000134352 17=261231 10=LOT42 21=SER1
]Q30109506000134352 => ElementString 09506000134352
]e001100360165002793103000150 => ElementString 10036016500279 3103=000150
https://id.gs1.org/01/09506000134352 => DigitalLink 09506000134352
https://e.x/01/9506000134352/10/ABC%2F1/21/12345?17=261231&linkType=gs1:pip => DigitalLink 09506000134352 10=ABC/1 21=12345 17=261231
http://brand.example/some/prefix/01/09506000134352 => DigitalLink 09506000134352
HTTPS://E.X/gtin/09506000134352/lot/L%C3%A91/ser/S1#frag/21/X => DigitalLink 09506000134352 10=Lé1 21=S1
https://e.x/01/09506000134352/22/2A/10/L1/ => DigitalLink 09506000134352 22=2A 10=L1
https://e.x/shop/01/x/01/96385074?linkType=all&3103=000150 => DigitalLink 00000096385074 3103=000150
https://e.x/p/lot/01/036000291452?exp=1&noequals => DigitalLink 00036000291452
https://e.x/01/10036016500279/10/01 => DigitalLink 10036016500279 10=01
";

    /// `input => Debug of the error`.
    const INVALID: &str = r#"
]X1234 => UnknownSymbology("]X1")
] => UnknownSymbology("]")
(01)04006381333931(99999)x => UnknownAi("99999")
(01)04006381333931(04)x => UnknownAi("04")
0404006381333931 => UnknownAi("0404")
https://e.x/01/09506000134352?4180=x => UnknownAi("4180")
(01)04006381333931(10)ABCDEFGHIJKLMNOPQRSTU => ValueTooLong { ai: "10", max: 20 }
(01)04006381333931(10)ééééééééééééééééééééé => ValueTooLong { ai: "10", max: 20 }
010400638133393121ABCDEFGHIJKLMNOPQRSTU => ValueTooLong { ai: "21", max: 20 }
https://e.x/01/09506000134352/10/%41BCDEFGHIJKLMNOPQRSTU => ValueTooLong { ai: "10", max: 20 }
(10)ABC => MissingGtin
<GS> => MissingGtin
https://e.x/00/106141412345678908 => MissingGtin
4006381333932 => InvalidGtin(CheckDigit { kind: "GTIN", value: "4006381333932", found: 2, expected: 1 })
(01)04006381333932 => InvalidGtin(CheckDigit { kind: "GTIN", value: "04006381333932", found: 2, expected: 1 })
12345 => InvalidGtin(Length { kind: "GTIN", value: "12345", len: 5, expected: "8, 12, 13 or 14" })
]E0ABC => InvalidGtin(NotDigits { kind: "GTIN", value: "ABC" })
https://e.x/AQnYUc1gmiYIXPSdAd0GBg => CompressedDigitalLink
https://e.x/01/09506000134352/lot/A/cpv/2A => Malformed("digital link path after /01/{gtin} may hold only /22/, /10/, /21/ in that order")
https://e.x/about => Malformed("expected a GS1 Digital Link URI with /01/ and a GTIN in its path")
https:///01/09506000134352 => Malformed("digital link URI has no host")
https://e.x/01/09506000134352/10/%FF => Malformed("digital link value is not UTF-8 once decoded")
https://e.x/01/09506000134352/10/A%1DB => Malformed("value of AI (10) has a control character, found `A\u{1d}B`")
hello => Malformed("expected a GTIN, a GS1 element string or a GS1 Digital Link URI, found `hello`")
(01)04006381333931(17)2612 => Malformed("value of AI (17) needs 6 digits, found `2612`")
01040063813339311726 => Malformed("value of AI (17) needs 6 digits, found `26`")
(01)04006381333931(10) => Malformed("value of AI (10) is empty")
(01)04006381333931(01)04006381333931 => Malformed("duplicate AI (01)")
(01 => Malformed("expected `(AI)value` in the element string, found `(01`")
<GS>xyz => Malformed("expected a GS1 application identifier, found `xyz`")
"#;

    fn table(text: &str) -> impl Iterator<Item = (String, &str)> {
        let rows = text.lines().filter_map(|line| line.split_once(" => "));
        rows.map(|(input, want)| (input.replace('␝', "\u{1d}"), want))
    }

    fn render(input: &str) -> String {
        let code = parse_code(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let attrs = code.attributes.iter().map(|(ai, v)| format!(" {ai}={v}"));
        format!("{:?} {}{}", code.form, code.gtin, attrs.collect::<String>())
    }

    #[test]
    fn valid_codes_give_gtin_form_and_attributes() {
        for (input, want) in table(VALID) {
            assert_eq!(render(&input), want, "{input:?}");
        }
        assert_eq!(table(VALID).count(), 35);
        assert_eq!(render(" \t4006381333931\r\n"), "PlainGtin 04006381333931");
    }

    #[test]
    fn bad_codes_give_the_expected_error() {
        for (input, want) in table(INVALID) {
            assert_eq!(format!("{:?}", parse_code(&input).unwrap_err()), want, "{input:?}");
        }
        assert_eq!(table(INVALID).count(), 30);
        assert_eq!(parse_code(""), Err(CodeError::Empty));
        assert_eq!(parse_code(" \t\r\n"), Err(CodeError::Empty));
        assert_eq!(parse_code("\u{1d}"), Err(CodeError::MissingGtin));
    }

    #[test]
    fn error_messages_are_lower_case_without_period() {
        for input in table(INVALID).map(|(input, _)| input).chain([String::new()]) {
            let msg = parse_code(&input).unwrap_err().to_string();
            assert!(msg.starts_with(|c: char| c.is_ascii_lowercase()), "{msg}");
            assert!(!msg.ends_with('.'), "{msg}");
        }
        let msg = parse_code("(01)04006381333932").unwrap_err().to_string();
        assert_eq!(msg, "invalid GTIN: GTIN `04006381333932` has check digit 2, expected 1");
        let msg = parse_code("]Z9").unwrap_err().to_string();
        assert!(msg.starts_with("unknown symbology identifier `]Z9`, expected ]C1"), "{msg}");
    }

    #[test]
    fn ai_table_is_prefix_free_and_has_the_common_ais() {
        for n in 0..10_000 {
            let s = format!("{n:04}");
            let hits = (2..=4).filter(|&k| spec(&s[..k]).is_some()).count();
            assert!(hits <= 1, "{s}");
        }
        assert_eq!((spec("417"), spec("418")), (Some(Len::Fixed(13)), None));
        assert_eq!((spec("3923"), spec("39x3")), (Some(Len::Var(15)), None));
    }

    #[test]
    fn serializes_form_as_snake_case() {
        let code = parse_code("(01)04006381333931(10)L1").unwrap();
        let want = r#"{"gtin":"04006381333931","form":"element_string","attributes":[["10","L1"]]}"#;
        assert_eq!(serde_json::to_string(&code).unwrap(), want);
        let forms = [CodeForm::PlainGtin, CodeForm::DigitalLink];
        let want = r#"["plain_gtin","digital_link"]"#;
        assert_eq!(serde_json::to_string(&forms).unwrap(), want);
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = "|␝|␝␝|%|https://x/01/%|https://x/01/09506000134352/10/%|]|]E|]é|(|)|()|(01)|(é)é|\
            01é|0104006381333931é|01␝|<GS>|{GS}|https://|http://é/01/é|日本語|\0|]C1|]E0␝|é9|9é";
        let valid = "]d2010400638133393110AB␝21X https://e.x/01/09506000134352/10/A%2F?17=261231";
        let valid = valid.replace('␝', "\u{1d}");
        let mut inputs: Vec<String> = odd.split('|').map(|s| s.replace('␝', "\u{1d}")).collect();
        inputs.extend((0..=valid.len()).filter_map(|i| valid.get(..i).map(str::to_owned)));
        inputs.extend((0..=valid.len()).filter_map(|i| valid.get(i..).map(str::to_owned)));
        inputs.push("9".repeat(100_000));
        inputs.push("(".repeat(10_000));
        inputs.push(format!("https://x/{}", "01/".repeat(20_000)));
        inputs.push(format!("https://x/01/{}", "10/L/".repeat(10_000)));
        for input in &inputs {
            if let Ok(code) = parse_code(input) {
                assert_eq!(code.gtin.as_str().len(), 14, "{input:?}");
            }
        }
        assert!(inputs.len() > 150, "{}", inputs.len());
    }
}
