//! Account inputs and the public view of a user, validated the same way in the browser
//! and on the server.

use crate::password::validate_password;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use validator::{Validate, ValidationError, ValidationErrors};

pub const MAX_EMAIL_CHARS: u64 = 254;
pub const MAX_NAME_CHARS: u64 = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    #[validate(email(message = "Enter a valid email address."), length(max = MAX_EMAIL_CHARS, message = "Email address is too long."))]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    #[validate(custom(function = validate_password))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
    #[validate(custom(function = validate_display_name))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 100)
    )]
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginInput {
    #[validate(length(min = 1, max = MAX_EMAIL_CHARS, message = "Enter your email address."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    // Only presence and an upper bound here: old passwords are judged by their hash, not
    // by today's policy, and the bound keeps hashing cost fixed.
    #[validate(length(min = 1, max = 1024, message = "Enter your password."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// `POST /auth/login`: the password, and a code of the account's second factor once it has one
/// (six digits from the app, or a recovery code).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LoginInput))]
pub struct SignInInput {
    #[validate(length(min = 1, max = MAX_EMAIL_CHARS, message = "Enter your email address."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "Enter your password."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
    #[validate(length(min = 1, max = 64, message = "Enter the code from your authenticator app."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, example = "123456"))]
    pub code: Option<String>,
}

/// The sign-in form of the pages, which asks for no code yet.
impl From<LoginInput> for SignInInput {
    fn from(LoginInput { email, password }: LoginInput) -> Self {
        Self { email, password, code: None }
    }
}

/// `POST /auth/step-up`: a code of the second factor, or the password for accounts without
/// one. A code makes the session fresh for both kinds of dangerous action.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepUpRequest {
    #[validate(length(min = 1, max = 64, message = "Enter the code from your authenticator app."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, example = "123456"))]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 1024, message = "Enter your password."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: Option<String>,
}

impl From<StepUpInput> for StepUpRequest {
    fn from(StepUpInput { password }: StepUpInput) -> Self {
        Self { code: None, password: Some(password) }
    }
}

/// `POST /auth/step-up`: the signed-in person proves again that it is them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepUpInput {
    #[validate(length(min = 1, max = 1024, message = "Enter your password."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// `POST /auth/password`: the signed-in person sets a new password, proving the current one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeInput {
    #[validate(length(min = 1, max = 1024, message = "Enter your current password."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    #[validate(custom(function = validate_password))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
}

/// How long a sign-in or a confirmation of the password counts as fresh for the most
/// dangerous actions (collecting a production secret).
pub const STEP_UP_WINDOW_SECS: i64 = 10 * 60;

/// Whether someone who last proved who they are at `confirmed_at` (Unix seconds) may take
/// such an action at `now` without proving it again.
pub fn is_fresh(confirmed_at: Option<i64>, now: i64) -> bool {
    confirmed_at.is_some_and(|at| (0..=STEP_UP_WINDOW_SECS).contains(&(now - at)))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    #[validate(email(message = "Enter a valid email address."), length(max = MAX_EMAIL_CHARS, message = "Email address is too long."))]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetConfirm {
    #[validate(length(min = 1, max = 200, message = "The link is incomplete."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
    #[validate(custom(function = validate_password))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyEmailInput {
    #[validate(length(min = 1, max = 200, message = "The link is incomplete."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetRolesInput {
    pub roles: Vec<Role>,
}

/// The `user` object of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub email_verified: bool,
    /// Where the account stands with second factors, so a page can lead the way.
    #[serde(default)]
    pub second_factor: SecondFactorState,
    /// Signs in with the organisation's identity provider (single sign-on): confirming it is
    /// them means signing in there again.
    #[serde(default)]
    pub sso: bool,
    /// Which second factors the account has set up (whatever the policy asks).
    #[serde(default)]
    pub factors: Factors,
}

/// The kinds of second factor an account has set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Factors {
    /// A confirmed authenticator app (TOTP).
    pub totp: bool,
    /// At least one passkey.
    pub passkey: bool,
}

impl Factors {
    pub fn any(self) -> bool {
        self.totp || self.passkey
    }
}

/// Whether an account has a second factor, or must set one up before anything else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorState {
    /// None set up, and none required.
    #[default]
    None,
    /// Required and not yet set up: the account may only set one up.
    SetupRequired,
    /// Set up: sign-ins and dangerous actions ask for a code.
    Enabled,
}

impl UserView {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A display name: 1 to 100 characters, no control characters, not only spaces.
pub fn validate_display_name(name: &str) -> Result<(), ValidationError> {
    let trimmed = name.trim();
    let err = |code: &'static str, msg: &'static str| Err(ValidationError::new(code).with_message(msg.into()));
    if trimmed.is_empty() {
        return err("required", "Enter your name.");
    }
    if name.chars().count() as u64 > MAX_NAME_CHARS {
        return err("too_long", "Use at most 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return err("control_chars", "Remove control characters.");
    }
    Ok(())
}

/// Emails are compared case-insensitively and without surrounding spaces.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Field name → messages, the `fields` member of a 422 error.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

pub fn field_errors(errors: &ValidationErrors) -> FieldErrors {
    errors
        .field_errors()
        .into_iter()
        .map(|(field, errs)| {
            let messages = errs
                .iter()
                .map(|e| {
                    e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| format!("Invalid value ({}).", e.code))
                })
                .collect();
            (field.to_string(), messages)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_is_fresh_for_ten_minutes() {
        let at = 1_800_000_000;
        assert!(is_fresh(Some(at), at));
        assert!(is_fresh(Some(at), at + STEP_UP_WINDOW_SECS));
        assert!(!is_fresh(Some(at), at + STEP_UP_WINDOW_SECS + 1));
        assert!(!is_fresh(Some(at), at - 1), "a confirmation from the future is not trusted");
        assert!(!is_fresh(None, at));
    }

    fn register(email: &str, password: &str, name: &str) -> RegisterInput {
        RegisterInput { email: email.into(), password: password.into(), name: name.into() }
    }

    #[test]
    fn a_valid_registration_passes() {
        assert!(register("ada@example.com", "correct horse battery", "Ada Lovelace").validate().is_ok());
        assert!(register("zoe@example.com", "correct horse battery", "Zoë 李").validate().is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = register("not-an-email", "short", " ").validate().unwrap_err();
        let fields = field_errors(&errors);
        assert_eq!(fields.keys().cloned().collect::<Vec<_>>(), ["email", "name", "password"]);
        assert_eq!(fields["email"], ["Enter a valid email address."]);
        assert_eq!(fields["password"], ["Use at least 12 characters."]);
        assert_eq!(fields["name"], ["Enter your name."]);
    }

    #[test]
    fn name_limits() {
        assert!(validate_display_name(&"x".repeat(100)).is_ok());
        assert_eq!(validate_display_name(&"x".repeat(101)).unwrap_err().code, "too_long");
        assert_eq!(validate_display_name("Ada\u{0007}").unwrap_err().code, "control_chars");
        assert_eq!(validate_display_name("Ada\nLovelace").unwrap_err().code, "control_chars");
        assert_eq!(validate_display_name("").unwrap_err().code, "required");
    }

    #[test]
    fn email_too_long_is_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(register(&long, "correct horse battery", "A").validate().is_err());
    }

    #[test]
    fn emails_normalise() {
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
    }
}
