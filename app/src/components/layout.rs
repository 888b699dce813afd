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
use leptos_router::hooks::use_location;
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
            <li><NavLink href="/login">"Sign in"</NavLink></li>
            <li><NavLink href="/register">"Register"</NavLink></li>
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
            <li><NavLink href="/" exact=true>"Home"</NavLink></li>
            <li><NavLink href="/applications">"Applications"</NavLink></li>
            {(!auditor).then(|| view! { <li><NavLink href="/orgs">"Organisations"</NavLink></li> })}
            {staff.then(|| view! {
                <li><NavLink href="/review" exact=true>"Review queue"</NavLink></li>
                <li><NavLink href="/review/mine">"My reviews"</NavLink></li>
            })}
            {admin.then(|| view! { <li><AdminMenu/></li> })}
            {auditor.then(|| view! { <li><NavLink href="/admin/audit">"Audit trail"</NavLink></li> })}
        </ul>
        <div class="nav-user">
            <a class="user-name" href="/account" title="Your account">{user.name}</a>
            <ActionForm action=session.logout attr:class="inline-form" on:submit=|_| forget_local_drafts()>
                <button type="submit" class="button secondary small">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// A link of the main navigation, marked as the current page while its section is shown, so
/// people (and screen readers) see where they are.
#[component]
fn NavLink(href: &'static str, #[prop(optional)] exact: bool, children: Children) -> impl IntoView {
    let location = use_location();
    let current = move || location.pathname.with(|path| in_section(path, href, exact)).then_some("page");
    view! { <a href=href aria-current=current>{children()}</a> }
}

/// Whether the page at `path` belongs to the navigation entry `href`: the page itself, or with
/// `exact` false the pages under it too (an application's page is under "Applications").
fn in_section(path: &str, href: &str, exact: bool) -> bool {
    let path = path.trim_end_matches('/');
    let href = href.trim_end_matches('/');
    path == href || (!exact && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
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
                <li><NavLink href="/admin/users">"Users"</NavLink></li>
                <li><NavLink href="/admin/checklists">"Checklists"</NavLink></li>
                <li><NavLink href="/admin/gateway-keys">"Gateway keys"</NavLink></li>
                <li><NavLink href="/admin/audit">"Audit trail"</NavLink></li>
                <li><NavLink href="/admin/reports">"Reports"</NavLink></li>
                <li><NavLink href="/admin/mail">"Outbox"</NavLink></li>
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

#[cfg(test)]
mod tests {
    use super::in_section;

    #[test]
    fn a_page_is_in_its_own_section_and_a_list_holds_the_pages_under_it() {
        assert!(in_section("/applications", "/applications", false));
        assert!(in_section("/applications/", "/applications", false));
        assert!(in_section("/applications/42/credentials", "/applications", false));
        assert!(!in_section("/applications-archive", "/applications", false), "a longer name is another page");
        assert!(!in_section("/orgs", "/applications", false));
    }

    #[test]
    fn an_exact_entry_is_current_on_its_page_alone() {
        assert!(in_section("/", "/", true));
        assert!(!in_section("/applications", "/", true), "Home is not current on every page");
        assert!(in_section("/review", "/review", true));
        assert!(!in_section("/review/mine", "/review", true), "My reviews has its own entry");
        assert!(in_section("/review/mine", "/review/mine", false));
    }
}
