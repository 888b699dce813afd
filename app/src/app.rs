use crate::components::layout::{Header, Session};
use crate::pages::NotFound;
use crate::pages::admin::reports::ReportsPage;
use crate::pages::admin::{AuditPage, MailPage, UsersPage};
use crate::pages::applications::credentials::CredentialsPage;
use crate::pages::applications::editor::EditApplicationPage;
use crate::pages::applications::review::ReviewPage;
use crate::pages::applications::reviews::ReviewsPage;
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
use crate::pages::security::SecurityPage;
use crate::pages::sso::SsoProblemPage;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::{Lazy, LazyRoute, SsrMode};

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
                <crate::hydration::DeferredHydration options/>
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

/// Pages are fetched in groups (`cargo leptos build --split`), when the router first goes to
/// one of them: the first page does not carry the code of every page. One chunk per group
/// rather than per page, because code shared by some pages but not all is split into a chunk
/// per combination of pages that use it: per page, the first visit fetched some seventy files.
///
/// Each page's view is its own `#[lazy]` function, named after the page (the split tool tells
/// functions apart by name). `#[lazy(name)]` names its split module after `name` and where the
/// attribute is written: written once, below, every function of a group lands in one module.
/// `then` names more code the page may hydrate with, loaded before it as well.
macro_rules! lazy_pages {
    ($($group:ident { $($page:ident => $route:ident in $module:ident $(, then $also:path)?;)+ })+) => {$($(
        struct $route;

        /// The page, or with `None` nothing: loading the code is all a preload wants.
        #[leptos::lazy($group)]
        fn $module(page: Option<$route>) -> AnyView {
            match page {
                Some(_) => view! { <$page/> }.into_any(),
                None => ().into_any(),
            }
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            // The router preloads a route before hydrating it, and hydration needs the page's
            // code at hand: a page still loading would hydrate as a placeholder the server
            // never rendered. Each `#[lazy]` function tracks its own loading, so the preload
            // goes through the page's own function.
            async fn preload() {
                $module(None).await;
                $($also().await;)?
            }

            async fn view(this: Self) -> AnyView {
                $module(Some(this)).await
            }
        }
    )+)+};
}

lazy_pages! {
    // Where a first visit usually lands: each alone, so it comes with the least code.
    home_page {
        Home => HomeRoute in home, then crate::pages::home::preload_dashboard;
    }
    login_page {
        LoginPage => LoginPageRoute in login;
    }
    sign_in_pages {
        RegisterPage => RegisterPageRoute in register_page;
        VerifyEmailPage => VerifyEmailPageRoute in verify_email_page;
        ForgotPasswordPage => ForgotPasswordPageRoute in forgot_password_page;
        ResetPasswordPage => ResetPasswordPageRoute in reset_password_page;
        AcceptInvitationPage => AcceptInvitationPageRoute in accept_invitation_page;
        VerifyContactPage => VerifyContactPageRoute in verify_contact_page;
        SsoProblemPage => SsoProblemPageRoute in sso_problem_page;
    }
    developer_pages {
        AccountPage => AccountPageRoute in account_page;
        SecurityPage => SecurityPageRoute in security_page;
        OrgsPage => OrgsPageRoute in orgs_page;
        OrgPage => OrgPageRoute in org_page;
        ApplicationsPage => ApplicationsPageRoute in applications_page;
        NewApplicationPage => NewApplicationPageRoute in new_application_page;
        ApplicationPage => ApplicationPageRoute in application_page;
        CredentialsPage => CredentialsPageRoute in credentials_page;
    }
    // The largest page by far, and only while a draft is edited.
    editor_pages {
        EditApplicationPage => EditApplicationPageRoute in edit_application_page;
    }
    reviewer_pages {
        ReviewQueue => ReviewQueueRoute in review_queue_page;
        MyReviews => MyReviewsRoute in my_reviews_page;
        ReviewPage => ReviewPageRoute in review_page;
    }
    admin_pages {
        UsersPage => UsersPageRoute in users_page;
        ChecklistsPage => ChecklistsPageRoute in checklists_page;
        GatewayKeysPage => GatewayKeysPageRoute in gateway_keys_page;
        AuditPage => AuditPageRoute in audit_page;
        MailPage => MailPageRoute in mail_page;
        ReportsPage => ReportsPageRoute in reports_page;
        ReviewsPage => ReviewsPageRoute in reviews_page;
    }
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
                    <Route path=path!("account/security") view={Lazy::<SecurityPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("forgot-password") view={Lazy::<ForgotPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reset-password") view={Lazy::<ResetPasswordPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("sso/problem") view={Lazy::<SsoProblemPageRoute>::new()} ssr=SsrMode::Async/>
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
                    <Route path=path!("applications/:id/reviews") view={Lazy::<ReviewsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/credentials") view={Lazy::<CredentialsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view={Lazy::<UsersPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/checklists") view={Lazy::<ChecklistsPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/gateway-keys") view={Lazy::<GatewayKeysPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view={Lazy::<AuditPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/mail") view={Lazy::<MailPageRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/reports") view={Lazy::<ReportsPageRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
