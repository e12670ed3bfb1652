//! The version of an item or a removal, and its order.

use gdsn_model::time::Timestamp;

/// (trade item `lastChangeDateTime`, message creation time, local arrival
/// sequence), compared in that order. A missing time sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version {
    /// `lastChangeDateTime` of the item (for a CIHW, its document creation), in Unix nanoseconds.
    pub item_time: i128,
    /// SBDH `CreationDateAndTime`, else the document's `creationDateTime`, in Unix nanoseconds.
    pub message_time: i128,
    /// Local arrival sequence: later arrivals win ties.
    pub sequence: u64,
}

impl Version {
    /// Builds a version; `None` times sort before any real time.
    pub fn new(item_time: Option<Timestamp>, message_time: Option<Timestamp>, sequence: u64) -> Version {
        let nanos = |t: Option<Timestamp>| t.map_or(i128::MIN, |t| t.unix_nanos());
        Version { item_time: nanos(item_time), message_time: nanos(message_time), sequence }
    }

    /// A fixed-width big-endian encoding whose byte order is the version order.
    pub fn to_bytes(self) -> [u8; 40] {
        let mut out = [0u8; 40];
        // Flipping the sign bit makes two's complement sort as unsigned.
        out[..16].copy_from_slice(&((self.item_time as u128) ^ (1 << 127)).to_be_bytes());
        out[16..32].copy_from_slice(&((self.message_time as u128) ^ (1 << 127)).to_be_bytes());
        out[32..].copy_from_slice(&self.sequence.to_be_bytes());
        out
    }

    /// Reads [`Version::to_bytes`]; `None` for a wrong length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Version> {
        let item: [u8; 16] = bytes.get(..16)?.try_into().ok()?;
        let message: [u8; 16] = bytes.get(16..32)?.try_into().ok()?;
        let sequence: [u8; 8] = bytes.get(32..40)?.try_into().ok()?;
        Some(Version {
            item_time: (u128::from_be_bytes(item) ^ (1 << 127)) as i128,
            message_time: (u128::from_be_bytes(message) ^ (1 << 127)) as i128,
            sequence: u64::from_be_bytes(sequence),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_is_version_order() {
        let versions = [
            Version { item_time: i128::MIN, message_time: 5, sequence: 9 },
            Version { item_time: -1, message_time: 0, sequence: 0 },
            Version { item_time: 0, message_time: i128::MIN, sequence: 0 },
            Version { item_time: 0, message_time: 3, sequence: 1 },
            Version { item_time: 0, message_time: 3, sequence: 2 },
            Version { item_time: 7, message_time: -4, sequence: 0 },
        ];
        for pair in versions.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].to_bytes() < pair[1].to_bytes());
        }
        for v in versions {
            assert_eq!(Version::from_bytes(&v.to_bytes()), Some(v));
        }
        assert_eq!(Version::from_bytes(&[0; 39]), None);
    }
}
