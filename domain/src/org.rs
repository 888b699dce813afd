//! Organisations: who applies, and who may act for them.

use crate::account::{MAX_EMAIL_CHARS, normalize_email};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

/// How long an invitation link stays valid.
pub const INVITATION_TTL_DAYS: i64 = 7;
pub const MAX_ORG_NAME_CHARS: usize = 200;

/// ISO 3166-1 alpha-2 codes of the countries an organisation may be registered in.
pub const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI \
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS \
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA \
UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Owner,
    #[default]
    Member,
}

impl std::str::FromStr for MemberRole {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        MemberRole::parse(value).ok_or_else(|| format!("unknown member role `{value}`"))
    }
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "owner" => Some(MemberRole::Owner),
            "member" => Some(MemberRole::Member),
            _ => None,
        }
    }
}

/// `PATCH /orgs/{id}/members/{user_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberRoleInput {
    pub role: MemberRole,
}

/// Why a change of who belongs to an organisation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipError {
    /// Only owners change other people's membership.
    OwnersOnly,
    /// An organisation always keeps an owner, who can act for it.
    LastOwner,
}

/// Whether `actor` may take `target` out of the organisation (`target` is `actor` when
/// leaving). `owners` counts the owners now.
pub fn check_removal(actor: MemberRole, leaving: bool, target: MemberRole, owners: u64) -> Result<(), MembershipError> {
    if !leaving && actor != MemberRole::Owner {
        return Err(MembershipError::OwnersOnly);
    }
    if target == MemberRole::Owner && owners <= 1 {
        return Err(MembershipError::LastOwner);
    }
    Ok(())
}

/// Whether `actor` may give a member the role `to` (from `from`).
pub fn check_role_change(
    actor: MemberRole,
    from: MemberRole,
    to: MemberRole,
    owners: u64,
) -> Result<(), MembershipError> {
    if actor != MemberRole::Owner {
        return Err(MembershipError::OwnersOnly);
    }
    if from == MemberRole::Owner && to == MemberRole::Member && owners <= 1 {
        return Err(MembershipError::LastOwner);
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    /// The legal name.
    #[validate(custom(function = validate_legal_name))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 200)
    )]
    pub name: String,
    #[validate(custom(function = validate_country))]
    pub country: String,
    #[validate(custom(function = validate_website))]
    pub website: String,
    #[validate(email(message = "Enter a valid email address."), length(max = MAX_EMAIL_CHARS, message = "Email address is too long."))]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub contact_email: String,
}

