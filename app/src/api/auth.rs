use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::account::UserView;

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_service::{accounts, session_auth},
};

/// The signed-in user, if any.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    let (_, ctx, _) = caller().await?;
    Ok(ctx.actor.map(|actor| actor.view()))
}

#[server(prefix = "/rpc", endpoint = "register")]
/// Answers with the address the link went to, as the page shows it.
pub async fn register(name: String, email: String, password: String) -> Result<String, AppError> {
    use portcullis_domain::account::RegisterInput;
    let (services, ctx, _) = caller().await?;
    let user = accounts::register(&services, &ctx, RegisterInput { email, password, name }).await?;
    leptos_axum::redirect("/register?sent=1");
    Ok(user.email)
}

/// `code`, from the authenticator app or a recovery code, once the first try said the account
/// needs one (an empty field counts as none).
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: String, code: Option<String>) -> Result<UserView, AppError> {
    use portcullis_domain::account::{SecondFactorState, SignInInput};
    let (services, ctx, session) = caller().await?;
    let code = code.filter(|code| !code.trim().is_empty());
    let user = session_auth::log_in(&services, &session, &ctx, SignInInput { email, password, code }).await?;
    // Without JavaScript the browser follows this; with it the router goes there too. An
    // account that must set up a second factor can do nothing else first.
    leptos_axum::redirect(if user.second_factor == SecondFactorState::SetupRequired {
        "/account/security"
    } else {
        "/"
    });
    Ok(user)
}

/// Starts setting up an authenticator app: the secret to add to it, shown once.
#[server(prefix = "/rpc", endpoint = "start_totp")]
pub async fn start_totp() -> Result<TotpSetup, AppError> {
    let (services, ctx, _) = caller().await?;
    let enrolment = portcullis_service::second_factors::start_totp(&services, &ctx).await?;
    Ok(TotpSetup::new(enrolment.secret, enrolment.otpauth_uri, enrolment.qr_svg))
}

/// Confirms the new authenticator app with a code from it; answers with the recovery codes.
#[server(prefix = "/rpc", endpoint = "confirm_totp")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use portcullis_domain::second_factor::CodeInput;
    let (services, ctx, session) = caller().await?;
    let codes = session_auth::confirm_totp(&services, &session, &ctx, CodeInput { code }).await?;
    Ok(codes.recovery_codes)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let (services, ctx, session) = caller().await?;
    // Signed in through the organisation's identity provider: signed out there too.
    let next = session_auth::log_out(&services, &session, &ctx).await?;
    leptos_axum::redirect(next.as_ref().map_or("/", |url| url.as_str()));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use portcullis_domain::account::VerifyEmailInput;
    let (services, ctx, _) = caller().await?;
    accounts::verify_email(&services, &ctx, VerifyEmailInput { token }).await?;
    leptos_axum::redirect("/verify-email?done=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(accounts::resend_verification(&services, &ctx).await?)
}

#[server(prefix = "/rpc", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use portcullis_domain::account::PasswordResetRequest;
    let (services, ctx, _) = caller().await?;
    accounts::request_password_reset(&services, &ctx, PasswordResetRequest { email }).await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use portcullis_domain::account::PasswordResetConfirm;
    let (services, ctx, _) = caller().await?;
    accounts::confirm_password_reset(&services, &ctx, PasswordResetConfirm { token, password }).await?;
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}

/// Sets a new password; every other session of the account ends.
#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    use portcullis_domain::account::PasswordChangeInput;
    let (services, ctx, session) = caller().await?;
    session_auth::change_password(&services, &session, &ctx, PasswordChangeInput { current_password, password })
        .await?;
    leptos_axum::redirect("/account?changed=1");
    Ok(())
}

/// What the page shows to set up an authenticator app: the secret, in groups of four for
/// typing, and the `otpauth:` link that phones open in their authenticator app.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct TotpSetup {
    pub secret_groups: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG, made by the server from the URI alone).
    pub qr_svg: String,
}

impl TotpSetup {
    pub fn new(secret: String, otpauth_uri: String, qr_svg: String) -> Self {
        let groups: Vec<String> =
            secret.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect();
        TotpSetup { secret_groups: groups.join(" "), otpauth_uri, qr_svg }
    }
}
