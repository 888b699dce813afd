//! The messages Portcullis sends, each with a text and an HTML body.

use super::OutgoingMail;

/// Escapes text for HTML bodies: names and subjects come from users.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message of greeting, paragraphs and one call to action.
struct Letter<'a> {
    to: &'a str,
    subject: &'a str,
    greeting_name: &'a str,
    paragraphs: &'a [&'a str],
    action: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

impl Letter<'_> {
    fn render(&self) -> OutgoingMail {
        let mut text = format!("Hello {},\n\n", self.greeting_name);
        let mut html = format!(
            "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1b1f24\">\
             <p>Hello {},</p>",
            escape_html(self.greeting_name)
        );
        for p in self.paragraphs {
            text.push_str(p);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        if let Some((label, url)) = self.action {
            text.push_str(&format!("{label}: {url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;background:#1f4fd6;color:#fff;\
                 text-decoration:none;border-radius:6px\">{label}</a></p>\
                 <p style=\"font-size:13px;color:#555\">Or paste this address into your browser: {url}</p>",
                url = escape_html(url),
                label = escape_html(label)
            ));
        }
        text.push_str(self.footer);
        text.push_str("\n\n-- \nPortcullis\n");
        html.push_str(&format!(
            "<p style=\"font-size:13px;color:#555\">{}</p><p>— Portcullis</p></body></html>",
            escape_html(self.footer)
        ));
        OutgoingMail { to: self.to.to_owned(), subject: self.subject.to_owned(), text, html }
    }
}

pub(crate) fn verify_email(to: &str, name: &str, link: &str) -> OutgoingMail {
    Letter {
        to,
        subject: "Confirm your email address",
        greeting_name: name,
        paragraphs: &["Please confirm that this is your email address to finish setting up your Portcullis account."],
        action: Some(("Confirm email address", link)),
        footer: "The link is valid for 24 hours. If you did not create an account, ignore this message.",
    }
    .render()
}

pub(crate) fn password_reset(to: &str, name: &str, link: &str) -> OutgoingMail {
    Letter {
        to,
        subject: "Reset your Portcullis password",
        greeting_name: name,
        paragraphs: &["Someone asked to reset the password of your Portcullis account."],
        action: Some(("Choose a new password", link)),
        footer: "The link is valid for 1 hour and works once. If you did not ask for it, ignore this message: your password stays as it is.",
    }
    .render()
}

pub(crate) fn second_factors_reset(to: &str, name: &str) -> OutgoingMail {
    Letter {
        to,
        subject: "The second factor of your Portcullis account was removed",
        greeting_name: name,
        paragraphs: &[
            "An administrator removed the second factor of your Portcullis account (its authenticator app, recovery \
             codes and passkeys), as asked \
             when a device is lost.",
            "Sign in with your password and set up a new second factor. If you did not ask for this, tell your \
             administrator at once and change your password.",
        ],
        action: None,
        footer: "Codes from the old authenticator entry no longer work; you can delete it from the app.",
    }
    .render()
}

/// A new passkey: the owner hears of it, so a passkey added in a stolen session (which could
/// sign in on its own) does not go unnoticed.
pub(crate) fn passkey_added(to: &str, name: &str, passkey_name: &str, account_page: &str) -> OutgoingMail {
    let said = format!(
        "A passkey named \"{passkey_name}\" was added to your Portcullis account: it can now sign in to it on its own."
    );
    factor_added(to, name, "A passkey was added to your account", &said, account_page)
}

/// A confirmed authenticator app, for the same reason.
pub(crate) fn totp_added(to: &str, name: &str, account_page: &str) -> OutgoingMail {
    let said = "An authenticator app was set up as a second factor of your Portcullis account.";
    factor_added(to, name, "An authenticator app was added to your account", said, account_page)
}

fn factor_added(to: &str, name: &str, subject: &str, said: &str, account_page: &str) -> OutgoingMail {
    Letter {
        to,
        subject,
        greeting_name: name,
        paragraphs: &[
            said,
            "If it was not you, someone else is signed in to your account: change your password at once, remove \
             what you did not add on your account page, and tell your administrator.",
        ],
        action: Some(("Your account", account_page)),
        footer: "If it was you, there is nothing more to do.",
    }
    .render()
}

