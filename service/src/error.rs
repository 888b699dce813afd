//! The service layer's one error type. Handlers map it to HTTP (JSON API) or to
//! `ServerFnError` (UI); its messages are safe to show, internals stay in the log.

use portcullis_domain::account::FieldErrors;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    /// Signed in, but not recently enough for this action: confirm the password, or a code of
    /// the second factor, first. (The pages match this message; it stays as it is.)
    #[error("Confirm your password to continue: this action needs a recent sign-in.")]
    StepUpRequired,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// Not allowed, with the rule that says so.
    #[error("{0}")]
    NotAllowed(Refusal),
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A conflict with a code of its own, for API clients that act on the case.
    #[error("{message}")]
    Blocked { code: &'static str, message: String },
    /// Someone saved first: the caller's copy is out of date. Carries the current state, and
    /// the code the contract names for the case (`stale_version` for edits, `stale` for decisions).
    #[error("{message}")]
    Stale { code: &'static str, message: String, current: Box<serde_json::Value> },
    #[error("{0}")]
    TooLarge(String),
    #[error("Some fields need attention.")]
    Validation(FieldErrors),
    #[error("Incorrect email or password.")]
    InvalidCredentials,
    #[error("This account has been disabled. Contact an administrator.")]
    AccountDisabled,
    #[error("This link is invalid or has expired.")]
    InvalidToken,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// A limit on how often one may do something, with a message naming it.
    #[error("{message}")]
    LimitReached { message: String, retry_after_secs: u64 },
    /// Too much work queued (password hashing): try again shortly.
    #[error("The portal is busy. Try again in {retry_after_secs} seconds.")]
    Busy { retry_after_secs: u64 },
    #[error("The service is temporarily unavailable.")]
    Database(#[from] sea_orm::DbErr),
    /// The database did not answer its last health check: refused before trying it.
    #[error("The service is temporarily unavailable. Try again in a few seconds.")]
    Unavailable,
    #[error("Something went wrong on our side.")]
    Internal(String),
}

impl ServiceError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        ServiceError::Validation(fields)
    }

    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::StepUpRequired => "step_up_required",
            ServiceError::Forbidden => "forbidden",
            ServiceError::NotAllowed(refusal) => refusal.code(),
            ServiceError::NotFound => "not_found",
            ServiceError::Stale { code, .. } => code,
            ServiceError::TooLarge(_) => "payload_too_large",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Blocked { code, .. } => code,
            ServiceError::Validation(_) => "validation_failed",
            ServiceError::InvalidCredentials => "invalid_credentials",
            ServiceError::InvalidToken => "invalid_token",
            ServiceError::AccountDisabled => "account_disabled",
            ServiceError::RateLimited { .. } | ServiceError::LimitReached { .. } => "rate_limited",
            ServiceError::Busy { .. } => "busy",
            ServiceError::Database(_) | ServiceError::Unavailable => "unavailable",
            ServiceError::Internal(_) => "internal",
        }
    }
}

impl From<validator::ValidationErrors> for ServiceError {
    fn from(errors: validator::ValidationErrors) -> Self {
        ServiceError::Validation(portcullis_domain::account::field_errors(&errors))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Why an operation is refused. Most refusals name a rule; the second-factor ones carry their
/// own codes, so API clients know to ask for a code or to set a factor up.
#[derive(Debug, Error)]
pub enum Refusal {
    #[error("{0}")]
    Rule(String),
    /// A rule with a code of its own, for API clients that act on the case.
    #[error("{message}")]
    Coded { code: &'static str, message: String },
    /// The password was right; the account's second factor must be shown too.
    #[error("Enter the code from your authenticator app, or one of your recovery codes.")]
    SecondFactorRequired,
    /// The account must have a second factor and has none: it may only set one up.
    #[error(
        "Your account needs a second factor before you can go on. Set one up: POST /api/v1/me/totp, add the secret \
         to an authenticator app, then send a code from it to POST /api/v1/me/totp/confirm; or add a passkey \
         (POST /api/v1/me/passkeys/registration, then POST /api/v1/me/passkeys)."
    )]
    SecondFactorSetupRequired,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Rule(_) => "forbidden",
            Refusal::Coded { code, .. } => code,
            Refusal::SecondFactorRequired => "second_factor_required",
            Refusal::SecondFactorSetupRequired => "second_factor_setup_required",
        }
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal::Rule(message)
    }
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Self {
        Refusal::Rule(message.to_owned())
    }
}
