//! `summary.html`: the decision history in plain words, for a person to read or print. One
//! self-contained page (inline CSS, no script, nothing fetched); every string that came from a
//! user is escaped.

use crate::time::readable;

/// Someone who acted, as the pack names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    fn words(&self) -> String {
        format!("{} ({})", self.name, self.email)
    }
}

/// What a decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An approval of sensitive scopes that waits for a second reviewer.
    FirstApproval,
    /// The approval that followed a first one: the four-eyes pair is complete.
    SecondApproval,
    /// An approval that needed no second reviewer.
    Approved,
    ChangesRequested,
    Rejected,
}

/// One thing that happened to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    Submitted {
        revision: i64,
        by: Person,
    },
    ReviewStarted {
        revision: i64,
        by: Person,
    },
    Verdicts {
        revision: i64,
        by: Person,
        passed: usize,
        failed: usize,
        not_applicable: usize,
    },
    Decided {
        revision: i64,
        outcome: Outcome,
        by: Person,
        granted: Vec<String>,
        message: String,
    },
    /// `action`: the audit action after `credential.` (issued, rotated, revoked…).
    Credential {
        action: String,
        by: Option<Person>,
        client_id: Option<String>,
    },
    Message {
        by: Person,
        from_reviewers: bool,
    },
    Appealed {
        revision: i64,
        by: Person,
    },
    AppealDecided {
        revision: i64,
        by: Person,
        overturned: bool,
        reason: String,
    },
    /// A file attached to the pending appeal; the pack holds it under its digest.
    AppealFile {
        revision: i64,
        by: Person,
        label: String,
        sha256: String,
    },
}

impl Happening {
    /// The plain sentence, unescaped.
    pub fn sentence(&self) -> String {
        match self {
            Happening::Submitted { revision, by } => format!("{} submitted revision {revision}.", by.words()),
            Happening::ReviewStarted { revision, by } => {
                format!("{} started reviewing revision {revision}.", by.words())
            }
            Happening::Verdicts { revision, by, passed, failed, not_applicable } => format!(
                "{} recorded checklist verdicts on revision {revision}: {passed} passed, {failed} failed, \
                 {not_applicable} not applicable.",
                by.words()
            ),
            Happening::Decided { revision, outcome, by, granted, message } => {
                let what = match outcome {
                    Outcome::FirstApproval => {
                        format!("gave the first of two approvals of revision {revision} (a second reviewer was needed)")
                    }
                    Outcome::SecondApproval => format!("approved revision {revision}, the second of two approvals"),
                    Outcome::Approved => format!("approved revision {revision}"),
                    Outcome::ChangesRequested => format!("requested changes to revision {revision}"),
                    Outcome::Rejected => format!("rejected revision {revision}"),
                };
                let granted = match (outcome, granted.as_slice()) {
                    (Outcome::ChangesRequested | Outcome::Rejected, _) => String::new(),
                    (_, []) => ", granting no scope".to_owned(),
                    (_, scopes) => format!(", granting {}", scopes.join(", ")),
                };
                let message = if message.trim().is_empty() {
                    String::new()
                } else {
                    format!(" Message: \u{201c}{}\u{201d}", message.trim())
                };
                format!("{} {what}{granted}.{message}", by.words())
            }
            Happening::Credential { action, by, client_id } => {
                let who = by.as_ref().map_or_else(|| "The portal".to_owned(), Person::words);
                let credential =
                    client_id.as_deref().map_or_else(|| "a credential".to_owned(), |id| format!("credential {id}"));
                let verb = match action.as_str() {
                    "issued" => "issued",
                    "collected" => "collected the secret of",
                    "rotated" => "rotated the secret of",
                    "rotation_forced" => "forced a rotation of",
                    "narrowed" => "narrowed the scopes of",
                    "suspended" => "suspended",
                    "reinstated" => "reinstated",
                    "revoked" => "revoked",
                    "superseded" => "superseded",
                    "expiry_reminded" => "sent an expiry reminder for",
                    other => return format!("{who}: {credential}, {other}."),
                };
                format!("{who} {verb} {credential}.")
            }
            Happening::Appealed { revision, by } => {
                format!("{} appealed the rejection of revision {revision}.", by.words())
            }
            Happening::AppealDecided { revision, by, overturned, reason } => {
                let what = if *overturned {
                    format!(
                        "overturned the rejection of revision {revision}: the application went back to review \
                         on a new revision"
                    )
                } else {
                    format!("upheld the rejection of revision {revision}, for good")
                };
                format!("{} {what}. Reason: \u{201c}{}\u{201d}", by.words(), reason.trim())
            }
            Happening::AppealFile { revision, by, label, sha256 } => format!(
                "{} attached \u{201c}{}\u{201d} (SHA-256 {sha256}) to the appeal against the rejection of revision \
                 {revision}.",
                by.words(),
                label.trim()
            ),
            Happening::Message { by, from_reviewers } => format!(
                "{} wrote in the message thread (as {}).",
                by.words(),
                if *from_reviewers { "the reviewers" } else { "the applicant" }
            ),
        }
    }
}

