//! The UI's error type: what a server function can fail with, safe to show to the user.

use leptos::prelude::{ServerAction, UpdateUntracked};
use leptos::server_fn::ServerFn;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use portcullis_domain::account::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    /// Signed in, but the action needs the person confirmed again: a code of their second
    /// factor, or their password.
    #[error("{0}")]
    StepUpRequired(String),
    /// The password was right; the account's second factor must be shown too.
    #[error("{0}")]
    SecondFactorRequired(String),
    /// The account must set up a second factor before it may do anything else.
    #[error("{0}")]
    SecondFactorSetupRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("This page does not exist, or you cannot see it.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// Field-level problems, shown next to each field.
    #[error("{message}")]
    Validation { message: String, fields: FieldErrors },
    /// A refusal with a reason the user can act on (wrong password, expired link, too many attempts…).
    #[error("{0}")]
    Refused(String),
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("The portal could not be reached ({0}). Check your connection and try again.")]
    Request(String),
}

impl AppError {
    /// Messages for one field of a validation error.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => fields.get(name).map(|m| m.join(" ")),
            _ => None,
        }
    }

    /// Fields whose names start with `prefix` (e.g. every `redirect_uris[…]`), joined.
    pub fn fields_under(&self, prefix: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => {
                let messages: Vec<String> =
                    fields.iter().filter(|(k, _)| k.starts_with(prefix)).flat_map(|(_, m)| m.clone()).collect();
                (!messages.is_empty()).then(|| messages.join(" "))
            }
            _ => None,
        }
    }
}

/// The messages an error read from a URL may show as they are: the portal's fixed answers
/// to forms posted without JavaScript. Anything else in a URL gets its kind's generic text.
const URL_MESSAGES: &[&str] = &[
    "Incorrect email or password.",
    "This account has been disabled. Contact an administrator.",
    "This link is invalid or has expired.",
    "You are not allowed to do that.",
    STEP_UP,
    SECOND_FACTOR,
    SECOND_FACTOR_SETUP,
];

const STEP_UP: &str = "Confirm it is you to continue: this action needs a recent confirmation.";
const SECOND_FACTOR: &str = "Enter the code from your authenticator app, or one of your recovery codes.";
const SECOND_FACTOR_SETUP: &str = "Your account needs a second factor before you can go on. Set up an authenticator app or add a passkey on your account page.";

impl AppError {
    /// An error as shown when it came in a URL (`__err`, how leptos reports a failed form
    /// posted without JavaScript). Anyone can write such a link, so only fixed messages are
    /// kept: field names stay (they only select where a message goes), their texts do not.
    pub fn from_url(error: AppError) -> AppError {
        let known = |message: String, generic: &str| {
            if URL_MESSAGES.contains(&message.as_str()) { message } else { generic.to_owned() }
        };
        match error {
            AppError::Unauthenticated | AppError::NotFound | AppError::Internal => error,
            AppError::Request(_) => AppError::Internal,
            AppError::StepUpRequired(_) => AppError::StepUpRequired(STEP_UP.to_owned()),
            AppError::SecondFactorRequired(_) => AppError::SecondFactorRequired(SECOND_FACTOR.to_owned()),
            AppError::SecondFactorSetupRequired(_) => {
                AppError::SecondFactorSetupRequired(SECOND_FACTOR_SETUP.to_owned())
            }
            AppError::Forbidden(m) => AppError::Forbidden(known(m, "You are not allowed to do that.")),
            AppError::Conflict(_) => {
                AppError::Conflict("This changed meanwhile. Reload the page and try again.".to_owned())
            }
            AppError::Refused(m) => {
                AppError::Refused(known(m, "That did not work. Check what you entered and try again."))
            }
            AppError::Validation { fields, .. } => AppError::Validation {
                message: "Some fields need attention.".to_owned(),
                fields: fields.into_keys().map(|name| (name, vec!["Check this field.".to_owned()])).collect(),
            },
        }
    }
}

