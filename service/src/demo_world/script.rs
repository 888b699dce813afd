//! The demo world's applications: what each organisation asked for, in its own words, and what
//! happened to each request since, so that every status of the lifecycle has an example.

use super::cast::Org;
use super::cast::Person::{Developer, Ingrid, Reviewer, SecondReviewer, Tomas};
use super::mockup::Screen;
use super::steps::Step::*;
use super::steps::{At, Checking, Step, ago};
use portcullis_domain::application::content::{ApplicationContent, DataHandling, Eea, ScopeRequest};

const PROFILE: &str = "portability.profile.single";
const POSTS: &str = "portability.posts.single";
const POSTS_ONGOING: &str = "portability.posts.ongoing";
const CONNECTIONS: &str = "portability.connections.single";
const CONNECTIONS_ONGOING: &str = "portability.connections.ongoing";
const ACTIVITY: &str = "portability.activity.single";
const ACTIVITY_ONGOING: &str = "portability.activity.ongoing";
const MESSAGES: &str = "portability.direct_messages.single";
const MESSAGES_ONGOING: &str = "portability.direct_messages.ongoing";
const ALL_ONGOING: &str = "portability.all.ongoing";

/// The application whose sandbox secret is printed after seeding.
pub const SHOWCASE: &str = "Fjordline Photo Vault";

/// The form as an organisation fills it in; empty parts stay empty, as in a draft.
pub struct Form {
    pub description: &'static str,
    /// The app's host: its website, privacy policy and redirect URI live there.
    pub site: &'static str,
    pub use_case: &'static str,
    pub scopes: &'static [(&'static str, &'static str)],
    pub countries: &'static [&'static str],
    pub distinguishing: &'static str,
    pub region: &'static str,
    pub retention_days: Option<u32>,
    pub deletion: &'static str,
    pub subprocessors: &'static [&'static str],
    pub security_contact: &'static str,
}

impl Form {
    pub fn content(&self, name: &str) -> ApplicationContent {
        let filled = |value: &str| !value.is_empty();
        ApplicationContent {
            name: name.into(),
            description: self.description.into(),
            website_url: format!("https://{}", self.site),
            privacy_policy_url: format!("https://{}/privacy", self.site),
            redirect_uris: vec![format!("https://{}/oauth/callback", self.site)],
            use_case: self.use_case.into(),
            scopes: self
                .scopes
                .iter()
                .map(|(name, why)| ScopeRequest { name: (*name).into(), justification: (*why).into() })
                .collect(),
            eea: Eea {
                serves_eea_users: (!self.countries.is_empty()).then_some(true),
                countries: self.countries.iter().map(|c| c.to_string()).collect(),
                distinguishing_method: self.distinguishing.into(),
            },
            data_handling: DataHandling {
                storage_region: self.region.into(),
                retention_days: self.retention_days,
                encryption_at_rest: filled(self.region).then_some(true),
                deletion_process: self.deletion.into(),
                subprocessors: self.subprocessors.iter().map(|s| s.to_string()).collect(),
                security_contact_email: self.security_contact.into(),
            },
        }
    }
}

pub struct DemoApp {
    pub org: Org,
    pub name: &'static str,
    pub form: Form,
    /// The brand colour of its consent screen.
    pub accent: [u8; 3],
    pub story: &'static [(At, Step)],
}

impl DemoApp {
    pub fn screen(&self) -> Screen {
        let recurring = self.form.scopes.iter().any(|(name, _)| name.ends_with(".ongoing"));
        Screen { accent: self.accent, scopes: self.form.scopes.len(), recurring }
    }
}

const NORDICS: &[&str] = &["NO", "SE", "DK", "FI", "IS"];
const BENELUX_DE: &[&str] = &["NL", "BE", "LU", "DE"];
const IBERIA_FR: &[&str] = &["PT", "ES", "FR", "IE"];
const BY_ACCOUNT_COUNTRY: &str = "The platform tells us the account's country of residence when the person \
authorises the app; we only offer the connection when that country is in the EEA, and we ask again at every \
renewal.";