/// What the page states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub application_id: String,
    pub reference: String,
    pub name: String,
    pub org_name: String,
    pub status: String,
    pub granted_scopes: Vec<String>,
    /// RFC 3339.
    pub generated_at: String,
    pub key_id: String,
    /// In time order: (RFC 3339, what happened).
    pub history: Vec<(String, Happening)>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

fn when(rfc3339: &str) -> String {
    escape(&readable(rfc3339).unwrap_or_else(|| rfc3339.to_owned()))
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;color:#111;max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;\
border-bottom:1px solid #ccc}th{white-space:nowrap}td.when{white-space:nowrap;width:13rem}\
p.note{color:#444;font-size:.9rem}@media print{body{margin:0;max-width:none}}";

/// The page.
pub fn render(summary: &Summary) -> String {
    let granted = if summary.granted_scopes.is_empty() { "None".to_owned() } else { summary.granted_scopes.join(", ") };
    let mut rows = String::new();
    for (at, happening) in &summary.history {
        rows.push_str(&format!(
            "<tr><td class=\"when\">{}</td><td>{}</td></tr>\n",
            when(at),
            escape(&happening.sentence())
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"2\">Nothing has happened yet.</td></tr>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Evidence summary: {name} ({reference})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{name}</h1>\n<p>Evidence summary of application {reference}, generated {generated}.</p>\n\
         <dl>\n<dt>Organisation</dt><dd>{org}</dd>\n<dt>Application id</dt><dd>{id}</dd>\n\
         <dt>Status</dt><dd>{status}</dd>\n<dt>Granted scopes</dt><dd>{granted}</dd>\n</dl>\n\
         <h2>Decision history</h2>\n<table>\n<thead><tr><th scope=\"col\">When (UTC)</th>\
         <th scope=\"col\">What happened</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n\
         <p class=\"note\">Every statement here is drawn from the files of this pack. Check the pack with \
         <code>portcullis evidence verify PACK.zip --key KEY</code>, where KEY is the portal's public audit key \
         (id {key}).</p>\n</body>\n</html>\n",
        name = escape(&summary.name),
        reference = escape(&summary.reference),
        generated = when(&summary.generated_at),
        org = escape(&summary.org_name),
        id = escape(&summary.application_id),
        status = escape(&summary.status),
        granted = escape(&granted),
        key = escape(&summary.key_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Person {
        Person { name: name.into(), email: format!("{}@example.com", name.to_lowercase()) }
    }

    #[test]
    fn an_appeal_and_its_outcome_read_as_sentences() {
        let appealed = Happening::Appealed { revision: 2, by: person("Dev") };
        assert_eq!(appealed.sentence(), "Dev (dev@example.com) appealed the rejection of revision 2.");
        let attached =
            Happening::AppealFile { revision: 2, by: person("Dev"), label: "Retention".into(), sha256: "ab12".into() };
        assert_eq!(
            attached.sentence(),
            "Dev (dev@example.com) attached \u{201c}Retention\u{201d} (SHA-256 ab12) to the appeal against the \
             rejection of revision 2."
        );
        let decided = |overturned| Happening::AppealDecided {
            revision: 2,
            by: person("Ana"),
            overturned,
            reason: " The scopes were narrowed. ".into(),
        };
        assert_eq!(
            decided(true).sentence(),
            "Ana (ana@example.com) overturned the rejection of revision 2: the application went back to review on a \
             new revision. Reason: \u{201c}The scopes were narrowed.\u{201d}"
        );
        assert_eq!(
            decided(false).sentence(),
            "Ana (ana@example.com) upheld the rejection of revision 2, for good. Reason: \u{201c}The scopes were \
             narrowed.\u{201d}"
        );
    }

    #[test]
    fn the_history_reads_as_sentences_with_readable_times() {
        let summary = Summary {
            application_id: "a1".into(),
            reference: "PA-ABCDEFGH".into(),
            name: "Chirp".into(),
            org_name: "Birds Ltd".into(),
            status: "approved".into(),
            granted_scopes: vec!["portability.posts.single".into()],
            generated_at: "2026-12-01T10:00:00Z".into(),
            key_id: "0123456789abcdef".into(),
            history: vec![
                ("2026-11-30T03:46:12Z".into(), Happening::Submitted { revision: 1, by: person("Dev") }),
                (
                    "2026-11-30T05:00:00Z".into(),
                    Happening::Decided {
                        revision: 1,
                        outcome: Outcome::SecondApproval,
                        by: person("Rita"),
                        granted: vec!["portability.posts.single".into()],
                        message: "Fine.".into(),
                    },
                ),
                (
                    "2026-11-30T06:00:00Z".into(),
                    Happening::Credential { action: "rotated".into(), by: None, client_id: Some("pc_1".into()) },
                ),
            ],
        };
        let html = render(&summary);
        assert!(
            html.contains(
                "<td class=\"when\">30 Nov 2026, 03:46 UTC</td><td>Dev (dev@example.com) submitted revision 1.</td>"
            ),
            "{html}"
        );
        assert!(html.contains(
            "Rita (rita@example.com) approved revision 1, the second of two approvals, granting \
             portability.posts.single. Message: \u{201c}Fine.\u{201d}"
        ));
        assert!(html.contains("The portal rotated the secret of credential pc_1."));
        assert!(html.contains("generated 1 Dec 2026, 10:00 UTC"));
        assert!(!html.contains("<script"), "no script");
        let decided = |outcome| Happening::Decided {
            revision: 3,
            outcome,
            by: person("Rita"),
            granted: vec!["portability.posts.single".into()],
            message: String::new(),
        };
        assert_eq!(
            decided(Outcome::Approved).sentence(),
            "Rita (rita@example.com) approved revision 3, granting portability.posts.single."
        );
        assert_eq!(
            decided(Outcome::FirstApproval).sentence(),
            "Rita (rita@example.com) gave the first of two approvals of revision 3 (a second reviewer was needed), \
             granting portability.posts.single."
        );
        assert_eq!(
            decided(Outcome::ChangesRequested).sentence(),
            "Rita (rita@example.com) requested changes to revision 3."
        );
        assert!(!html.contains("http"), "nothing fetched");
    }

    #[test]
    fn every_user_supplied_string_is_escaped() {
        let evil = "<script>alert('x')</script>&\"";
        let summary = Summary {
            application_id: "a1".into(),
            reference: "PA-1".into(),
            name: evil.into(),
            org_name: evil.into(),
            status: "rejected".into(),
            granted_scopes: vec![],
            generated_at: "2026-12-01T10:00:00Z".into(),
            key_id: "k".into(),
            history: vec![(
                "2026-11-30T03:46:12Z".into(),
                Happening::Decided {
                    revision: 2,
                    outcome: Outcome::Rejected,
                    by: Person { name: evil.into(), email: "e@example.com".into() },
                    granted: vec![],
                    message: evil.into(),
                },
            )],
        };
        let html = render(&summary);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(html.contains("rejected revision 2."));
    }
}
