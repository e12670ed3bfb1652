//! Why a message could not be written.

use crate::cic::ConfirmationState;

/// Why a message could not be written. `field` names the input value as a
/// path of Rust field names with 0-based indexes
/// (`confirmations[2].statuses[0].code`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A list that must hold at least one entry is empty.
    #[error("{what} is empty: the message needs at least one")]
    Empty {
        /// The list (`confirmations`, `errors`, `subscriptions`).
        what: &'static str,
    },
    /// More documents than GDSN rule 493 allows in one message.
    #[error("{what} has {count} entries, more than the {max} transactions a message may carry (rule 493)")]
    TooMany {
        /// The list.
        what: &'static str,
        /// Its length.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A value that is not in the form the XSD demands.
    #[error("{field} `{value}` is not {expected}")]
    Invalid {
        /// Where the value is.
        field: String,
        /// The value as given.
        value: String,
        /// The form required, in words.
        expected: &'static str,
    },
    /// A text shorter or longer than the XSD allows (counted in characters).
    #[error("{field} has {chars} characters, expected {min} to {max}")]
    Length {
        /// Where the value is.
        field: String,
        /// Its length in characters.
        chars: usize,
        /// Fewest allowed.
        min: usize,
        /// Most allowed.
        max: usize,
    },
    /// A character XML 1.0 cannot carry, not even as a character reference
    /// (control characters other than tab, line feed and carriage return,
    /// U+FFFE and U+FFFF).
    #[error("{field} contains U+{code_point:04X}, which XML 1.0 cannot carry")]
    ForbiddenCharacter {
        /// Where the value is.
        field: String,
        /// The character.
        code_point: u32,
    },
    /// Status details on a confirmation state that must not carry them.
    #[error("{field} is given for state {state}: status details are only for REVIEW and REJECTED")]
    StatusNotAllowed {
        /// The statuses list.
        field: String,
        /// The confirmation's state.
        state: ConfirmationState,
    },
    /// The same document identifier twice in one message.
    #[error("{field} `{value}` is used by an earlier document of the message")]
    Duplicate {
        /// Where the repeated value is.
        field: String,
        /// The value.
        value: String,
    },
    /// A GDSN validation rule the data pool would apply.
    #[error("{field}: {message} (rule {rule})")]
    Rule {
        /// The document.
        field: String,
        /// The GDSN validation rule number.
        rule: u32,
        /// What the rule says.
        message: &'static str,
    },
}