/// A server action whose error from the URL, if any, is shown only through
/// [`AppError::from_url`]. Pages create their actions with this, never `ServerAction::new`.
#[track_caller]
pub fn server_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    #[expect(clippy::disallowed_methods, reason = "the one place actions are made")]
    let action = ServerAction::<S>::new();
    // A new action holds a value only when the URL carried one.
    action.value().update_untracked(|value| {
        if let Some(Err(error)) = value {
            *error = AppError::from_url(error.clone());
        }
    });
    action
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl AppError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Unauthenticated | AppError::StepUpRequired(_) | AppError::SecondFactorRequired(_) => {
                S::UNAUTHORIZED
            }
            AppError::Forbidden(_) | AppError::SecondFactorSetupRequired(_) => S::FORBIDDEN,
            AppError::NotFound => S::NOT_FOUND,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::Validation { .. } | AppError::Refused(_) => S::UNPROCESSABLE_ENTITY,
            AppError::Internal | AppError::Request(_) => S::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<portcullis_service::ServiceError> for AppError {
    fn from(error: portcullis_service::ServiceError) -> Self {
        let app_error = Self::from_service(error);
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && !plain_form_post()
        {
            response.set_status(app_error.status());
        }
        app_error
    }
}

/// A server function's form posted without JavaScript is answered with a redirect carrying
/// the error, which browsers follow only with a 3xx status; another status would show raw
/// JSON. Pages rendered on the server keep the error's status.
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.uri.path().starts_with("/rpc/")
            && parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

#[cfg(feature = "ssr")]
impl AppError {
    fn from_service(error: portcullis_service::ServiceError) -> Self {
        use portcullis_service::ServiceError as E;
        use portcullis_service::error::Refusal;
        match error {
            E::Unauthenticated => AppError::Unauthenticated,
            E::StepUpRequired => AppError::StepUpRequired(STEP_UP.to_owned()),
            E::NotAllowed(Refusal::SecondFactorRequired) => AppError::SecondFactorRequired(SECOND_FACTOR.to_owned()),
            E::NotAllowed(Refusal::SecondFactorSetupRequired) => {
                AppError::SecondFactorSetupRequired(SECOND_FACTOR_SETUP.to_owned())
            }
            E::Forbidden | E::NotAllowed(_) | E::AccountDisabled => AppError::Forbidden(error.to_string()),
            E::NotFound => AppError::NotFound,
            E::Conflict(message) | E::Blocked { message, .. } => AppError::Conflict(message),
            E::Stale { message, .. } => AppError::Conflict(message),
            E::Validation(fields) => AppError::Validation { message: error_message(&fields), fields },
            E::InvalidCredentials
            | E::InvalidToken
            | E::RateLimited { .. }
            | E::LimitReached { .. }
            | E::Busy { .. }
            | E::Unavailable
            | E::TooLarge(_) => AppError::Refused(error.to_string()),
            E::Database(e) => {
                tracing::error!(error = %e, "database error in a server function");
                AppError::Internal
            }
            E::Internal(e) => {
                tracing::error!(error = %e, "internal error in a server function");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn error_message(fields: &FieldErrors) -> String {
    if fields.len() == 1 {
        "One field needs attention.".into()
    } else {
        format!("{} fields need attention.", fields.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_from_a_url_keeps_only_fixed_messages() {
        let crafted = AppError::Refused("Your account is locked. Call +1 555 0100.".into());
        assert_eq!(
            AppError::from_url(crafted),
            AppError::Refused("That did not work. Check what you entered and try again.".into())
        );
        let real = AppError::Refused("Incorrect email or password.".into());
        assert_eq!(AppError::from_url(real.clone()), real);
        assert_eq!(
            AppError::from_url(AppError::Forbidden("Visit evil.example".into())).to_string(),
            "You are not allowed to do that."
        );
        assert!(!AppError::from_url(AppError::Conflict("Visit evil.example".into())).to_string().contains("evil"));
        assert_eq!(AppError::from_url(AppError::Request("Visit evil.example".into())), AppError::Internal);

        let fields = FieldErrors::from([("email".to_owned(), vec!["Visit evil.example".to_owned()])]);
        let shown = AppError::from_url(AppError::Validation { message: "Visit evil.example".into(), fields });
        assert_eq!(shown.to_string(), "Some fields need attention.");
        assert_eq!(shown.field("email").as_deref(), Some("Check this field."));
    }
}
