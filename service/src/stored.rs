//! Values read back from the database. The portal writes its columns from typed values only,
//! so a value it never writes (a status, a role) is a fault, reported loudly rather than read
//! as some default that could open or close a gate by accident.

use crate::error::{ServiceError, ServiceResult};
use std::str::FromStr;

pub(crate) fn parse<T: FromStr>(column: &'static str, value: &str) -> ServiceResult<T> {
    value.parse().map_err(|_| fault(column, value))
}

/// For types read by a `parse` that answers `None` for a value it does not know.
pub(crate) fn known<T>(column: &'static str, value: &str, parsed: Option<T>) -> ServiceResult<T> {
    parsed.ok_or_else(|| fault(column, value))
}

fn fault(column: &str, value: &str) -> ServiceError {
    ServiceError::Internal(format!("{column} holds `{value}`, which the portal never writes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_domain::application::status::ApplicationStatus;

    #[test]
    fn unknown_stored_values_are_faults() {
        assert_eq!(
            parse::<ApplicationStatus>("applications.status", "in_review").unwrap(),
            ApplicationStatus::InReview
        );
        let error = parse::<ApplicationStatus>("applications.status", "approved ").unwrap_err();
        assert!(matches!(&error, ServiceError::Internal(m) if m.contains("applications.status")), "{error:?}");
    }
}
