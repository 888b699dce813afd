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
use leptos_router::{ChooseView, SsrMode};

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
/// The sign-in page is not split off: it is where most first visits go, alone or next, and its
/// code, shared with many groups, came as some thirty small files that compress worse apart
/// (70 KB with brotli, against 30 KB more in the main module).
///
/// Each page's view is its own `#[lazy]` function, named after the page (the split tool tells
/// functions apart by name). `#[lazy(name)]` names its split module after `name` and where the
/// attribute is written: written once, below, every function of a group lands in one module.
/// `then` names more code the page may hydrate with, loaded before it as well.
///
/// Every lazy route's view is one [`PageView`]: the router's code for a view is generated per view
/// type, and one type for every route keeps one copy of it in the main module.
macro_rules! lazy_pages {
    ($($group:ident { $($page:ident in $module:ident $(, then $also:path)?;)+ })+) => {
        $($(
            /// The page, or with `false` nothing: loading the code is all a preload wants.
            #[leptos::lazy($group)]
            fn $module(show: bool) -> AnyView {
                if show { view! { <$page/> }.into_any() } else { ().into_any() }
            }
        )+)+

        /// A route's page, shown once its group's code is loaded.
        #[derive(Clone, Copy)]
        enum PageView {
            $($($page,)+)+
        }

        impl ChooseView for PageView {
            async fn choose(self) -> AnyView {
                match self {
                    $($(PageView::$page => $module(true).await,)+)+
                }
            }

            // The router preloads a route before hydrating it, and hydration needs the page's
            // code at hand: a page still loading would hydrate as a placeholder the server
            // never rendered. Each `#[lazy]` function tracks its own loading, so the preload
            // goes through the page's own function.
            async fn preload(&self) {
                match self {
                    $($(PageView::$page => {
                        $module(false).await;
                        $($also().await;)?
                    })+)+
                }
            }
        }
    };
}

lazy_pages! {
    // Where a first visit usually lands: alone, so it comes with the least code.
    home_page {
        Home in home, then crate::pages::home::preload_dashboard;
    }
    sign_in_pages {
        RegisterPage in register_page;
        VerifyEmailPage in verify_email_page;
        ForgotPasswordPage in forgot_password_page;
        ResetPasswordPage in reset_password_page;
        AcceptInvitationPage in accept_invitation_page;
        VerifyContactPage in verify_contact_page;
        SsoProblemPage in sso_problem_page;
    }
    developer_pages {
        AccountPage in account_page;
        SecurityPage in security_page;
        OrgsPage in orgs_page;
        OrgPage in org_page;
        ApplicationsPage in applications_page;
        NewApplicationPage in new_application_page;
        ApplicationPage in application_page;
        CredentialsPage in credentials_page;
    }
    // The largest page by far, and only while a draft is edited.
    editor_pages {
        EditApplicationPage in edit_application_page;
    }
    reviewer_pages {
        ReviewQueue in review_queue_page;
        MyReviews in my_reviews_page;
        ReviewPage in review_page;
    }
    admin_pages {
        UsersPage in users_page;
        ChecklistsPage in checklists_page;
        GatewayKeysPage in gateway_keys_page;
        AuditPage in audit_page;
        MailPage in mail_page;
        ReportsPage in reports_page;
        ReviewsPage in reviews_page;
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
                    <Route path=path!("") view=PageView::Home ssr=SsrMode::Async/>
                    <Route path=path!("register") view=PageView::RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("verify-email") view=PageView::VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=PageView::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("account/security") view=PageView::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("forgot-password") view=PageView::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("reset-password") view=PageView::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("sso/problem") view=PageView::SsoProblemPage ssr=SsrMode::Async/>
                    <Route path=path!("review") view=PageView::ReviewQueue ssr=SsrMode::Async/>
                    <Route path=path!("review/mine") view=PageView::MyReviews ssr=SsrMode::Async/>
                    <Route path=path!("orgs") view=PageView::OrgsPage ssr=SsrMode::Async/>
                    <Route path=path!("orgs/:id") view=PageView::OrgPage ssr=SsrMode::Async/>
                    <Route path=path!("invitations/accept") view=PageView::AcceptInvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("verify-contact") view=PageView::VerifyContactPage ssr=SsrMode::Async/>
                    <Route path=path!("applications") view=PageView::ApplicationsPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/new") view=PageView::NewApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id") view=PageView::ApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/edit") view=PageView::EditApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/review") view=PageView::ReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/reviews") view=PageView::ReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("applications/:id/credentials") view=PageView::CredentialsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view=PageView::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/checklists") view=PageView::ChecklistsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/gateway-keys") view=PageView::GatewayKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=PageView::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/mail") view=PageView::MailPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/reports") view=PageView::ReportsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
