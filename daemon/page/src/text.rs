//! Reading values out of a published record (a `serde_json::Value` that
//! follows schemas/product-record.schema.json) for display. Nothing here
//! trusts the record: a missing or mistyped field reads as absent.

use serde_json::Value;

use crate::i18n::Lang;

/// A string field, `None` when absent, not a string or blank.
pub(crate) fn str_of<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field)?.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// The text of a language map (`{"en": "...", "fr-CA": "..."}`) to show
/// an officer reading `lang`: that language (any region), else English,
/// else the first one present. Returns the text and the language it is in.
pub(crate) fn pick(map: Option<&Value>, lang: Lang) -> Option<(&str, &str)> {
    let map = map?.as_object()?;
    let texts = || {
        map.iter().filter_map(|(tag, text)| {
            let text = text.as_str()?.trim();
            (!text.is_empty()).then_some((tag.as_str(), text))
        })
    };
    let in_lang = |code: &str| texts().find(|(tag, _)| primary(tag) == code);
    in_lang(lang.code()).or_else(|| in_lang("en")).or_else(|| texts().next()).map(|(tag, text)| (text, tag))
}

fn primary(tag: &str) -> String {
    tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase()
}

/// The product's name for lists and titles: the short description, else
/// the functional name with the brand, else the description.
pub(crate) fn title(record: &Value, lang: Lang) -> Option<(&str, &str)> {
    pick(record.get("short_descriptions"), lang)
        .or_else(|| pick(record.get("descriptions"), lang))
        .or_else(|| pick(record.get("functional_names"), lang))
}

/// The first image URL that may go into `<img src>`: https only, since
/// the page's Content-Security-Policy allows no other remote images and a
/// record could carry `javascript:` or `data:` text.
pub(crate) fn images(record: &Value) -> Vec<&str> {
    record
        .get("images")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter().filter_map(|image| str_of(image, "url")).filter(|url| is_https(url)).collect()
        })
        .unwrap_or_default()
}

pub(crate) fn is_https(url: &str) -> bool {
    url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")) && url.len() > 8
}

