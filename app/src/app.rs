use crate::components::layout::{Header, Session};
use crate::pages::NotFound;
use crate::pages::admin::{AuditPage, MailPage, UsersPage};
use crate::pages::applications::credentials::CredentialsPage;
use crate::pages::applications::editor::EditApplicationPage;
use crate::pages::applications::review::ReviewPage;
use crate::pages::applications::status::ApplicationPage;
use crate::pages::applications::{ApplicationsPage, NewApplicationPage};
use crate::pages::auth::{
    AccountPage, ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage, VerifyEmailPage,
};
use crate::pages::checklists::ChecklistsPage;
use crate::pages::gateway_keys::GatewayKeysPage;
use crate::pages::home::Home;
use crate::pages::orgs::{AcceptInvitationPage, OrgPage, OrgsPage, VerifyContactPage};
use crate::pages::review::{MyReviews, ReviewQueue};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The HTML document. On the server it also sets the Content-Security-Policy header with
/// this response's nonce, which the hydration scripts carry.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        response.insert_header(
            http::header::CONTENT_SECURITY_POLICY,
            http::HeaderValue::from_str(&content_security_policy(&nonce)).expect("ascii policy"),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Scripts only from this origin or carrying this response's nonce; WebAssembly may be
/// compiled for hydration; no inline styles, no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();
    view! {
        <Title formatter=|title| format!("{title} · Portcullis")/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header/>
            <main id="main" class="container">
                // Async: pages arrive complete, so they read fine without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=path!("") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("review") view=ReviewQueue ssr=SsrMode::Async/>
                    <Route path=path!("review/mine") view=MyReviews ssr=SsrMode::Async/>
                    <Route path=path!("orgs") view=OrgsPage ssr=SsrMode::Async/>
                    <Route path=path!("orgs/:id") view=OrgPage ssr=SsrMode::Async/>
                    <Route path=path!("invitations/accept") view=AcceptInvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("verify-contact") view=VerifyContactPage ssr=SsrMode::Async/>
                    <Route path=path!("applications") view=ApplicationsPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/new") view=NewApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id") view=ApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/edit") view=EditApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/review") view=ReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/credentials") view=CredentialsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/checklists") view=ChecklistsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/gateway-keys") view=GatewayKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/mail") view=MailPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
