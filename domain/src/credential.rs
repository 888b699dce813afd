//! API client credentials: who may get which, with which scopes, and how long each secret and
//! token stays valid. The gate is here so that no route or page can issue around it.

use crate::application::lifecycle::Party;
use crate::application::status::ApplicationStatus;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Sandbox,
    Production,
}

impl Environment {
    pub const ALL: [Environment; 2] = [Environment::Sandbox, Environment::Production];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Environment::Sandbox => "Sandbox",
            Environment::Production => "Production",
        }
    }
}

/// Where a credential stands, as the organisation and admins see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CredentialState {
    Active,
    /// Production credentials whose first secret waits for an owner of the organisation.
    ReadyToCollect,
    /// Never collected in time: they never worked, and no longer block issuing new ones.
    Lapsed,
    /// The application is suspended (or no longer in a state that may use the API).
    Suspended,
    Expired,
    Revoked,
}

impl CredentialState {
    /// `uncollected_until`: the deadline of a first secret nobody has collected yet (`None`
    /// once collected, and always for sandbox credentials).
    pub fn of(
        revoked: bool,
        expires_at: DateTime<Utc>,
        uncollected_until: Option<DateTime<Utc>>,
        status: ApplicationStatus,
        now: DateTime<Utc>,
    ) -> CredentialState {
        if revoked {
            CredentialState::Revoked
        } else if let Some(until) = uncollected_until {
            if now < until { CredentialState::ReadyToCollect } else { CredentialState::Lapsed }
        } else if now >= expires_at {
            CredentialState::Expired
        } else if !status_allows_tokens(status) {
            CredentialState::Suspended
        } else {
            CredentialState::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CredentialState::Active => "Active",
            CredentialState::ReadyToCollect => "Ready to collect",
            CredentialState::Lapsed => "Lapsed",
            CredentialState::Suspended => "Suspended",
            CredentialState::Expired => "Expired",
            CredentialState::Revoked => "Revoked",
        }
    }

    /// Whether it has, or may still get, working secrets: it blocks issuing another set and
    /// can be revoked.
    pub fn is_live(self) -> bool {
        matches!(self, CredentialState::Active | CredentialState::ReadyToCollect | CredentialState::Suspended)
    }
}

/// A credential without any secret: what `GET …/credentials` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialView {
    pub client_id: String,
    pub application_id: String,
    pub environment: Environment,
    pub scopes: Vec<String>,
    pub state: CredentialState,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    /// Until when earlier secrets still work after rotations, newest first.
    pub previous_secrets_valid_until: Vec<String>,
    /// A new secret waits for an owner of the organisation until then (after issuing or an
    /// admin's forced rotation).
    pub collect_by: Option<String>,
}

/// `POST …/credentials`. A sandbox secret is shown here, once. A production secret is never
/// shown to the admin who issues it: it waits for an owner of the organisation until
/// `collect_by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCredential {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub environment: Environment,
    pub scopes: Vec<String>,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_by: Option<String>,
}

/// `POST /credentials/{client_id}/collect`: an owner's one look at a production secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectedSecret {
    pub client_id: String,
    pub client_secret: String,
}

/// `POST /credentials/{client_id}/force-rotation`: the current secret ends after the overlap
/// and a new one waits for the owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForcedRotation {
    pub client_id: String,
    pub previous_secret_valid_until: String,
    pub collect_by: String,
}

/// `POST /credentials/{client_id}/rotate`: the new secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub client_id: String,
    pub client_secret: String,
    pub previous_secret_valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub environment: Environment,
}

/// Revoking, suspending and reinstating say why; the reason reaches the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: String,
}

pub const MAX_REASON_CHARS: usize = 2000;

/// A reason is required and is plain text.
pub fn check_reason(reason: &str) -> Result<(), &'static str> {
    if reason.trim().is_empty() {
        Err("Give a reason: the organisation is told.")
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err("Use at most 2000 characters.")
    } else if reason.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        Err("Remove control characters.")
    } else {
        Ok(())
    }
}