pub(crate) fn password_changed(to: &str, name: &str, reset_page: &str) -> OutgoingMail {
    Letter {
        to,
        subject: "Your Portcullis password was changed",
        greeting_name: name,
        paragraphs: &[
            "The password of your Portcullis account was changed, and every session signed in with the old one has ended.",
            "If you did not change it, someone else may have: reset it again at once to take the account back.",
        ],
        action: Some(("Reset password", reset_page)),
        footer: "If it was you, there is nothing more to do.",
    }
    .render()
}

/// A sign-in from a device the account had not used: the person can tell at once if it was not them.
pub(crate) fn new_sign_in(
    to: &str,
    name: &str,
    device: &str,
    address: Option<&str>,
    security_page: &str,
) -> OutgoingMail {
    let what = match address {
        Some(address) => format!(
            "Your Portcullis account was just signed in to from a new device: {device}, from the address {address}."
        ),
        None => format!("Your Portcullis account was just signed in to from a new device: {device}."),
    };
    Letter {
        to,
        subject: "New sign-in to your Portcullis account",
        greeting_name: name,
        paragraphs: &[
            &what,
            "If it was not you, end that session on your Security page and change your password at once.",
        ],
        action: Some(("Review where you are signed in", security_page)),
        footer: "If it was you, there is nothing more to do.",
    }
    .render()
}

pub(crate) fn already_registered(to: &str, name: &str, reset_page: &str) -> OutgoingMail {
    Letter {
        to,
        subject: "Someone tried to register with your email address",
        greeting_name: name,
        paragraphs: &[
            "Somebody tried to create a Portcullis account with this email address, which already has one. No new account was created.",
            "If it was you and you forgot your password, you can reset it.",
        ],
        action: Some(("Reset password", reset_page)),
        footer: "If it was not you, you can ignore this message.",
    }
    .render()
}

pub(crate) fn org_invitation(to: &str, org_name: &str, inviter: &str, link: &str) -> OutgoingMail {
    let invited = format!(
        "{inviter} invited you to join {org_name} on Portcullis, where it applies for access to the platform's Data Portability API."
    );
    Letter {
        to,
        subject: "You are invited to join an organisation on Portcullis",
        greeting_name: to,
        paragraphs: &[&invited, "To accept, sign in (or register) with this email address, then open the link."],
        action: Some(("Accept the invitation", link)),
        footer: "The invitation is valid for 7 days. If you do not know the sender, ignore this message.",
    }
    .render()
}

pub(crate) fn org_contact_verification(to: &str, org_name: &str, requester: &str, link: &str) -> OutgoingMail {
    let named = format!(
        "{requester} named this address as the contact of {org_name} on Portcullis, where it applies for access to the platform's Data Portability API."
    );
    Letter {
        to,
        subject: "Confirm the contact address of your organisation",
        greeting_name: to,
        paragraphs: &[
            &named,
            "Open the link to confirm that news about its applications may be sent here. Until then nothing else is mailed to this address.",
        ],
        action: Some(("Confirm this address", link)),
        footer: "The link is valid for 7 days. If you do not know this organisation, ignore this message: you will not hear from us again.",
    }
    .render()
}

pub(crate) fn submission_received(to: &str, name: &str, app_name: &str, reference: &str, link: &str) -> OutgoingMail {
    let subject = format!("Application {reference} received");
    let received = format!("We received the application for {app_name}. Its reference number is {reference}.");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[
            &received,
            "A privacy and security reviewer will look at it; you will get an email when there is news.",
        ],
        action: Some(("View the application", link)),
        footer: "Quote the reference number in any correspondence about this application.",
    }
    .render()
}

pub(crate) fn production_credentials_awaited(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("Approved: {reference} awaits production credentials");
    let approved = format!(
        "The reviewers approved {app_name} ({reference}). Its production credentials wait for an admin to issue them; \
         an owner of the organisation then collects the secret."
    );
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&approved],
        action: Some(("Issue production credentials", link)),
        footer: "You receive this because you are an admin of the portal.",
    }
    .render()
}

