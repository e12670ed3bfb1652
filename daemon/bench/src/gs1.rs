//! GS1 identifiers with correct modulo-10 check digits.

/// The GS1 modulo-10 check digit of a payload of ASCII digits: weights 3
/// and 1 alternate starting with 3 on the rightmost payload digit. Bytes
/// that are not digits count as 0.
pub fn check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b.wrapping_sub(b'0')).min(9);
            if i % 2 == 0 { d * 3 } else { d }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A GTIN-14: `indicator` (0 for an each, 1-8 for packaging levels), a
/// 7-digit company prefix and a 5-digit item reference, plus the check digit.
/// Extra prefix digits are cut and missing ones are zero-padded.
pub fn gtin14(indicator: u8, company_prefix: &str, item_reference: u32) -> [u8; 14] {
    let mut out = [b'0'; 14];
    out[0] = b'0' + indicator % 10;
    fill_digits(&mut out[1..8], company_prefix);
    write_number(&mut out[8..13], u64::from(item_reference));
    out[13] = b'0' + check_digit(&out[..13]);
    out
}

/// A GLN: a 7-digit company prefix and a 5-digit location reference, plus
/// the check digit.
pub fn gln(company_prefix: &str, location: u32) -> [u8; 13] {
    let mut out = [b'0'; 13];
    fill_digits(&mut out[..7], company_prefix);
    write_number(&mut out[7..12], u64::from(location));
    out[12] = b'0' + check_digit(&out[..12]);
    out
}

/// The identifier as text (it is always ASCII digits).
pub fn as_str(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).unwrap_or("")
}

fn fill_digits(out: &mut [u8], digits: &str) {
    for (slot, b) in out.iter_mut().zip(digits.bytes().filter(u8::is_ascii_digit)) {
        *slot = b;
    }
}

/// Writes the low digits of `n` right-aligned and zero-padded into `out`.
fn write_number(out: &mut [u8], mut n: u64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_gs1_examples_and_the_model() {
        assert_eq!(check_digit(b"50123456789"), 0);
        assert_eq!(check_digit(b"400638133393"), 1);
        assert_eq!(check_digit(b"081234520001"), 0);
        for n in 0..2000u32 {
            let g = gtin14((n % 9) as u8, "3012345", n * 37);
            assert!(gdsn_model::ids::Gtin::parse(as_str(&g)).is_ok(), "{}", as_str(&g));
            let l = gln("5400000", n);
            assert!(gdsn_model::ids::Gln::parse(as_str(&l)).is_ok(), "{}", as_str(&l));
        }
    }

    #[test]
    fn layout() {
        assert_eq!(as_str(&gtin14(5, "0812345", 20001)), "50812345200015");
        assert_eq!(as_str(&gln("0812345", 0)), "0812345000009");
    }
}