/// A gateway key as admins see it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewayKeyView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub created_by: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// `POST /gateway-keys`: the only time the key is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGatewayKey {
    pub id: String,
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GatewayKeyInput {
    pub name: String,
}

/// Checks a gateway key's name: one line, 1 to 100 characters.
pub fn check_key_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        Err("Name the key after the gateway that uses it.")
    } else if name.chars().count() > 100 {
        Err("Use at most 100 characters.")
    } else if name.chars().any(char::is_control) {
        Err("Use a single line without control characters.")
    } else {
        Ok(())
    }
}

/// Why credentials cannot be issued. `NotAllowed` is about the caller (403); the others are
/// about the application (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("Only admins issue production credentials.")]
    AdminsOnly,
    #[error("Only members of the organisation and admins can get its sandbox credentials.")]
    NotAMember,
    #[error("Sandbox credentials are available once the application is submitted; it is {}.", .0.phrase())]
    NotSubmitted(ApplicationStatus),
    #[error("Production credentials need an approved application; this one is {}.", .0.phrase())]
    NotApproved(ApplicationStatus),
    #[error("No scope was granted, so there is nothing to issue credentials for.")]
    NothingGranted,
    #[error("The application already has active {} credentials: rotate or revoke them instead.", .0.as_str())]
    AlreadyIssued(Environment),
}

impl IssueError {
    pub fn is_about_the_caller(&self) -> bool {
        matches!(self, IssueError::AdminsOnly | IssueError::NotAMember)
    }
}

/// What the caller asks for and what the application is.
#[derive(Debug, Clone, Copy)]
pub struct IssueRequest<'a> {
    pub environment: Environment,
    pub party: Party,
    pub status: ApplicationStatus,
    pub requested: &'a [String],
    pub granted: &'a [String],
    /// The application already has active credentials in this environment.
    pub already_issued: bool,
}

/// The scopes the new credentials carry, or why there are none. Sandbox credentials follow
/// the request (test data only); production ones carry exactly what reviewers granted.
pub fn check_issue(request: IssueRequest<'_>) -> Result<Vec<String>, IssueError> {
    use ApplicationStatus::*;
    let scopes = match request.environment {
        Environment::Sandbox => {
            if !matches!(request.party, Party::Member | Party::Owner | Party::Admin) {
                return Err(IssueError::NotAMember);
            }
            if !matches!(request.status, Submitted | InReview | ChangesRequested | Approved) {
                return Err(IssueError::NotSubmitted(request.status));
            }
            request.requested
        }
        Environment::Production => {
            if request.party != Party::Admin {
                return Err(IssueError::AdminsOnly);
            }
            if request.status != Approved {
                return Err(IssueError::NotApproved(request.status));
            }
            request.granted
        }
    };
    if scopes.is_empty() {
        return Err(IssueError::NothingGranted);
    }
    if request.already_issued {
        return Err(IssueError::AlreadyIssued(request.environment));
    }
    Ok(scopes.to_vec())
}

/// A production set issued before the application's latest approval belongs to the previous
/// certification: after a recertification it no longer blocks issuing the renewed set.
pub fn superseded(issued_at: DateTime<Utc>, last_approved_at: Option<DateTime<Utc>>) -> bool {
    last_approved_at.is_some_and(|approved| approved > issued_at)
}

/// Whether credentials of an application in `status` may obtain and use tokens at all. A
/// production credential exists only behind an approval, so it keeps working while a renewal
/// is reviewed again; a suspended, revoked, rejected or withdrawn application stops them all.
pub fn status_allows_tokens(status: ApplicationStatus) -> bool {
    use ApplicationStatus::*;
    matches!(status, Submitted | InReview | ChangesRequested | Approved)
}

/// What can be done to existing credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Management {
    /// A new secret, shown to the caller.
    Rotate,
    Revoke,
    /// Take a production secret waiting for the organisation.
    Collect,
    /// End the current production secret after the overlap; a new one waits for the owners.
    ForceRotation,
}