impl OrgInput {
    /// Trims what people paste with stray spaces; the country code is upper-cased.
    pub fn normalized(self) -> Self {
        OrgInput {
            name: self.name.trim().to_owned(),
            country: self.country.trim().to_uppercase(),
            website: self.website.trim().to_owned(),
            contact_email: normalize_email(&self.contact_email),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    #[validate(email(message = "Enter a valid email address."), length(max = MAX_EMAIL_CHARS, message = "Email address is too long."))]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    #[serde(default)]
    pub role: MemberRole,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitationInput {
    #[validate(length(min = 1, max = 200, message = "The link is incomplete."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyContactInput {
    #[validate(length(min = 1, max = 200, message = "The link is incomplete."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
}

/// The `org` object of the JSON API, as seen by one of its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub country: String,
    pub website: String,
    pub contact_email: String,
    /// Whether someone at `contact_email` confirmed it; until then the portal mails only members.
    pub contact_verified: bool,
    pub my_role: MemberRole,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: MemberRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: MemberRole,
    pub expires_at: String,
}

/// An organisation with its people, for its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgDetail {
    pub org: OrgView,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationView>,
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

pub fn validate_legal_name(name: &str) -> Result<(), ValidationError> {
    if name.trim().is_empty() {
        return Err(error("required", "Enter the organisation's legal name."));
    }
    if name.chars().count() > MAX_ORG_NAME_CHARS {
        return Err(error("too_long", "Use at most 200 characters."));
    }
    if name.chars().any(char::is_control) {
        return Err(error("control_chars", "Remove control characters."));
    }
    Ok(())
}

pub fn validate_country(code: &str) -> Result<(), ValidationError> {
    let code = code.trim();
    let known = code.len() == 2 && COUNTRY_CODES.split(' ').any(|c| c.eq_ignore_ascii_case(code));
    if known { Ok(()) } else { Err(error("country", "Choose a country (ISO 3166 two-letter code).")) }
}

pub fn validate_website(website: &str) -> Result<(), ValidationError> {
    let ok = url::Url::parse(website.trim())
        .ok()
        .filter(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
        .filter(|u| u.username().is_empty() && u.password().is_none())
        .is_some();
    if !ok {
        return Err(error("https_url", "Enter the full address, starting with https://."));
    }
    if website.len() > 2048 {
        return Err(error("too_long", "Use at most 2048 characters."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MemberRole::{Member, Owner};

    #[test]
    fn owners_remove_people_members_only_leave_and_the_last_owner_stays() {
        assert_eq!(check_removal(Owner, false, Member, 1), Ok(()));
        assert_eq!(check_removal(Owner, false, Owner, 2), Ok(()));
        assert_eq!(check_removal(Member, false, Member, 1), Err(MembershipError::OwnersOnly));
        assert_eq!(check_removal(Member, true, Member, 1), Ok(()), "anyone may leave");
        assert_eq!(check_removal(Owner, true, Owner, 1), Err(MembershipError::LastOwner));
        assert_eq!(check_removal(Owner, true, Owner, 2), Ok(()));
        assert_eq!(check_removal(Owner, false, Owner, 1), Err(MembershipError::LastOwner));
    }

    #[test]
    fn only_owners_change_roles_and_never_demote_the_last_owner() {
        assert_eq!(check_role_change(Owner, Member, Owner, 1), Ok(()));
        assert_eq!(check_role_change(Owner, Owner, Member, 2), Ok(()));
        assert_eq!(check_role_change(Owner, Owner, Member, 1), Err(MembershipError::LastOwner));
        assert_eq!(check_role_change(Member, Member, Owner, 1), Err(MembershipError::OwnersOnly));
        assert_eq!(check_role_change(Owner, Owner, Owner, 1), Ok(()), "no change");
    }

    use super::*;
    use crate::account::field_errors;

    fn org(name: &str, country: &str, website: &str, email: &str) -> OrgInput {
        OrgInput { name: name.into(), country: country.into(), website: website.into(), contact_email: email.into() }
    }

    #[test]
    fn a_complete_organisation_is_valid() {
        assert!(
            org("Zoë Apps GmbH", "de", "https://zoe.example", "privacy@zoe.example").normalized().validate().is_ok()
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors = org(" ", "XX", "http://zoe.example", "nope").validate().unwrap_err();
        let fields = field_errors(&errors);
        assert_eq!(fields.keys().cloned().collect::<Vec<_>>(), ["contact_email", "country", "name", "website"]);
    }

    #[test]
    fn country_codes_are_checked_against_the_list() {
        assert!(validate_country("FR").is_ok());
        assert!(validate_country("fr").is_ok());
        assert!(validate_country("ZZ").is_err());
        assert!(validate_country("FRA").is_err());
        assert_eq!(COUNTRY_CODES.split(' ').count(), 249);
    }

    #[test]
    fn website_needs_https_and_no_user_info() {
        assert!(validate_website("https://example.com/about").is_ok());
        assert!(validate_website("https://user:pw@example.com").is_err());
        assert!(validate_website("javascript:alert(1)").is_err());
        assert!(validate_website("example.com").is_err());
        assert!(validate_website(&format!("https://example.com/{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn names_have_limits() {
        assert!(validate_legal_name(&"x".repeat(200)).is_ok());
        assert!(validate_legal_name(&"x".repeat(201)).is_err());
        assert!(validate_legal_name("Acme\u{0000}").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for role in [MemberRole::Owner, MemberRole::Member] {
            assert_eq!(MemberRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(MemberRole::parse("admin"), None);
    }
}
