//! Password policy (NIST SP 800-63B): length only, no composition rules, no truncation.

use thiserror::Error;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("Use at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
}

/// Checks a new password. Length counts Unicode scalar values, so a passphrase in any script
/// is judged by what the person typed, not by its byte length.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Adapter for `#[validate(custom(function = ...))]`.
pub fn validate_password(password: &str) -> Result<(), validator::ValidationError> {
    check_password(password).map_err(|e| {
        let code = match e {
            PasswordError::TooShort => "too_short",
            PasswordError::TooLong => "too_long",
        };
        validator::ValidationError::new(code).with_message(e.to_string().into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds_are_inclusive() {
        assert_eq!(check_password(&"a".repeat(11)), Err(PasswordError::TooShort));
        assert_eq!(check_password(&"a".repeat(12)), Ok(()));
        assert_eq!(check_password(&"a".repeat(128)), Ok(()));
        assert_eq!(check_password(&"a".repeat(129)), Err(PasswordError::TooLong));
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(check_password("correct horse battery"), Ok(()));
        assert_eq!(check_password("aaaaaaaaaaaa"), Ok(()));
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 12 multi-byte characters are enough, 36 bytes.
        assert_eq!(check_password(&"ü".repeat(12)), Ok(()));
        // 11 characters of 4 bytes each are still too short.
        assert_eq!(check_password(&"🔒".repeat(11)), Err(PasswordError::TooShort));
        // 128 emoji (512 bytes) are accepted whole: no truncation.
        assert_eq!(check_password(&"🔒".repeat(128)), Ok(()));
    }

    #[test]
    fn validator_adapter_reports_a_message() {
        let err = validate_password("short").unwrap_err();
        assert_eq!(err.code, "too_short");
        assert!(err.message.unwrap().contains("12"));
    }
}