pub(crate) fn changes_requested(to: &str, name: &str, app_name: &str, reference: &str, link: &str) -> OutgoingMail {
    let subject = format!("Changes requested for application {reference}");
    let body = format!("The reviewers asked for changes to the application for {app_name} ({reference}).");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, "Their message and the checklist items to address are on the application's status page."],
        action: Some(("See what to change", link)),
        footer: "Edit the application and submit it again when you are ready.",
    }
    .render()
}

pub(crate) fn decision(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    outcome: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("Decision on application {reference}: {outcome}");
    let body = format!("The review of the application for {app_name} ({reference}) is complete: {outcome}.");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body],
        action: Some(("View the decision", link)),
        footer: "You can reply through the application's message thread.",
    }
    .render()
}

/// The application the mail is about: its name and reference, and the link to its page.
pub(crate) struct AboutApplication<'a> {
    pub name: &'a str,
    pub reference: &'a str,
    pub link: &'a str,
}

/// To the organisation: its appeal was filed.
pub(crate) fn appeal_received(to: &str, name: &str, about: &AboutApplication, deadline: &str) -> OutgoingMail {
    let subject = format!("Appeal received for application {}", about.reference);
    let body = format!(
        "We received the appeal against the rejection of {} ({}), filed before the deadline of {deadline}.",
        about.name, about.reference
    );
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[
            &body,
            "Reviewers who took no part in the rejection will decide it; you will get an email with their decision.",
        ],
        action: Some(("View the application", about.link)),
        footer: "A rejection can be appealed once.",
    }
    .render()
}

/// To a reviewer who may decide it: an appeal waits.
pub(crate) fn appeal_to_decide(to: &str, name: &str, about: &AboutApplication) -> OutgoingMail {
    let subject = format!("Appeal to decide: application {}", about.reference);
    let body = format!(
        "The organisation behind {} ({}) appealed its rejection. You took no part in the rejection, so you may \
         decide the appeal.",
        about.name, about.reference
    );
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, "Read their reasons and the rejected revision, then uphold or overturn the rejection."],
        action: Some(("Decide the appeal", about.link)),
        footer: "The review queue lists every appeal waiting for a decision (filter: appeals).",
    }
    .render()
}

/// To the organisation: the outcome of its appeal, with the reason.
pub(crate) fn appeal_decided(
    to: &str,
    name: &str,
    about: &AboutApplication,
    overturned: bool,
    reason: &str,
) -> OutgoingMail {
    let (subject, body, next) = if overturned {
        (
            format!("Appeal overturned: application {} is back in review", about.reference),
            format!("The reviewers overturned the rejection of {} ({}).", about.name, about.reference),
            "The application is back in review as a new revision; you will get an email when they decide.",
        )
    } else {
        (
            format!("Appeal upheld: application {} stays rejected", about.reference),
            format!("The reviewers upheld the rejection of {} ({}).", about.name, about.reference),
            "This decision is final: a rejection can be appealed once.",
        )
    };
    let reason = format!("Their reason: {reason}");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, &reason, next],
        action: Some(("View the application", about.link)),
        footer: "You can reply through the application's message thread.",
    }
    .render()
}

/// Who belongs to an organisation changed; `what` says how, as a sentence.
pub(crate) fn membership_changed(to: &str, name: &str, org_name: &str, what: &str, link: &str) -> OutgoingMail {
    let subject = format!("Membership of {org_name} changed");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[what],
        action: Some(("See the organisation", link)),
        footer: "If this is unexpected, ask an owner of the organisation.",
    }
    .render()
}

/// `change` is `suspended` or `reinstated`.
pub(crate) fn access_changed(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    change: &str,
    reason: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("API access {change} for application {reference}");
    let body = if change == "suspended" {
        format!("API access for {app_name} ({reference}) is suspended: its credentials and tokens stopped working.")
    } else {
        format!("API access for {app_name} ({reference}) is reinstated: its credentials work again.")
    };
    let why = format!("Reason: {reason}");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, &why],
        action: Some(("See the application", link)),
        footer: "Ask through the application's message thread if you have questions.",
    }
    .render()
}