pub static SCRIPT: [DemoApp; 12] = [
    DemoApp {
        org: Org::Fjordline,
        name: "Fjordline Photo Vault",
        form: Form {
            description: "Keeps a private, end-to-end encrypted copy of every photo and video a person posts, \
                so their memories survive if they leave the platform.",
            site: "photovault.fjordline.example",
            use_case: "## What the person gets\n\nPhoto Vault is a backup app. After connecting their account, \
                people see every photo and video they ever posted, in full resolution, with captions and dates, \
                in an archive only they can open.\n\n## Why recurring access\n\nA backup that stops on the day \
                it was made is not a backup. We copy new posts once a day, so the archive stays complete \
                without the person remembering to export.\n\n## What we never do\n\n- show the photos to anyone \
                but their owner;\n- analyse faces or train models on them;\n- keep a post the person deleted \
                on the platform, unless they switch on *Keep deleted posts*.",
            scopes: &[
                (POSTS_ONGOING, "New photos and videos are copied daily so the backup stays complete."),
                (PROFILE, "The display name and avatar label the archive so people recognise it."),
            ],
            countries: NORDICS,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Stockholm, eu-north-1)",
            retention_days: Some(30),
            deletion: "Disconnecting stops the copying at once; deleting the vault in the app erases every copy \
                within 24 hours, and backups roll over within 30 days.",
            subprocessors: &["Amazon Web Services EMEA SARL (storage)", "Postmark (transactional mail)"],
            security_contact: "security@fjordline.example",
        },
        accent: [14, 116, 144],
        story: &[
            (ago(16, 9, 12), Draft(Developer)),
            (ago(16, 9, 40), Mockup(Developer, "Consent screen")),
            (ago(15, 14, 5), Submit(Developer)),
            (ago(15, 14, 20), Sandbox(Developer)),
            (ago(11, 10, 30), Claim(Reviewer)),
            (
                ago(11, 11, 15),
                Say(
                    Reviewer,
                    "Thanks for the clear use case. One question before I finish: when someone deletes a post on \
                     the platform, does the vault delete its copy too?",
                ),
            ),
            (
                ago(10, 8, 50),
                Say(
                    Developer,
                    "Yes, by default the next daily copy removes it. People can turn on \"Keep deleted posts\" in \
                     the vault's settings; it is off unless they choose it, and the consent screen says so.",
                ),
            ),
            (ago(9, 13, 0), Check(Reviewer, Checking::All)),
            (
                ago(9, 13, 20),
                Approve(
                    Reviewer,
                    &[POSTS_ONGOING, PROFILE],
                    "Approved from the privacy side; recurring posts need a second reviewer.",
                ),
            ),
            (ago(3, 10, 0), Claim(SecondReviewer)),
            (ago(2, 15, 30), Check(SecondReviewer, Checking::All)),
            (ago(2, 15, 45), Approve(SecondReviewer, &[POSTS_ONGOING, PROFILE], "Second approval: agreed.")),
            (ago(1, 10, 5), Production),
        ],
    },
    DemoApp {
        org: Org::Fjordline,
        name: "Fjordline Circles",
        form: Form {
            description: "Helps people find the friends they already have here on a new network, by matching \
                their connections without ever messaging them.",
            site: "circles.fjordline.example",
            use_case: "Circles lets a person take their circle of friends with them. With a one-time copy of \
                their connections, we show which of those people are already on the network the person is \
                moving to, so they can follow them there in one tap.\n\nMatching happens on hashed identifiers; \
                the list itself is deleted as soon as the matches are shown. Connections who are not on the new \
                network are never contacted, invited or stored.",
            scopes: &[
                (CONNECTIONS, "The list of connections is what we match against the new network."),
                (PROFILE, "The person's name and avatar appear on the matches screen."),
            ],
            countries: NORDICS,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Stockholm, eu-north-1)",
            retention_days: Some(1),
            deletion: "The connection list is deleted as soon as the matches are shown, at the latest after 24 \
                hours; matches the person did not act on go with it.",
            subprocessors: &["Amazon Web Services EMEA SARL (compute)"],
            security_contact: "security@fjordline.example",
        },
        accent: [234, 88, 12],
        story: &[
            (ago(9, 10, 0), Draft(Developer)),
            (ago(9, 10, 25), Mockup(Developer, "Connect your friends")),
            (ago(8, 16, 30), Submit(Developer)),
            (ago(6, 9, 30), Claim(SecondReviewer)),
            (
                ago(6, 10, 10),
                Check(
                    SecondReviewer,
                    Checking::Failing(
                        "consent mockups",
                        "The screen shows one Allow for everything and does not say that the list is a one-time \
                         copy that is deleted after matching.",
                    ),
                ),
            ),
            (
                ago(6, 10, 30),
                Say(
                    SecondReviewer,
                    "Before I decide: will Circles ever contact the person's connections, for example with an \
                     invitation mail, or does it only match them?",
                ),
            ),
            (
                ago(5, 17, 10),
                Say(
                    Developer,
                    "It only matches. We have no invitation feature and no way to reach people who are not on \
                     the new network; their entries are dropped with the rest of the list.",
                ),
            ),
            (
                ago(4, 11, 0),
                RequestChanges(
                    SecondReviewer,
                    "Please update the consent screen: say that this is a one-time copy, that the list is deleted \
                     after matching, and that connections are never contacted. Then submit again.",
                ),
            ),
            (
                ago(4, 15, 40),
                Say(
                    Developer,
                    "Understood, our designer is reworking the screen. Should it also show how many connections \
                     will be copied?",
                ),
            ),
            (
                ago(3, 9, 20),
                Say(
                    SecondReviewer,
                    "Showing the count is a good idea but not required. Do make Cancel as easy to find as Allow.",
                ),
            ),
        ],
    },
    DemoApp {
        org: Org::Fjordline,
        name: "Fjordline Year Book",
        form: Form {
            description: "Turns a year of posts into a printed photo book, laid out automatically and shipped \
                within a week.",
            site: "yearbook.fjordline.example",
            use_case: "People pick a year, we copy that year's posts once, lay out a book and let them edit it \
                before printing. *Draft: the printing partner's data processing agreement is still under \
                negotiation, so the data handling section is not filled in yet.*",
            scopes: &[(POSTS, "The photos and captions of the chosen year become the book's pages.")],
            countries: &[],
            distinguishing: "",
            region: "",
            retention_days: None,
            deletion: "",
            subprocessors: &[],
            security_contact: "",
        },
        accent: [124, 58, 237],
        story: &[(ago(3, 14, 0), Draft(Developer))],
    },
    DemoApp {
        org: Org::Fjordline,
        name: "Fjordline Print Studio",
        form: Form {
            description: "Prints posters and postcards from a person's posted photos, on demand.",
            site: "print.fjordline.example",
            use_case: "Print Studio shows a person their posted photos so they can order prints. We copy the \
                posts once when the person opens the studio, keep them while the order is open, and delete \
                them when it ships. The profile name goes on the shipping label only if the person chooses \
                it.\n\nOrders are printed by our partner in Oslo, who receives only the chosen photo files.",
            scopes: &[
                (POSTS, "The photos the person may choose to print, copied once per session."),
                (PROFILE, "The name is offered as the default addressee on the shipping label."),
            ],
            countries: NORDICS,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Frankfurt, eu-central-1)",
            retention_days: Some(14),
            deletion: "Photos are deleted when the order ships, or 14 days after the session if nothing was \
                ordered; support can erase an open order on request within one working day.",
            subprocessors: &["Amazon Web Services EMEA SARL", "Nordisk Trykk AS (printing)"],
            security_contact: "security@fjordline.example",
        },
        accent: [190, 18, 60],
        story: &[
            (ago(62, 10, 0), Draft(Developer)),
            (ago(62, 10, 30), Mockup(Developer, "Choose photos to print")),
            (ago(60, 11, 0), Submit(Developer)),
            (ago(60, 11, 30), Sandbox(Developer)),
            (ago(57, 9, 40), Claim(Reviewer)),
            (ago(56, 14, 0), Check(Reviewer, Checking::All)),
            (ago(56, 14, 20), Approve(Reviewer, &[POSTS, PROFILE], "Approved: one-time copies, short retention.")),
            (ago(55, 9, 0), Production),
            (ago(55, 9, 30), Collect(Developer)),
            (
                ago(3, 16, 45),
                Suspend(
                    "Our gateway saw tokens of this client used from addresses outside the hosting provider you \
                     declared, at about 40 times the usual rate. Access is suspended until you rotate the secret \
                     and tell us what happened.",
                ),
            ),
        ],
    },
    DemoApp {
        org: Org::Tessera,
        name: "Tessera Research Donor",
        form: Form {
            description: "Lets people donate a one-time copy of their activity and posts to approved university \
                studies on digital wellbeing, with consent per study.",
            site: "donate.tesserahealth.example",
            use_case: "## Data donation for research\n\nResearchers at partner universities study how social \
                media use relates to sleep and mood. Instead of asking people to estimate their use, Research \
                Donor lets them *donate* a copy of it.\n\n1. The person picks a study and reads its consent \
                form, approved by the university's ethics board.\n2. They connect their account; we copy their \
                activity log and posts once.\n3. They review what will be shared, can remove any item, and \
                only then send it.\n\nThe study receives pseudonymised data; we keep nothing after the \
                donation is sent.",
            scopes: &[
                (ACTIVITY, "Time spent and sessions per day are the study's main measure."),
                (POSTS, "Posting frequency and time of day, which the studies relate to sleep."),
            ],
            countries: BENELUX_DE,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Amsterdam)",
            retention_days: Some(7),
            deletion: "Our copy is deleted when the donation is sent or after 7 days; each study's own \
                deletion rules are part of its consent form, and we forward withdrawal requests within 48 hours.",
            subprocessors: &["SURF (Dutch research cloud)"],
            security_contact: "security@tesserahealth.example",
        },
        accent: [5, 150, 105],
        story: &[
            (ago(21, 9, 0), Draft(Ingrid)),
            (ago(21, 9, 45), Mockup(Ingrid, "Donation consent")),
            (ago(18, 15, 10), Submit(Ingrid)),
            (ago(18, 15, 30), Sandbox(Ingrid)),
        ],
    },
    DemoApp {
        org: Org::Tessera,
        name: "Tessera Sleep Insights",
        form: Form {
            description: "Shows people how late-night scrolling relates to their sleep, from their own activity \
                data and their sleep tracker.",
            site: "sleep.tesserahealth.example",
            use_case: "Sleep Insights combines a person's activity on the platform with the sleep data from \
                their own tracker and shows them patterns: *you slept 40 minutes less on nights you were active \
                after midnight*. It needs the activity log every day to keep the insights current, and the \
                profile to greet the person. Nothing is shared with employers, insurers or advertisers.",
            scopes: &[
                (ACTIVITY_ONGOING, "Daily activity times are matched with the night's sleep record."),
                (PROFILE, "The display name personalises the weekly summary."),
            ],
            countries: BENELUX_DE,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Amsterdam)",
            retention_days: Some(365),
            deletion: "People delete their history in the app's settings; it is erased within 24 hours and \
                from backups within 30 days. Disconnecting stops the daily copy at once.",
            subprocessors: &["Microsoft Ireland Operations Ltd (Azure)"],
            security_contact: "security@tesserahealth.example",
        },
        accent: [67, 56, 202],
        story: &[
            (ago(12, 11, 0), Draft(Ingrid)),
            (ago(12, 11, 20), Mockup(Ingrid, "Connect sleep and activity")),
            (ago(10, 9, 5), Submit(Ingrid)),
            (ago(6, 14, 0), Claim(Reviewer)),
            (ago(5, 10, 15), Check(Reviewer, Checking::First(5))),
        ],
    },
    DemoApp {
        org: Org::Tessera,
        name: "Tessera Care Journal",
        form: Form {
            description: "Moves a patient's conversations with their clinic into their own health journal, so \
                appointment advice is kept in one place.",
            site: "journal.tesserahealth.example",
            use_case: "Many small clinics answer patients through direct messages on the platform. Care Journal \
                copies those conversations, once, into the patient's own journal, where they sit beside \
                prescriptions and test results.\n\nThe patient chooses the conversations to copy; other \
                conversations are never read. The clinic's replies are part of the copy, so the journal shows \
                the clinic's name but nothing else about its staff.",
            scopes: &[
                (MESSAGES, "Only the conversations with clinics that the patient selects are copied."),
                (PROFILE, "The patient's name links the journal to the right record."),
            ],
            countries: BENELUX_DE,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Amsterdam), ISO 27001 and NEN 7510 certified",
            retention_days: Some(3650),
            deletion: "The journal is the patient's record: they delete any entry, or the whole journal, in the \
                app; deletions are final within 24 hours.",
            subprocessors: &["Nedap Healthcare (hosting)"],
            security_contact: "security@tesserahealth.example",
        },
        accent: [13, 148, 136],
        story: &[
            (ago(14, 13, 0), Draft(Ingrid)),
            (ago(14, 13, 30), Mockup(Ingrid, "Choose conversations")),
            (ago(13, 10, 0), Submit(Ingrid)),
            (ago(8, 9, 15), Claim(Reviewer)),
            (ago(7, 16, 0), Check(Reviewer, Checking::All)),
            (
                ago(7, 16, 20),
                Approve(
                    Reviewer,
                    &[MESSAGES, PROFILE],
                    "Careful design: only selected conversations, the clinic's staff kept out.",
                ),
            ),
        ],
    },
    DemoApp {
        org: Org::Tessera,
        name: "Tessera Symptom Diary",
        form: Form {
            description: "A symptom diary that fills itself in from everything the person does on the platform.",
            site: "diary.tesserahealth.example",
            use_case: "Symptom Diary wants to spot early signs of burnout. To do that we would like the \
                complete archive, kept up to date, so our model can look for patterns in posts, messages, \
                connections and activity together. We do not yet know which signals matter, which is why we \
                ask for everything.",
            scopes: &[(ALL_ONGOING, "The model needs all signals to find which ones predict burnout.")],
            countries: BENELUX_DE,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Amsterdam)",
            retention_days: Some(730),
            deletion: "Accounts can be deleted by writing to support; deletion is done within 30 days.",
            subprocessors: &["Microsoft Ireland Operations Ltd (Azure)"],
            security_contact: "security@tesserahealth.example",
        },
        accent: [219, 39, 119],
        story: &[
            (ago(38, 10, 0), Draft(Ingrid)),
            (ago(38, 10, 30), Mockup(Ingrid, "Diary onboarding")),
            (ago(36, 9, 0), Submit(Ingrid)),
            (ago(31, 14, 0), Claim(SecondReviewer)),
            (
                ago(30, 11, 0),
                Check(
                    SecondReviewer,
                    Checking::Failing(
                        "data minimisation",
                        "The whole archive, recurring, for a model that does not yet know what it needs: the \
                         opposite of minimisation. Other people's messages would be analysed without their say.",
                    ),
                ),
            ),
            (
                ago(30, 11, 30),
                Reject(
                    SecondReviewer,
                    "We cannot grant the complete archive on a recurring basis to find out which signals matter. \
                     Apply again once the study design names the categories it needs, one-time where possible.",
                ),
            ),
            (
                ago(29, 15, 0),
                Appeal(
                    Ingrid,
                    "The study design now names the signals it needs: posting times and activity, one-time, for \
                     the 1,200 participants who consented. Our ethics board approved it on the 12th; a new \
                     revision would ask for those alone, not the complete archive.",
                ),
            ),
        ],
    },
    DemoApp {
        org: Org::Quillmate,
        name: "Quillmate CRM Export",
        form: Form {
            description: "Exports a freelancer's professional connections into their CRM, with names and \
                headlines, so they can keep in touch with clients.",
            site: "crm.quillmate.example",
            use_case: "Freelancers who write for several clients keep their contacts on the platform. CRM \
                Export copies those connections once into the CRM the person already uses (HubSpot, Pipedrive \
                or a CSV file) so they can follow up outside the platform.\n\nThe export runs when the person \
                presses *Export*; nothing runs in the background.",
            scopes: &[
                (CONNECTIONS, "The connections become contacts in the person's CRM."),
                (PROFILE, "The person's own profile becomes the owner of the imported contacts."),
            ],
            countries: IBERIA_FR,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Lisbon)",
            retention_days: Some(3650),
            deletion: "Contacts stay in the CRM until the person removes them there.",
            subprocessors: &["OVHcloud (hosting)"],
            security_contact: "security@quillmate.example",
        },
        accent: [37, 99, 235],
        story: &[
            (ago(27, 9, 30), Draft(Tomas)),
            (ago(27, 10, 0), Mockup(Tomas, "Export to CRM")),
            (ago(25, 16, 0), Submit(Tomas)),
            (ago(22, 9, 0), Claim(Reviewer)),
            (
                ago(21, 15, 0),
                Check(
                    Reviewer,
                    Checking::Failing(
                        "Retention and deletion",
                        "Ten years of retention on Quillmate's side is not explained; the copy should be gone once \
                         it reached the CRM.",
                    ),
                ),
            ),
            (
                ago(21, 15, 20),
                RequestChanges(
                    Reviewer,
                    "Please explain why Quillmate keeps the export for ten years. If the data only passes through \
                     on its way to the CRM, say so and shorten the retention.",
                ),
            ),
            (
                ago(20, 10, 5),
                Say(
                    Tomas,
                    "Good catch, that number came from our invoicing records. The export only passes through: do \
                     you need the CRM's own retention too, or only ours?",
                ),
            ),
            (
                ago(19, 14, 30),
                Say(
                    Reviewer,
                    "Only yours. The CRM is the person's own tool; state what Quillmate keeps and for how long.",
                ),
            ),
            (
                ago(15, 11, 0),
                Say(Tomas, "Updated: we keep the export for 24 hours in case the CRM upload fails, then delete it."),
            ),
            (ago(15, 11, 10), Revise(Tomas, shorten_crm_retention)),
            (ago(15, 11, 15), Submit(Tomas)),
        ],
    },
    DemoApp {
        org: Org::Quillmate,
        name: "Quillmate Newsletter Archive",
        form: Form {
            description: "Turns a writer's long posts into a searchable newsletter archive on their own domain.",
            site: "archive.quillmate.example",
            use_case: "Writers who published long posts on the platform want them on their own site too. \
                Newsletter Archive copies the posts once, converts them to clean pages with the original dates, \
                and publishes them on the writer's domain, where readers can search them.\n\nOnly posts the \
                writer selects are published; comments by others are not copied.",
            scopes: &[(POSTS, "The writer's own posts become the archive's pages.")],
            countries: IBERIA_FR,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Lisbon)",
            retention_days: Some(90),
            deletion: "Unpublished copies are deleted after 90 days; writers remove published pages from their \
                dashboard at any time.",
            subprocessors: &["OVHcloud (hosting)", "Bunny.net (CDN)"],
            security_contact: "security@quillmate.example",
        },
        accent: [202, 138, 4],
        story: &[
            (ago(7, 10, 0), Draft(Tomas)),
            (ago(7, 10, 40), Mockup(Tomas, "Import your posts")),
            (ago(5, 9, 30), Submit(Tomas)),
            (ago(4, 11, 0), Assign(SecondReviewer)),
            (ago(4, 11, 30), Check(SecondReviewer, Checking::First(2))),
        ],
    },
    DemoApp {
        org: Org::Quillmate,
        name: "Quillmate Lead Finder",
        form: Form {
            description: "Suggests potential clients among the connections of a freelancer's connections.",
            site: "leads.quillmate.example",
            use_case: "Lead Finder would follow a freelancer's network over time and suggest who among their \
                second-degree connections is likely to need a writer, based on what those people do on the \
                platform. It needs ongoing connections and activity to keep the suggestions fresh.",
            scopes: &[
                (CONNECTIONS_ONGOING, "New connections of connections are candidates for suggestions."),
                (ACTIVITY_ONGOING, "Recent activity tells which candidates are active."),
            ],
            countries: IBERIA_FR,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Lisbon)",
            retention_days: Some(180),
            deletion: "Suggestions are deleted after 180 days or when the freelancer disconnects.",
            subprocessors: &["OVHcloud (hosting)"],
            security_contact: "security@quillmate.example",
        },
        accent: [71, 85, 105],
        story: &[
            (ago(14, 9, 0), Draft(Tomas)),
            (ago(14, 9, 30), Mockup(Tomas, "Find leads")),
            (ago(13, 17, 0), Submit(Tomas)),
            (ago(11, 8, 45), Withdraw(Tomas)),
        ],
    },
    DemoApp {
        org: Org::Quillmate,
        name: "Quillmate Inbox Bridge",
        form: Form {
            description: "Brings a freelancer's client conversations into Quillmate's shared inbox, so their \
                assistant can answer briefs while they write.",
            site: "inbox.quillmate.example",
            use_case: "Freelancers receive briefs from clients as direct messages. Inbox Bridge copies new \
                messages into Quillmate's inbox, where the freelancer and the assistant they invite can \
                answer them. Only conversations the freelancer labels *client* are copied; the others stay \
                untouched.\n\nReplies are sent by the freelancer on the platform itself; Inbox Bridge never \
                writes messages.",
            scopes: &[
                (MESSAGES_ONGOING, "New messages in conversations labelled as client work, as they arrive."),
                (PROFILE, "The freelancer's name and avatar show in the shared inbox."),
            ],
            countries: IBERIA_FR,
            distinguishing: BY_ACCOUNT_COUNTRY,
            region: "EU (Lisbon)",
            retention_days: Some(180),
            deletion: "Conversations are deleted 180 days after their last message, or at once when the \
                freelancer removes the label or disconnects.",
            subprocessors: &["OVHcloud (hosting)"],
            security_contact: "security@quillmate.example",
        },
        accent: [8, 145, 178],
        story: &[
            (ago(2, 9, 0), Draft(Tomas)),
            (ago(2, 9, 30), Mockup(Tomas, "Connect client conversations")),
            (ago(1, 16, 0), Submit(Tomas)),
            (ago(1, 16, 10), Sandbox(Tomas)),
        ],
    },
];

