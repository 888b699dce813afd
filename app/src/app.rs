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
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route};

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

/// Every page is its own chunk of the browser build (`cargo leptos build --split`), fetched
/// when the router first goes there: the first page does not carry the code of every page.
macro_rules! lazy_pages {
    ($($page:ident => $route:ident;)+) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )+};
}

lazy_pages! {
    Home => HomeRoute;
    RegisterPage => RegisterPageRoute;
    LoginPage => LoginPageRoute;
    VerifyEmailPage => VerifyEmailPageRoute;
    AccountPage => AccountPageRoute;
    ForgotPasswordPage => ForgotPasswordPageRoute;
    ResetPasswordPage => ResetPasswordPageRoute;
    ReviewQueue => ReviewQueueRoute;
    MyReviews => MyReviewsRoute;
    OrgsPage => OrgsPageRoute;
    OrgPage => OrgPageRoute;
    AcceptInvitationPage => AcceptInvitationPageRoute;
    VerifyContactPage => VerifyContactPageRoute;
    ApplicationsPage => ApplicationsPageRoute;
    NewApplicationPage => NewApplicationPageRoute;
    ApplicationPage => ApplicationPageRoute;
    EditApplicationPage => EditApplicationPageRoute;
    ReviewPage => ReviewPageRoute;
    CredentialsPage => CredentialsPageRoute;
    UsersPage => UsersPageRoute;
    ChecklistsPage => ChecklistsPageRoute;
    GatewayKeysPage => GatewayKeysPageRoute;
    AuditPage => AuditPageRoute;
    MailPage => MailPageRoute;
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();
    view! {
        <Title formatter=|title| format!("{title} · Portcullis")/>
        <Meta
            name="description"
            content="Apply for access to the platform's Data Portability API, follow the privacy and security review, and manage your API credentials."
        />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header/>
            <main id="main" class="container">
                // Async: pages arrive complete, so they read fine without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=path!("") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("register") view={Lazy::<RegisterPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("login") view={Lazy::<LoginPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("verify-email") view={Lazy::<VerifyEmailPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account") view={Lazy::<AccountPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("forgot-password") view={Lazy::<ForgotPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reset-password") view={Lazy::<ResetPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("review") view={Lazy::<ReviewQueueRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("review/mine") view={Lazy::<MyReviewsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("orgs") view={Lazy::<OrgsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("orgs/:id") view={Lazy::<OrgPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("invitations/accept") view={Lazy::<AcceptInvitationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("verify-contact") view={Lazy::<VerifyContactPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications") view={Lazy::<ApplicationsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/new") view={Lazy::<NewApplicationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id") view={Lazy::<ApplicationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/edit") view={Lazy::<EditApplicationPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/review") view={Lazy::<ReviewPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/credentials") view={Lazy::<CredentialsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view={Lazy::<UsersPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/checklists") view={Lazy::<ChecklistsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/gateway-keys") view={Lazy::<GatewayKeysPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view={Lazy::<AuditPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/mail") view={Lazy::<MailPageRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