/// Who manages existing credentials. Sandbox ones: the organisation and admins. Production
/// secrets are seen only by the organisation's owners, who collect and rotate them; admins
/// keep the gate (revoke, force a rotation); owners may also revoke when a secret leaks.
pub fn may_manage(environment: Environment, party: Party, what: Management) -> bool {
    use Management::*;
    match (environment, what) {
        (Environment::Sandbox, Rotate | Revoke) => matches!(party, Party::Admin | Party::Member | Party::Owner),
        (Environment::Sandbox, Collect | ForceRotation) => false,
        (Environment::Production, Rotate | Collect) => party == Party::Owner,
        (Environment::Production, Revoke) => matches!(party, Party::Admin | Party::Owner),
        (Environment::Production, ForceRotation) => party == Party::Admin,
    }
}

/// Why a production secret cannot be collected (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    #[error("There is no secret waiting to be collected: it was collected already.")]
    NothingWaiting,
    #[error("The secret was not collected in time and has lapsed; ask an admin to issue new credentials.")]
    Lapsed,
    #[error("These credentials are {}; nothing can be collected.", .0.label().to_lowercase())]
    Ended(CredentialState),
}

/// Whether the secret waiting until `collect_by` can be collected at `now`; the deadline when
/// it can.
pub fn check_collect(
    state: CredentialState,
    collect_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, CollectError> {
    match state {
        CredentialState::Revoked | CredentialState::Expired => return Err(CollectError::Ended(state)),
        CredentialState::Lapsed => return Err(CollectError::Lapsed),
        _ => {}
    }
    match collect_by {
        None => Err(CollectError::NothingWaiting),
        Some(until) if now >= until => Err(CollectError::Lapsed),
        Some(until) => Ok(until),
    }
}

/// What the credentials page offers the caller; the server checks again on every request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offers {
    pub issue_sandbox: bool,
    pub issue_production: bool,
    pub rotate_sandbox: bool,
    pub rotate_production: bool,
    pub revoke_sandbox: bool,
    pub revoke_production: bool,
    pub collect_production: bool,
    pub force_rotation: bool,
    pub suspend: bool,
    pub reinstate: bool,
}

impl Offers {
    /// `active`: environments that have active credentials already.
    pub fn of(
        party: Party,
        status: ApplicationStatus,
        requested: &[String],
        granted: &[String],
        active: &[Environment],
    ) -> Offers {
        let can_issue = |environment| {
            check_issue(IssueRequest {
                environment,
                party,
                status,
                requested,
                granted,
                already_issued: active.contains(&environment),
            })
            .is_ok()
        };
        let may = |environment, what| may_manage(environment, party, what);
        Offers {
            issue_sandbox: can_issue(Environment::Sandbox),
            issue_production: can_issue(Environment::Production),
            rotate_sandbox: may(Environment::Sandbox, Management::Rotate),
            rotate_production: may(Environment::Production, Management::Rotate),
            revoke_sandbox: may(Environment::Sandbox, Management::Revoke),
            revoke_production: may(Environment::Production, Management::Revoke),
            collect_production: may(Environment::Production, Management::Collect),
            force_rotation: may(Environment::Production, Management::ForceRotation),
            suspend: party == Party::Admin && status == ApplicationStatus::Approved,
            reinstate: party == Party::Admin && status == ApplicationStatus::Suspended,
        }
    }

    pub fn may(&self, environment: Environment, what: Management) -> bool {
        match (environment, what) {
            (Environment::Sandbox, Management::Rotate) => self.rotate_sandbox,
            (Environment::Production, Management::Rotate) => self.rotate_production,
            (Environment::Sandbox, Management::Revoke) => self.revoke_sandbox,
            (Environment::Production, Management::Revoke) => self.revoke_production,
            (Environment::Production, Management::Collect) => self.collect_production,
            (Environment::Production, Management::ForceRotation) => self.force_rotation,
            (Environment::Sandbox, Management::Collect | Management::ForceRotation) => false,
        }
    }
}