/// A reminder that production credentials expire, with the way to keep access.
pub(crate) fn credential_expiring(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    client_id: &str,
    expires_at: &str,
    link: &str,
) -> OutgoingMail {
    let subject =
        format!("API credentials of application {reference} expire on {}", &expires_at[..10.min(expires_at.len())]);
    let body =
        format!("The production API credentials {client_id} of {app_name} ({reference}) expire at {expires_at}.");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[
            &body,
            "To keep access, ask for recertification from the application's page: the application is reviewed \
             again, and new credentials are issued once it is approved.",
        ],
        action: Some(("Open the application", link)),
        footer: "Without recertification the credentials stop working when they expire.",
    }
    .render()
}

/// Names the credential by its public client id; never a secret.
pub(crate) fn credentials_narrowed(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    client_id: &str,
    removed: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("API access narrowed for application {reference}");
    let body = format!(
        "The decision on {app_name} ({reference}) grants fewer scopes than its credentials {client_id} carried. \
         They no longer carry {removed}: new tokens leave them out, and existing tokens lost them at once."
    );
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body],
        action: Some(("See the decision", link)),
        footer: "Ask through the application's message thread if you have questions.",
    }
    .render()
}

pub(crate) fn credential_revoked(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    client_id: &str,
    reason: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("API credentials revoked for application {reference}");
    let body = format!(
        "The API credentials {client_id} of {app_name} ({reference}) were revoked and stopped working immediately."
    );
    let why = format!("Reason: {reason}");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, &why],
        action: Some(("See the application", link)),
        footer: "Ask through the application's message thread if you have questions.",
    }
    .render()
}

/// Tells an owner that a production secret waits for them; the secret itself never travels
/// by mail.
pub(crate) fn secret_ready(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    client_id: &str,
    collect_by: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("Production credentials ready to collect for application {reference}");
    let body = format!(
        "Production API credentials {client_id} were issued for {app_name} ({reference}). As an owner of the \
         organisation, sign in and collect the client secret: it is shown once, to you only."
    );
    let deadline = format!("Collect it before {collect_by}; after that it lapses and an admin has to issue it again.");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, &deadline],
        action: Some(("Collect the secret", link)),
        footer: "Nobody at the platform has seen this secret, and nobody will ever ask you for it.",
    }
    .render()
}

/// An admin replaced a production secret: the current one ends after the overlap.
#[expect(clippy::too_many_arguments, reason = "one value per blank of the letter")]
pub fn rotation_forced(
    to: &str,
    name: &str,
    app_name: &str,
    reference: &str,
    client_id: &str,
    current_valid_until: &str,
    collect_by: &str,
    link: &str,
) -> OutgoingMail {
    let subject = format!("Collect a new client secret for application {reference}");
    let body = format!(
        "An admin rotated the production client secret of {client_id} for {app_name} ({reference}). The current \
         secret keeps working until {current_valid_until}, then stops."
    );
    let deadline = format!(
        "As an owner of the organisation, collect the new secret before {collect_by} and switch your app to it."
    );
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body, &deadline],
        action: Some(("Collect the new secret", link)),
        footer: "Nobody at the platform has seen the new secret, and nobody will ever ask you for it.",
    }
    .render()
}

/// Says that there is a message, not what it says: bodies stay in the portal.
/// The subject of [`new_message`], by which recent notifications about a thread are found.
pub(crate) fn new_message_subject(reference: &str) -> String {
    format!("New message about application {reference}")
}

pub(crate) fn new_message(to: &str, name: &str, app_name: &str, reference: &str, link: &str) -> OutgoingMail {
    let subject = new_message_subject(reference);
    let body = format!("There is a new message about the application for {app_name} ({reference}).");
    Letter {
        to,
        subject: &subject,
        greeting_name: name,
        paragraphs: &[&body],
        action: Some(("Read the message", link)),
        footer: "Sign in to Portcullis to read and answer it.",
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_in_html_only() {
        let mail = verify_email("a@b.io", "<script>x</script>", "https://p.example/verify-email?token=t&x=1");
        assert!(mail.text.contains("Hello <script>x</script>,"));
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.html.contains("token=t&amp;x=1"));
        assert!(mail.text.contains("https://p.example/verify-email?token=t&x=1"));
    }
}
