//! Orthographic normalisation of Arabic tokens, before stemming.
//!
//! The same word is written several ways: with or without short vowels
//! (tashkeel, mostly absent in product texts but present in brand names and
//! copied text), with a stretched joining line (tatweel, used for
//! justification), with a hamza on or under its alef or without, and with
//! final yeh/alef maksura or teh marbuta/heh used interchangeably. Folding
//! these makes `عِطْر`, `عطـر` and `عطر` one term, and a search typed on a
//! keyboard without hamza find a text that has one.

use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Folds one Arabic character: `Some(replacement)`, `None` to drop it.
fn fold(c: char) -> Option<char> {
    match c {
        // Alef with hamza above, hamza below, madda; alef wasla.
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => Some('\u{0627}'),
        // Alef maksura -> yeh.
        '\u{0649}' => Some('\u{064A}'),
        // Teh marbuta -> heh.
        '\u{0629}' => Some('\u{0647}'),
        // Tashkeel (fathatan .. the last Arabic combining mark) and the
        // superscript (dagger) alef; tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
        other => Some(other),
    }
}

/// Writes the normalised form of `text` into `out`; returns whether it differs.
pub(crate) fn normalize_into(text: &str, out: &mut String) -> bool {
    out.clear();
    let mut changed = false;
    for c in text.chars() {
        match fold(c) {
            Some(f) => {
                changed |= f != c;
                out.push(f);
            }
            None => changed = true,
        }
    }
    changed
}

/// The token filter: normalises each token and drops tokens left empty
/// (a lone tatweel or mark).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicNormalizer;

impl TokenFilter for ArabicNormalizer {
    type Tokenizer<T: Tokenizer> = ArabicNormalizerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ArabicNormalizerFilter<T> {
        ArabicNormalizerFilter { inner: tokenizer, buffer: String::new() }
    }
}

/// [`ArabicNormalizer`] applied to a tokenizer.
#[derive(Clone)]
pub struct ArabicNormalizerFilter<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for ArabicNormalizerFilter<T> {
    type TokenStream<'a> = ArabicNormalizerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ArabicNormalizerStream { tail: self.inner.token_stream(text), buffer: &mut self.buffer }
    }
}

/// The token stream of [`ArabicNormalizerFilter`].
pub struct ArabicNormalizerStream<'a, S> {
    tail: S,
    buffer: &'a mut String,
}

impl<S: TokenStream> TokenStream for ArabicNormalizerStream<'_, S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            // ASCII tokens (numbers, Latin brand names) have nothing to fold.
            if !token.text.is_ascii() && normalize_into(&token.text, self.buffer) {
                mem::swap(&mut token.text, self.buffer);
            }
            if !token.text.is_empty() {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let mut out = String::new();
        normalize_into(s, &mut out);
        out
    }

    #[test]
    fn folds_alef_forms_yeh_teh_marbuta() {
        assert_eq!(norm("أحمد إسلام آمن ٱلله"), "احمد اسلام امن الله");
        assert_eq!(norm("مستشفى"), "مستشفي");
        assert_eq!(norm("زجاجة"), "زجاجه");
    }

    #[test]
    fn drops_tashkeel_and_tatweel() {
        assert_eq!(norm("عِطْرٌ"), "عطر");
        assert_eq!(norm("عطـــر"), "عطر");
        assert_eq!(norm("هٰذا"), "هذا");
        assert_eq!(norm("plain ascii"), "plain ascii");
    }
}
