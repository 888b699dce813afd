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

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<UserView, AppError> {
    use portcullis_domain::account::LoginInput;
    let (services, ctx, session) = caller().await?;
    let user = session_auth::log_in(&services, &session, &ctx, LoginInput { email, password }).await?;
    // Without JavaScript the browser follows this; with it the page navigates itself.
    leptos_axum::redirect("/");
    Ok(user)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let (services, ctx, session) = caller().await?;
    session_auth::log_out(&services, &session, &ctx).await?;
    leptos_axum::redirect("/");
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