fn shorten_crm_retention(content: &mut ApplicationContent) {
    content.data_handling.retention_days = Some(1);
    content.data_handling.deletion_process = "The export passes through Quillmate on its way to the CRM: we keep \
        it for at most 24 hours, in case the upload has to be retried, then delete it."
        .into();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_world::steps::timeline;
    use chrono::{TimeZone, Utc};
    use portcullis_domain::application::content::missing_items;
    use portcullis_domain::application::scope::default_catalogue;

    #[test]
    fn every_story_starts_with_its_draft_and_runs_forward_in_time() {
        let today = Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap();
        for demo in &SCRIPT {
            assert!(matches!(demo.story.first(), Some((_, Draft(_)))), "{}", demo.name);
            let moments: Vec<_> = demo.story.iter().map(|(at, _)| at.on(today)).collect();
            assert!(moments.is_sorted(), "{}", demo.name);
            assert!(moments.iter().all(|at| *at < ago(0, 0, 0).on(today)), "{} ends before today", demo.name);
        }
        assert_eq!(timeline(today).len(), SCRIPT.iter().map(|d| d.story.len()).sum::<usize>());
    }

    #[test]
    fn every_form_that_is_submitted_is_complete() {
        let catalogue = default_catalogue();
        for demo in SCRIPT.iter().filter(|d| d.story.iter().any(|(_, step)| matches!(step, Submit(_)))) {
            let missing = missing_items(&demo.form.content(demo.name), 1, &catalogue);
            assert!(missing.is_empty(), "{}: {missing:?}", demo.name);
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = SCRIPT.iter().map(|d| d.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SCRIPT.len());
    }
}
