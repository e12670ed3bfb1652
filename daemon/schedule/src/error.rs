//! The one error type of this crate.

/// Why a schedule could not be built from its configuration.
///
/// Every message is lower case and names the expression as configured, so an operator can find the line
/// in the config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The expression has a number of fields that is neither a crontab line (5) nor the cron crate's
    /// syntax (6 or 7, seconds first), and is not a known `@` keyword.
    #[error(
        "cron expression {expr:?} has {count} fields: expected 5 (crontab), 6 or 7 (seconds first) or an @keyword"
    )]
    FieldCount {
        /// The expression as configured.
        expr: String,
        /// How many whitespace-separated fields it has.
        count: usize,
    },
    /// The fields are there but one of them is not valid.
    #[error("invalid cron expression {expr:?}: {reason}")]
    Invalid {
        /// The expression as configured.
        expr: String,
        /// What is wrong, in lower case.
        reason: String,
    },
    /// The time zone is not an IANA time zone name known to `chrono-tz`.
    #[error(
        "unknown time zone {zone:?} for cron expression {expr:?}: expected an IANA name like \"Europe/Paris\""
    )]
    UnknownTimeZone {
        /// The expression as configured.
        expr: String,
        /// The time zone name as configured.
        zone: String,
    },
}

impl ScheduleError {
    /// An [`ScheduleError::Invalid`] for the configured `expr`.
    pub(crate) fn invalid(expr: &str, reason: impl Into<String>) -> Self {
        ScheduleError::Invalid { expr: expr.to_owned(), reason: reason.into() }
    }
}
