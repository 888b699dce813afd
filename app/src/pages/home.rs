use crate::api::admin::awaiting_production;
use crate::api::applications::next_steps;
use crate::api::auth::ResendVerification;
use crate::components::form::{ErrorAlert, FormAlert, Submit, last_error};
use crate::components::layout::Session;
use crate::components::moment::Day;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use portcullis_domain::account::UserView;
use portcullis_domain::role::Role;

#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || session.user.get().map(|user| match user {
                Ok(Some(user)) => Suspend::new(dashboard(Some(user))).into_any(),
                _ => view! { <Welcome/> }.into_any(),
            })}
        </Transition>
    }
}

/// The signed-in home, fetched on its own: a first visit, signed out, does not carry the code
/// of every role's next steps. With `None`, only its code is loaded.
#[leptos::lazy]
fn dashboard(user: Option<UserView>) -> AnyView {
    match user {
        Some(user) => view! { <Dashboard user/> }.into_any(),
        None => ().into_any(),
    }
}

/// Loads the signed-in home's code before the page hydrates when the page is a signed-in one
/// (its header holds the sign-out form): hydration needs it at hand, or it would meet a
/// placeholder the server never rendered.
pub async fn preload_dashboard() {
    #[cfg(feature = "hydrate")]
    if document().query_selector("form[action='/rpc/logout']").ok().flatten().is_some() {
        dashboard(None).await;
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="hero">
            <Title text="Access to the Data Portability API"/>
            <h1>"Access to the Data Portability API"</h1>
            <p class="lead">
                "Portcullis is where developers apply to use the platform's Data Portability API, where privacy \
                 and security reviewers decide, and where approved apps get their API credentials."
            </p>
            <p class="actions">
                <a class="button primary" href="/register">"Create an account"</a>
                <a class="button secondary" href="/login">"Sign in"</a>
            </p>
        </section>
    }
}

/// Until the address is verified, nothing that mails others or reaches reviewers works:
/// say so, and offer a new link.
#[component]
fn VerifyReminder(email: String) -> impl IntoView {
    let resend = server_action::<ResendVerification>();
    let error = last_error(resend);
    view! {
        <div class="alert alert-warning" role="status">
            <p>
                {format!("Verify your email address ({email}) by opening the link we mailed you. ")}
                "Until then you cannot create an organisation, join one, submit an application or get credentials."
            </p>
            <ActionForm action=resend attr:class="inline-form">
                <Submit label="Send the link again" busy_label="Sending…" pending=resend.pending()/>
            </ActionForm>
            {move || matches!(resend.value().get(), Some(Ok(()))).then(|| view! {
                <p>"Sent. It can take a minute to arrive; check your spam folder too."</p>
            })}
            <FormAlert error/>
        </div>
    }
}

#[component]
fn Dashboard(user: UserView) -> impl IntoView {
    let reviewer = user.has_role(Role::Reviewer) || user.has_role(Role::Admin);
    let admin = user.has_role(Role::Admin);
    let auditor = user.has_role(Role::Auditor);
    // Staff review, auditors read; their own applications, if any, are under Applications.
    let developer = !reviewer && !auditor;
    view! {
        <section>
            <Title text="Home"/>
            <h1>{format!("Welcome, {}", user.name)}</h1>
            <p class="muted">{format!("Signed in as {} ({})", user.name, user.email)}</p>
            {(!user.email_verified).then(|| view! { <VerifyReminder email=user.email.clone()/> })}
            {developer.then(|| view! { <NextSteps/> })}
            {admin.then(|| view! { <AwaitingProduction/> })}
            <div class="cards">
                {auditor.then(|| view! {
                    <a class="card link-card" href="/applications">
                        <h2>"Applications"</h2>
                        <p>"Every submitted application, with its reviews, decisions and credentials. You read; nothing changes."</p>
                    </a>
                    <a class="card link-card" href="/admin/audit">
                        <h2>"Audit trail"</h2>
                        <p>"Who did what, when, from where. Your own reading is recorded there too."</p>
                    </a>
                    <a class="card link-card" href="/admin/reports">
                        <h2>"Programme reports"</h2>
                        <p>"Applications received and decided, time to decision, missed due dates and credentials in use, per period; CSV and JSON."</p>
                    </a>
                })}
                {reviewer.then(|| view! {
                    <a class="card link-card" href="/review">
                        <h2>"Review queue"</h2>
                        <p>"Applications waiting for a privacy and security review."</p>
                    </a>
                    <a class="card link-card" href="/review/mine">
                        <h2>"My reviews"</h2>
                        <p>"What is assigned to you, and approvals waiting for a second reviewer."</p>
                    </a>
                })}
                {admin.then(|| view! {
                    <a class="card link-card" href="/admin/users">
                        <h2>"Users"</h2>
                        <p>"Grant reviewer and admin roles, disable accounts."</p>
                    </a>
                    <a class="card link-card" href="/admin/checklists">
                        <h2>"Checklists"</h2>
                        <p>"The privacy and security items reviewers check, versioned."</p>
                    </a>
                    <a class="card link-card" href="/admin/audit">
                        <h2>"Audit trail"</h2>
                        <p>"Who did what, when, from where."</p>
                    </a>
                    <a class="card link-card" href="/admin/reports">
                        <h2>"Programme reports"</h2>
                        <p>"What the review programme did, per period and per scope."</p>
                    </a>
                    <a class="card link-card" href="/admin/mail">
                        <h2>"Outbox"</h2>
                        <p>"Outgoing mail and parked delivery failures."</p>
                    </a>
                })}
            </div>
        </section>
    }
}

/// The admins' pending work: approved applications whose production credentials nobody has
/// issued yet, the longest waiting first.
#[component]
fn AwaitingProduction() -> impl IntoView {
    let waiting = Resource::new(|| (), |_| awaiting_production());
    view! {
        <section class="awaiting" aria-labelledby="awaiting-heading">
            <h2 id="awaiting-heading">"Awaiting production credentials"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || waiting.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(apps) if apps.is_empty() => view! {
                        <p class="empty">"None: every approved application has its production credentials."</p>
                    }.into_any(),
                    Ok(apps) => view! {
                        <p>{match apps.len() {
                            1 => "One approved application waits for its production credentials.".to_owned(),
                            n => format!("{n} approved applications wait for their production credentials."),
                        }}</p>
                        <ul class="plain awaiting-list">
                            {apps.into_iter().map(|app| view! {
                                <li>
                                    <a href=format!("/applications/{}/credentials", app.id)>{format!("Issue for {}", app.name)}</a>
                                    <span class="muted small">{format!(" · {} · {} · approved ", app.org_name, app.reference)}<Day at=app.updated_at/></span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The developer's next steps: never an empty page after signing in.
#[component]
fn NextSteps() -> impl IntoView {
    let steps = Resource::new(|| (), |_| next_steps());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || steps.get().map(|steps| match steps {
                Ok(steps) => view! {
                    <section class="next-steps" aria-labelledby="next-steps-heading">
                        <h2 id="next-steps-heading">"Next steps"</h2>
                        <ul class="plain cards">
                            {steps.into_iter().map(|step| view! {
                                <li class="card">
                                    <h3>{step.title}</h3>
                                    <p>{step.detail}</p>
                                    <a class="button primary" href=step.href>{step.action}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any(),
                Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}