/// A link target for a contact's website: http(s) only.
pub(crate) fn web_link(url: &str) -> Option<&str> {
    let lower = url.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// `2025-02-03T09:15:00.123Z` as `2025-02-03 09:15 UTC`; other text as is.
pub(crate) fn when(timestamp: &str) -> String {
    let bytes = timestamp.as_bytes();
    let shaped = bytes.len() >= 16 && bytes[10] == b'T' && timestamp.is_char_boundary(16);
    if shaped && (timestamp.ends_with('Z') || timestamp.ends_with("+00:00")) {
        format!("{} {} UTC", &timestamp[..10], &timestamp[11..16])
    } else {
        timestamp.to_owned()
    }
}

/// A measurement `{"value": "100", "unit": "MLT"}` as `100 ml`.
pub(crate) fn measure(value: &Value) -> Option<String> {
    let amount = str_of(value, "value")?;
    let unit = str_of(value, "unit").unwrap_or_default();
    Some(format!("{amount} {}", unit_symbol(unit)).trim_end().to_owned())
}

/// UN/ECE Recommendation 20 codes as their usual symbols; unknown codes as
/// they are.
fn unit_symbol(code: &str) -> &str {
    match code {
        "MLT" => "ml",
        "CLT" => "cl",
        "LTR" => "l",
        "GRM" => "g",
        "KGM" => "kg",
        "MGM" => "mg",
        "MMT" => "mm",
        "CMT" => "cm",
        "MTR" => "m",
        "ONZ" => "oz",
        "OZA" => "fl oz",
        "LBR" => "lb",
        "INH" => "in",
        "H87" | "EA" => "pcs",
        other => other,
    }
}

/// The name of a target market (ISO 3166-1 numeric), in `lang`, for the
/// markets GDSN recipients see most; else the code itself.
pub(crate) fn country(code: &str, lang: Lang) -> String {
    let (numeric, subdivision) = code.split_once('/').unwrap_or((code, ""));
    let name = COUNTRIES.iter().find(|(c, _)| *c == numeric).map(|(_, names)| match lang {
        Lang::En => names[0],
        Lang::Fr => names[1],
        Lang::Ar => names[2],
        Lang::Ru => names[3],
    });
    match (name, subdivision) {
        (Some(name), "") => format!("{name} ({numeric})"),
        (Some(name), sub) => format!("{name} ({numeric}, {sub})"),
        (None, _) => code.to_owned(),
    }
}

/// ISO 3166-1 numeric code, then the name in en, fr, ar, ru.
const COUNTRIES: &[(&str, [&str; 4])] = &[
    ("001", ["Global", "Mondial", "عالمي", "Весь мир"]),
    ("036", ["Australia", "Australie", "أستراليا", "Австралия"]),
    ("040", ["Austria", "Autriche", "النمسا", "Австрия"]),
    ("056", ["Belgium", "Belgique", "بلجيكا", "Бельгия"]),
    ("076", ["Brazil", "Brésil", "البرازيل", "Бразилия"]),
    ("097", ["European Union", "Union européenne", "الاتحاد الأوروبي", "Европейский союз"]),
    ("124", ["Canada", "Canada", "كندا", "Канада"]),
    ("156", ["China", "Chine", "الصين", "Китай"]),
    ("203", ["Czechia", "Tchéquie", "التشيك", "Чехия"]),
    ("208", ["Denmark", "Danemark", "الدنمارك", "Дания"]),
    ("246", ["Finland", "Finlande", "فنلندا", "Финляндия"]),
    ("250", ["France", "France", "فرنسا", "Франция"]),
    ("276", ["Germany", "Allemagne", "ألمانيا", "Германия"]),
    ("300", ["Greece", "Grèce", "اليونان", "Греция"]),
    ("348", ["Hungary", "Hongrie", "المجر", "Венгрия"]),
    ("356", ["India", "Inde", "الهند", "Индия"]),
    ("372", ["Ireland", "Irlande", "أيرلندا", "Ирландия"]),
    ("380", ["Italy", "Italie", "إيطاليا", "Италия"]),
    ("392", ["Japan", "Japon", "اليابان", "Япония"]),
    ("398", ["Kazakhstan", "Kazakhstan", "كازاخستان", "Казахстан"]),
    ("410", ["South Korea", "Corée du Sud", "كوريا الجنوبية", "Южная Корея"]),
    ("484", ["Mexico", "Mexique", "المكسيك", "Мексика"]),
    ("504", ["Morocco", "Maroc", "المغرب", "Марокко"]),
    ("528", ["Netherlands", "Pays-Bas", "هولندا", "Нидерланды"]),
    ("578", ["Norway", "Norvège", "النرويج", "Норвегия"]),
    ("616", ["Poland", "Pologne", "بولندا", "Польша"]),
    ("620", ["Portugal", "Portugal", "البرتغال", "Португалия"]),
    ("643", ["Russia", "Russie", "روسيا", "Россия"]),
    ("682", ["Saudi Arabia", "Arabie saoudite", "السعودية", "Саудовская Аравия"]),
    ("710", ["South Africa", "Afrique du Sud", "جنوب أفريقيا", "ЮАР"]),
    ("724", ["Spain", "Espagne", "إسبانيا", "Испания"]),
    ("752", ["Sweden", "Suède", "السويد", "Швеция"]),
    ("756", ["Switzerland", "Suisse", "سويسرا", "Швейцария"]),
    ("784", ["United Arab Emirates", "Émirats arabes unis", "الإمارات العربية المتحدة", "ОАЭ"]),
    ("788", ["Tunisia", "Tunisie", "تونس", "Тунис"]),
    ("792", ["Türkiye", "Turquie", "تركيا", "Турция"]),
    ("804", ["Ukraine", "Ukraine", "أوكرانيا", "Украина"]),
    ("818", ["Egypt", "Égypte", "مصر", "Египет"]),
    ("826", ["United Kingdom", "Royaume-Uni", "المملكة المتحدة", "Великобритания"]),
    ("840", ["United States", "États-Unis", "الولايات المتحدة", "США"]),
];

/// Percent-encodes a query-string value (RFC 3986 unreserved kept).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A query string from name/value pairs, skipping empty values; empty
/// when nothing is left, else starting with `?`.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pick_prefers_the_ui_language_then_english_then_any() {
        let map = json!({"de": "Kopfhörer", "en-GB": "Headphones", "fr": "Casque"});
        assert_eq!(pick(Some(&map), Lang::Fr), Some(("Casque", "fr")));
        assert_eq!(pick(Some(&map), Lang::Ar), Some(("Headphones", "en-GB")));
        let only_german = json!({"de": "Kopfhörer", "ru": "  "});
        assert_eq!(pick(Some(&only_german), Lang::Ru), Some(("Kopfhörer", "de")));
        assert_eq!(pick(Some(&json!({})), Lang::En), None);
        assert_eq!(pick(None, Lang::En), None);
    }

    #[test]
    fn only_https_images_are_kept() {
        let record = json!({"images": [
            {"url": "javascript:alert(1)"}, {"url": "http://plain.example/a.jpg"},
            {"url": "data:image/png;base64,AAAA"}, {"url": "HTTPS://ok.example/b.jpg"}, {"url": 7}
        ]});
        assert_eq!(images(&record), vec!["HTTPS://ok.example/b.jpg"]);
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(web_link("http://x.example"), Some("http://x.example"));
    }

    #[test]
    fn markets_units_dates_and_queries_read_well() {
        assert_eq!(country("250", Lang::Fr), "France (250)");
        assert_eq!(country("840/US-CA", Lang::En), "United States (840, US-CA)");
        assert_eq!(country("999", Lang::Ar), "999");
        assert_eq!(measure(&json!({"value": "100", "unit": "MLT"})).as_deref(), Some("100 ml"));
        assert_eq!(when("2025-02-03T09:15:00.123Z"), "2025-02-03 09:15 UTC");
        assert_eq!(when("yesterday"), "yesterday");
        assert_eq!(query(&[("q", "ماء & co"), ("market", "")]), "?q=%D9%85%D8%A7%D8%A1%20%26%20co");
    }
}