/// The credentials page: every credential of the application and what the caller may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialOverview {
    pub credentials: Vec<CredentialView>,
    pub offers: Offers,
    /// The caller must confirm their password before collecting a secret.
    pub needs_step_up: bool,
    /// Where the credentials are used: the portal's OAuth 2.0 token endpoint, in full.
    pub token_url: String,
}

/// How many earlier secrets stay valid after rotations, at most.
pub const MAX_OLD_SECRETS: usize = 2;

/// The validity of each earlier secret after a rotation at `now`, newest first. The secret being
/// replaced (the first, valid until further notice) gets the overlap; any beyond
/// [`MAX_OLD_SECRETS`] stop at once; none is ever extended.
pub fn rotate(previous: &[Option<DateTime<Utc>>], now: DateTime<Utc>, overlap: Duration) -> Vec<DateTime<Utc>> {
    previous
        .iter()
        .enumerate()
        .map(|(index, until)| {
            let proposed = if index < MAX_OLD_SECRETS { now + overlap } else { now };
            match until {
                Some(until) => (*until).min(proposed),
                None => proposed,
            }
        })
        .collect()
}

/// A secret is accepted until its `valid_until` (never set for the current one).
pub fn secret_valid(valid_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    valid_until.is_none_or(|until| now < until)
}

/// Why a token request's `scope` is refused (RFC 6749 §5.2 `invalid_scope`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("The scope parameter is malformed.")]
    Malformed,
    #[error("The scope `{0}` is not granted to this client.")]
    NotGranted(String),
}

/// The scopes a token gets: the requested ones (RFC 6749 §3.3, space-delimited), each within
/// `granted`; all granted scopes when none are asked for.
pub fn token_scopes(requested: Option<&str>, granted: &[String]) -> Result<Vec<String>, ScopeError> {
    let Some(requested) = requested.filter(|s| !s.is_empty()) else {
        return Ok(granted.to_vec());
    };
    let valid_char = |c: char| c == '\x21' || ('\x23'..='\x5b').contains(&c) || ('\x5d'..='\x7e').contains(&c);
    let mut scopes: Vec<String> = Vec::new();
    for token in requested.split(' ') {
        if token.is_empty() || !token.chars().all(valid_char) {
            return Err(ScopeError::Malformed);
        }
        if !granted.iter().any(|g| g == token) {
            return Err(ScopeError::NotGranted(token.to_owned()));
        }
        if !scopes.iter().any(|s| s == token) {
            scopes.push(token.to_owned());
        }
    }
    Ok(scopes)
}

/// What a credential keeps once a decision grants `granted`: its scopes that are still granted,
/// in their order, and those it loses; `None` when it loses none. A decision never widens a
/// credential: new scopes need new credentials.
pub fn narrowed(current: &[String], granted: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let (kept, removed): (Vec<String>, Vec<String>) = current.iter().cloned().partition(|s| granted.contains(s));
    (!removed.is_empty()).then_some((kept, removed))
}

/// The scopes a token still has: those it was issued with that its credential still carries.
pub fn effective_scopes(token: &[String], credential: &[String]) -> Vec<String> {
    token.iter().filter(|s| credential.contains(s)).cloned().collect()
}

/// Days before expiry on which the organisation is reminded.
pub const REMINDER_DAYS: [i64; 2] = [30, 7];

/// The reminder due at `now`, if any: the closest threshold already reached and not yet sent
/// (`last_sent` is the threshold of the last reminder). A reminder missed while the portal was
/// down is sent late rather than never, but only the most urgent one.
pub fn reminder_due(expires_at: DateTime<Utc>, now: DateTime<Utc>, last_sent: Option<i64>) -> Option<i64> {
    if now >= expires_at {
        return None;
    }
    REMINDER_DAYS
        .into_iter()
        .filter(|days| now >= expires_at - Duration::days(*days))
        .filter(|days| last_sent.is_none_or(|last| *days < last))
        .min()
}

/// RFC 6749 §5.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}

/// RFC 7662 §2.2; inactive tokens carry nothing but `active: false`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `sandbox` or `production`: gateways serve test data to sandbox tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

