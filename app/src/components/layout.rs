//! The page frame: header with navigation for the signed-in user's roles, and the
//! "who is signed in" state every page shares.

use crate::api::auth::{Login, Logout, current_user};
use crate::components::focus::focus_heading_on_navigation;
use crate::components::form::ErrorAlert;
use crate::error::AppError;
use crate::error::server_action;
use crate::pages::applications::editor::forget_local_drafts;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_meta::Title;
use portcullis_domain::account::UserView;
use portcullis_domain::role::Role;

/// The signed-in user, refetched whenever someone signs in or out here.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<UserView>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

impl Session {
    pub fn provide() -> Self {
        let login = server_action::<Login>();
        let logout = server_action::<Logout>();
        let user = Resource::new(move || (login.version().get(), logout.version().get()), |_| current_user());
        let session = Session { user, login, logout };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context()
    }
}

#[component]
pub fn Header() -> impl IntoView {
    focus_heading_on_navigation();
    crate::components::step_up::remember_submitted_forms();
    let session = Session::get();
    view! {
        <header class="site-header">
            <div class="container header-inner">
                <a class="brand" href="/">"Portcullis"</a>
                <nav aria-label="Main">
                    <Transition fallback=|| ()>
                        {move || session.user.get().map(|user| match user {
                            Ok(Some(user)) => view! { <SignedInNav user/> }.into_any(),
                            _ => view! { <SignedOutNav/> }.into_any(),
                        })}
                    </Transition>
                </nav>
            </div>
        </header>
    }
}

#[component]
fn SignedOutNav() -> impl IntoView {
    view! {
        <ul class="nav-links">
            <li><a href="/login">"Sign in"</a></li>
            <li><a href="/register">"Register"</a></li>
        </ul>
    }
}

#[component]
fn SignedInNav(user: UserView) -> impl IntoView {
    let session = Session::get();
    let staff = user.has_role(Role::Reviewer) || user.has_role(Role::Admin);
    let admin = user.has_role(Role::Admin);
    let auditor = user.has_role(Role::Auditor);
    view! {
        <ul class="nav-links">
            <li><a href="/">"Home"</a></li>
            <li><a href="/applications">"Applications"</a></li>
            {(!auditor).then(|| view! { <li><a href="/orgs">"Organisations"</a></li> })}
            {staff.then(|| view! {
                <li><a href="/review">"Review queue"</a></li>
                <li><a href="/review/mine">"My reviews"</a></li>
            })}
            {admin.then(|| view! { <li><AdminMenu/></li> })}
            {auditor.then(|| view! { <li><a href="/admin/audit">"Audit trail"</a></li> })}
        </ul>
        <div class="nav-user">
            <a class="user-name" href="/account" title="Your account">{user.name}</a>
            <ActionForm action=session.logout attr:class="inline-form" on:submit=|_| forget_local_drafts()>
                <button type="submit" class="button secondary small">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// The admin pages in one menu, so the navigation stays on one line. A `<details>`: it opens
/// by keyboard and without JavaScript; choosing a page or pressing Escape closes it.
#[component]
fn AdminMenu() -> impl IntoView {
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = move || {
        if let Some(menu) = menu.get() {
            menu.set_open(false);
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape"
            && let Some(menu) = menu.get()
            && menu.open()
        {
            menu.set_open(false);
            if let Some(summary) = menu.first_element_child().and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = summary.focus();
            }
        }
    };
    view! {
        <details class="nav-menu" node_ref=menu on:keydown=on_key>
            <summary>"Admin"</summary>
            <ul class="nav-menu-items" on:click=move |_| close()>
                <li><a href="/admin/users">"Users"</a></li>
                <li><a href="/admin/checklists">"Checklists"</a></li>
                <li><a href="/admin/gateway-keys">"Gateway keys"</a></li>
                <li><a href="/admin/audit">"Audit trail"</a></li>
                <li><a href="/admin/reports">"Reports"</a></li>
                <li><a href="/admin/mail">"Outbox"</a></li>
            </ul>
        </details>
    }
}

/// Renders `children` for a signed-in user holding one of `any_of` (or any signed-in user
/// when empty); explains otherwise. The server checks again on every call: this only
/// spares people pages they cannot use.
#[component]
pub fn RequireRole(#[prop(optional)] any_of: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let session = Session::get();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || session.user.get().map(|user| match user {
                Ok(Some(user)) if any_of.is_empty() || any_of.iter().any(|r| user.has_role(*r)) => children.with_value(|c| c()).into_any(),
                Ok(Some(_)) => view! {
                    <section class="notice">
                        <Title text="No access"/>
                        <h1>"No access"</h1>
                        <p>"You do not have access to this page."</p>
                    </section>
                }.into_any(),
                Ok(None) => view! {
                    <section class="notice">
                        <Title text="Sign in required"/>
                        <h1>"Sign in required"</h1>
                        <p>"You need to sign in to see this page. " <a href="/login">"Sign in"</a></p>
                    </section>
                }.into_any(),
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
            })}
        </Transition>
    }
}