#[cfg(test)]
mod tests {

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_narrower_grant_takes_scopes_away_and_never_adds_any() {
        let current = names(&["posts", "connections", "dms"]);
        assert_eq!(
            narrowed(&current, &names(&["posts", "dms", "archive"])),
            Some((names(&["posts", "dms"]), names(&["connections"])))
        );
        assert_eq!(
            narrowed(&current, &names(&["dms", "connections", "posts"])),
            None,
            "the same grant changes nothing"
        );
        assert_eq!(narrowed(&current, &[]), Some((vec![], current.clone())));
    }

    #[test]
    fn a_token_keeps_only_what_its_credential_still_carries() {
        assert_eq!(effective_scopes(&names(&["posts", "connections"]), &names(&["posts"])), names(&["posts"]));
        assert_eq!(effective_scopes(&names(&["posts"]), &names(&["posts", "dms"])), names(&["posts"]));
    }

    use super::*;
    use ApplicationStatus::*;

    fn scopes(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn request<'a>(
        environment: Environment,
        party: Party,
        status: ApplicationStatus,
        requested: &'a [String],
        granted: &'a [String],
    ) -> IssueRequest<'a> {
        IssueRequest { environment, party, status, requested, granted, already_issued: false }
    }

    #[test]
    fn sandbox_credentials_follow_the_request_once_submitted() {
        let requested = scopes(&["portability.posts.single", "portability.direct_messages.ongoing"]);
        for status in ApplicationStatus::ALL {
            for party in Party::ALL {
                let result = check_issue(request(Environment::Sandbox, party, status, &requested, &[]));
                let member = matches!(party, Party::Member | Party::Owner | Party::Admin);
                let submitted = matches!(status, Submitted | InReview | ChangesRequested | Approved);
                match (member, submitted) {
                    (true, true) => assert_eq!(result, Ok(requested.clone()), "{status:?} {party:?}"),
                    (false, _) => assert_eq!(result, Err(IssueError::NotAMember), "{status:?} {party:?}"),
                    (true, false) => assert_eq!(result, Err(IssueError::NotSubmitted(status)), "{status:?}"),
                }
                assert_eq!(status_allows_tokens(status), submitted);
            }
        }
    }

    #[test]
    fn production_credentials_need_an_admin_and_an_approval_and_carry_the_granted_scopes() {
        let requested = scopes(&["portability.posts.single", "portability.direct_messages.ongoing"]);
        let granted = scopes(&["portability.posts.single"]);
        for status in ApplicationStatus::ALL {
            for party in Party::ALL {
                let result = check_issue(request(Environment::Production, party, status, &requested, &granted));
                let expected = match (party, status) {
                    (Party::Admin, Approved) => Ok(granted.clone()),
                    (Party::Admin, other) => Err(IssueError::NotApproved(other)),
                    _ => Err(IssueError::AdminsOnly),
                };
                assert_eq!(result, expected, "{status:?} {party:?}");
            }
        }
        let nothing = check_issue(request(Environment::Production, Party::Admin, Approved, &requested, &[]));
        assert_eq!(nothing, Err(IssueError::NothingGranted));
    }

    #[test]
    fn one_active_set_per_environment() {
        let granted = scopes(&["portability.posts.single"]);
        let mut twice = request(Environment::Production, Party::Admin, Approved, &granted, &granted);
        twice.already_issued = true;
        assert_eq!(check_issue(twice), Err(IssueError::AlreadyIssued(Environment::Production)));
        assert!(!IssueError::AlreadyIssued(Environment::Sandbox).is_about_the_caller());
        assert!(IssueError::AdminsOnly.is_about_the_caller());
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn rotation_keeps_two_old_secrets_for_the_overlap_and_never_extends_one() {
        let week = Duration::days(7);
        // First rotation: the current secret gets a week.
        assert_eq!(rotate(&[None], at(0), week), vec![at(0) + week]);
        // Second, a day later: the new previous gets a week, the older keeps its end.
        assert_eq!(rotate(&[None, Some(at(168))], at(24), week), vec![at(24) + week, at(168)]);
        // Third: the oldest of three stops now.
        assert_eq!(rotate(&[None, Some(at(192)), Some(at(168))], at(48), week), vec![at(48) + week, at(192), at(48)]);
        // A zero overlap ends the previous secret at once.
        assert_eq!(rotate(&[None], at(0), Duration::zero()), vec![at(0)]);
        assert!(secret_valid(None, at(1000)));
        assert!(secret_valid(Some(at(1)), at(0)));
        assert!(!secret_valid(Some(at(1)), at(1)));
    }

    #[test]
    fn token_scopes_stay_within_the_grant() {
        let granted = scopes(&["portability.posts.single", "portability.profile.single"]);
        assert_eq!(token_scopes(None, &granted), Ok(granted.clone()));
        assert_eq!(token_scopes(Some(""), &granted), Ok(granted.clone()));
        assert_eq!(
            token_scopes(Some("portability.profile.single portability.profile.single"), &granted),
            Ok(scopes(&["portability.profile.single"]))
        );
        assert_eq!(
            token_scopes(Some("portability.posts.single portability.direct_messages.ongoing"), &granted),
            Err(ScopeError::NotGranted("portability.direct_messages.ongoing".into()))
        );
        for malformed in ["portability.posts.single  portability.profile.single", " x", "a\"b", "a\\b", "é", "a\tb"] {
            assert_eq!(token_scopes(Some(malformed), &granted), Err(ScopeError::Malformed), "{malformed:?}");
        }
    }

    #[test]
    fn managing_and_offers_follow_the_same_rules() {
        use Environment::*;
        use Management::*;
        for party in Party::ALL {
            let manages_sandbox = matches!(party, Party::Member | Party::Owner | Party::Admin);
            assert_eq!(may_manage(Sandbox, party, Rotate), manages_sandbox, "{party:?}");
            assert_eq!(may_manage(Sandbox, party, Revoke), manages_sandbox, "{party:?}");
            assert!(!may_manage(Sandbox, party, Collect) && !may_manage(Sandbox, party, ForceRotation));
            // Only owners ever see a production secret; admins keep the gate.
            assert_eq!(may_manage(Production, party, Rotate), party == Party::Owner, "{party:?}");
            assert_eq!(may_manage(Production, party, Collect), party == Party::Owner, "{party:?}");
            assert_eq!(may_manage(Production, party, ForceRotation), party == Party::Admin, "{party:?}");
            assert_eq!(
                may_manage(Production, party, Revoke),
                matches!(party, Party::Admin | Party::Owner),
                "{party:?}"
            );
        }
        let requested = scopes(&["portability.posts.single"]);
        let offers = Offers::of(Party::Admin, Approved, &requested, &requested, &[Sandbox]);
        assert!(offers.issue_production && !offers.issue_sandbox && offers.suspend && !offers.reinstate);
        assert!(offers.may(Production, ForceRotation) && !offers.may(Production, Rotate));
        assert!(!offers.may(Production, Collect) && offers.may(Production, Revoke));
        let offers = Offers::of(Party::Owner, InReview, &requested, &[], &[]);
        assert!(offers.issue_sandbox && !offers.issue_production && !offers.suspend);
        assert!(offers.may(Production, Revoke) && offers.may(Production, Rotate) && offers.may(Sandbox, Rotate));
        assert!(offers.may(Production, Collect) && !offers.may(Production, ForceRotation));
        let offers = Offers::of(Party::Member, Approved, &requested, &requested, &[]);
        assert!(!offers.may(Production, Collect) && !offers.may(Production, Rotate) && offers.may(Sandbox, Rotate));
        let offers = Offers::of(Party::Admin, Suspended, &requested, &requested, &[Production]);
        assert!(offers.reinstate && !offers.issue_production);
        assert_eq!(Offers::of(Party::Reviewer, Approved, &requested, &requested, &[]), Offers::default());
        assert_eq!(Offers::of(Party::Auditor, Suspended, &requested, &requested, &[Production]), Offers::default());
    }

    #[test]
    fn a_production_secret_is_collected_once_before_its_deadline() {
        let deadline = Some(at(168));
        let ready = CredentialState::of(false, at(9000), deadline, Approved, at(0));
        assert_eq!(ready, CredentialState::ReadyToCollect);
        assert!(ready.is_live(), "it blocks issuing a second set");
        assert_eq!(check_collect(ready, deadline, at(0)), Ok(at(168)));
        let lapsed = CredentialState::of(false, at(9000), deadline, Approved, at(168));
        assert_eq!(lapsed, CredentialState::Lapsed);
        assert!(!lapsed.is_live(), "a lapsed set no longer blocks issuing");
        assert_eq!(check_collect(lapsed, deadline, at(168)), Err(CollectError::Lapsed));
        // Collected: nothing waits any more.
        let active = CredentialState::of(false, at(9000), None, Approved, at(1));
        assert_eq!(check_collect(active, None, at(1)), Err(CollectError::NothingWaiting));
        // After a forced rotation the credential stays active while the new secret waits.
        assert_eq!(check_collect(active, Some(at(200)), at(100)), Ok(at(200)));
        assert_eq!(check_collect(active, Some(at(200)), at(200)), Err(CollectError::Lapsed));
        let revoked = CredentialState::of(true, at(9000), deadline, Approved, at(0));
        assert_eq!(check_collect(revoked, deadline, at(0)), Err(CollectError::Ended(CredentialState::Revoked)));
    }

    #[test]
    fn only_a_later_approval_supersedes_a_production_set() {
        assert!(superseded(at(0), Some(at(1))));
        assert!(!superseded(at(1), Some(at(0))), "issued after the approval it rests on");
        assert!(!superseded(at(0), None));
    }

    #[test]
    fn state_reads_revoked_then_uncollected_then_expired_then_suspended() {
        let later = at(10);
        assert_eq!(CredentialState::of(true, later, Some(later), Approved, at(0)), CredentialState::Revoked);
        assert_eq!(CredentialState::of(false, later, Some(later), Suspended, at(0)), CredentialState::ReadyToCollect);
        assert_eq!(CredentialState::of(false, later, None, Approved, at(10)), CredentialState::Expired);
        assert_eq!(CredentialState::of(false, later, None, Suspended, at(0)), CredentialState::Suspended);
        assert_eq!(CredentialState::of(false, later, None, InReview, at(0)), CredentialState::Active);
        assert_eq!(CredentialState::of(false, later, None, Approved, at(0)), CredentialState::Active);
        let live: Vec<_> = [true, false]
            .into_iter()
            .map(|revoked| CredentialState::of(revoked, later, None, Approved, at(0)).is_live())
            .collect();
        assert_eq!(live, [false, true]);
    }

    #[test]
    fn reasons_and_key_names_are_checked() {
        assert!(check_reason("Leaked in a public repository.").is_ok());
        assert!(check_reason("  ").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(check_reason("bell\u{7}").is_err());
        assert!(check_reason("two\nlines").is_ok());
        assert!(check_key_name("Edge gateway eu-west").is_ok());
        assert!(check_key_name("").is_err());
        assert!(check_key_name("two\nlines").is_err());
        assert!(check_key_name(&"k".repeat(101)).is_err());
    }

    #[test]
    fn reminders_come_thirty_and_seven_days_before_expiry_once_each() {
        let expires = at(0) + Duration::days(365);
        let days_before = |d: i64| expires - Duration::days(d);
        assert_eq!(reminder_due(expires, days_before(31), None), None);
        assert_eq!(reminder_due(expires, days_before(30), None), Some(30));
        assert_eq!(reminder_due(expires, days_before(20), Some(30)), None);
        assert_eq!(reminder_due(expires, days_before(7), Some(30)), Some(7));
        assert_eq!(reminder_due(expires, days_before(3), Some(7)), None);
        // Down for the whole month: only the urgent reminder goes out.
        assert_eq!(reminder_due(expires, days_before(5), None), Some(7));
        assert_eq!(reminder_due(expires, expires, None), None);
    }
}
