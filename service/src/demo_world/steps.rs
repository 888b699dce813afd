//! How the demo world's story is played: each step is one service operation by one person at
//! one moment, and the steps of all applications run together in the order of their moments,
//! so timelines, the review clock and the audit trail read as they would have happened.

use super::cast::{Cast, Person};
use super::mockup;
use super::script::{DemoApp, SCRIPT, SHOWCASE};
use crate::applications::{self, appeals, messages, mockups, submission, suspension};
use crate::clock::{Clock, ManualClock};
use crate::context::Ctx;
use crate::error::{ServiceError, ServiceResult};
use crate::review::{self, reviews};
use crate::{Services, credentials};
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use portcullis_domain::application::appeal::AppealInput;
use portcullis_domain::application::content::{ApplicationContent, ApplicationPatch};
use portcullis_domain::application::view::{CreateApplicationInput, MessageInput};
use portcullis_domain::credential::{Environment, IssueInput, ReasonInput};
use portcullis_domain::ids::{ApplicationId, ItemId};
use portcullis_domain::review::checklist::{ReviewItem, Verdict};
use portcullis_domain::review::decision::{DecisionInput, DecisionKind};
use portcullis_domain::review::view::VerdictInput;

/// When a step happens: whole days before today, at a time of day (UTC). Never today, so a
/// step is always in the past, whenever the world is seeded.
#[derive(Debug, Clone, Copy)]
pub struct At {
    days_ago: u32,
    hour: u32,
    minute: u32,
}

pub const fn ago(days_ago: u32, hour: u32, minute: u32) -> At {
    At { days_ago, hour, minute }
}

impl At {
    pub fn on(self, today: DateTime<Utc>) -> DateTime<Utc> {
        let midnight = today.date_naive().and_time(NaiveTime::MIN).and_utc();
        midnight - Duration::days(i64::from(self.days_ago))
            + Duration::hours(i64::from(self.hour))
            + Duration::minutes(i64::from(self.minute))
    }
}

/// Which verdicts a reviewer records on their checklists.
#[derive(Debug, Clone, Copy)]
pub enum Checking {
    /// Every item passes: ready to approve.
    All,
    /// The first items pass and the rest wait: a review half done.
    First(usize),
    /// The item whose title contains the text fails with the note; the others pass.
    Failing(&'static str, &'static str),
}

impl Checking {
    fn verdict(self, position: usize, item: &ReviewItem) -> Option<VerdictInput> {
        let pass = VerdictInput { verdict: Some(Verdict::Pass), note: String::new() };
        match self {
            Checking::All => Some(pass),
            Checking::First(count) => (position < count).then_some(pass),
            Checking::Failing(title, note) if item.title.contains(title) => {
                Some(VerdictInput { verdict: Some(Verdict::Fail), note: note.into() })
            }
            Checking::Failing(..) => Some(pass),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Creates the application and fills in the form, as saving as you type does.
    Draft(Person),
    Mockup(Person, &'static str),
    Submit(Person),
    /// Sandbox credentials, which members take once the application is submitted.
    Sandbox(Person),
    Claim(Person),
    /// An admin hands the application to a reviewer.
    Assign(Person),
    Check(Person, Checking),
    Say(Person, &'static str),
    Approve(Person, &'static [&'static str], &'static str),
    RequestChanges(Person, &'static str),
    Reject(Person, &'static str),
    /// An owner appeals the rejection, with these reasons; the appeal stays pending.
    Appeal(Person, &'static str),
    /// Edits the form (changes requested), then resubmits with a separate step.
    Revise(Person, fn(&mut ApplicationContent)),
    Withdraw(Person),
    /// An admin issues production credentials; the secret waits for an owner.
    Production,
    /// An owner collects the production secret.
    Collect(Person),
    /// An admin suspends the application, for the reason given.
    Suspend(&'static str),
}

/// Every step of the script with its application's place and moment, earliest first; steps at
/// the same moment keep the script's order.
pub fn timeline(today: DateTime<Utc>) -> Vec<(usize, DateTime<Utc>, Step)> {
    let mut steps: Vec<_> = SCRIPT
        .iter()
        .enumerate()
        .flat_map(|(app, demo)| demo.story.iter().map(move |(at, step)| (app, at.on(today), *step)))
        .collect();
    steps.sort_by_key(|(_, at, _)| *at);
    steps
}

/// Moves the story's clock forward to `at`; it never goes back.
pub fn move_to(clock: &ManualClock, at: DateTime<Utc>) {
    let now = clock.now();
    if at > now {
        clock.advance((at - now).to_std().expect("later is positive"));
    }
}

/// The showcase application's sandbox credentials, printed once so the OAuth endpoints can be
/// tried at once.
pub struct SandboxClient {
    pub application: &'static str,
    pub client_id: String,
    pub client_secret: String,
}

/// The world as the story goes: the services on the story's clock, and what earlier steps made.
pub struct Play<'a> {
    services: &'a Services,
    clock: &'a ManualClock,
    cast: &'a Cast,
    org_ids: &'a [String],
    ids: Vec<Option<String>>,
    production: Vec<Option<String>>,
    pub sandbox: Option<SandboxClient>,
}

impl<'a> Play<'a> {
    pub fn new(services: &'a Services, clock: &'a ManualClock, cast: &'a Cast, org_ids: &'a [String]) -> Self {
        let (ids, production) = (vec![None; SCRIPT.len()], vec![None; SCRIPT.len()]);
        Play { services, clock, cast, org_ids, ids, production, sandbox: None }
    }

    pub async fn run(&mut self, today: DateTime<Utc>) -> ServiceResult<()> {
        for (app, at, step) in timeline(today) {
            move_to(self.clock, at);
            // The error's message is for people; which step failed, and why, goes to the log.
            self.step(app, step).await.inspect_err(|error| {
                tracing::error!(application = SCRIPT[app].name, ?step, ?error, "a demo world step failed");
            })?;
        }
        Ok(())
    }

    fn id(&self, app: usize) -> ServiceResult<String> {
        self.ids[app].clone().ok_or_else(|| ServiceError::Internal("a step before the application's draft".into()))
    }

    async fn step(&mut self, app: usize, step: Step) -> ServiceResult<()> {
        let (s, demo) = (self.services, &SCRIPT[app]);
        if let Step::Draft(person) = step {
            self.ids[app] = Some(self.draft(demo, self.cast.ctx(person)).await?);
            return Ok(());
        }
        let id = self.id(app)?;
        let admin = self.cast.ctx(Person::Admin);
        match step {
            Step::Draft(_) => unreachable!("handled above"),
            Step::Mockup(person, label) => self.mockup(demo, self.cast.ctx(person), &id, label).await?,
            Step::Submit(person) => {
                submission::submit(s, self.cast.ctx(person), &id).await?;
            }
            Step::Sandbox(person) => self.sandbox(demo, self.cast.ctx(person), &id).await?,
            Step::Claim(person) => {
                review::assign(s, self.cast.ctx(person), &id, None).await?;
            }
            Step::Assign(person) => {
                review::assign(s, admin, &id, Some(self.cast.user_id(person))).await?;
            }
            Step::Check(person, checking) => self.check(self.cast.ctx(person), &id, checking).await?,
            Step::Say(person, body) => {
                messages::post(s, self.cast.ctx(person), &id, MessageInput { body: body.into() }).await?;
            }
            Step::Approve(person, scopes, message) => {
                self.decide(self.cast.ctx(person), &id, DecisionKind::Approve, scopes, message).await?
            }
            Step::RequestChanges(person, message) => {
                self.decide(self.cast.ctx(person), &id, DecisionKind::RequestChanges, &[], message).await?
            }
            Step::Reject(person, message) => {
                self.decide(self.cast.ctx(person), &id, DecisionKind::Reject, &[], message).await?
            }
            Step::Appeal(person, reasons) => {
                appeals::file(s, self.cast.ctx(person), &id, AppealInput { reasons: reasons.into() }).await?;
            }
            Step::Revise(person, change) => self.revise(self.cast.ctx(person), &id, change).await?,
            Step::Withdraw(person) => {
                submission::withdraw(s, self.cast.ctx(person), &id).await?;
            }
            Step::Production => {
                let input = IssueInput { environment: Environment::Production };
                self.production[app] = Some(credentials::issue(s, admin, &id, input).await?.client_id);
            }
            Step::Collect(person) => self.collect(app, self.cast.ctx(person)).await?,
            Step::Suspend(reason) => {
                suspension::suspend(s, admin, &id, ReasonInput { reason: reason.into() }).await?;
            }
        }
        Ok(())
    }

    async fn draft(&self, demo: &DemoApp, ctx: &Ctx) -> ServiceResult<String> {
        let input = CreateApplicationInput { org_id: self.org_ids[demo.org as usize].clone(), name: demo.name.into() };
        let id = applications::create(self.services, ctx, input).await?.id;
        let patch = ApplicationPatch::replacing(demo.form.content(demo.name), None);
        applications::update(self.services, ctx, &id, patch).await?;
        Ok(id)
    }

    async fn mockup(&self, demo: &DemoApp, ctx: &Ctx, id: &str, label: &str) -> ServiceResult<()> {
        let png = Bytes::from(mockup::consent_screen(demo.screen()));
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(png)]);
        let upload = mockups::receive(self.services, ctx, id, body).await?;
        mockups::attach(self.services, ctx, id, upload, label).await?;
        Ok(())
    }

    async fn sandbox(&mut self, demo: &DemoApp, ctx: &Ctx, id: &str) -> ServiceResult<()> {
        let input = IssueInput { environment: Environment::Sandbox };
        let issued = credentials::issue(self.services, ctx, id, input).await?;
        if demo.name == SHOWCASE
            && let Some(client_secret) = issued.client_secret
        {
            self.sandbox = Some(SandboxClient { application: demo.name, client_id: issued.client_id, client_secret });
        }
        Ok(())
    }

    async fn check(&self, ctx: &Ctx, id: &str, checking: Checking) -> ServiceResult<()> {
        let items = reviews::get(self.services, ctx, id).await?.items;
        let app_id = ApplicationId::new(id);
        for (position, item) in items.iter().enumerate() {
            if let Some(input) = checking.verdict(position, item) {
                reviews::record(self.services, ctx, &app_id, &ItemId::new(item.item_id.as_str()), input).await?;
            }
        }
        Ok(())
    }

    /// Decides on the application as the reviewer's page shows it now.
    async fn decide(
        &self,
        ctx: &Ctx,
        id: &str,
        decision: DecisionKind,
        scopes: &[&str],
        message: &str,
    ) -> ServiceResult<()> {
        let current = applications::get(self.services, ctx, id).await?;
        let input = DecisionInput {
            decision,
            granted_scopes: scopes.iter().map(|s| s.to_string()).collect(),
            message: message.into(),
            revision: current.revision,
            version: current.version,
            override_reason: String::new(),
        };
        review::decide(self.services, ctx, id, input).await?;
        Ok(())
    }

    async fn revise(&self, ctx: &Ctx, id: &str, change: fn(&mut ApplicationContent)) -> ServiceResult<()> {
        let current = applications::get(self.services, ctx, id).await?;
        let mut content = current.content;
        change(&mut content);
        applications::update(self.services, ctx, id, ApplicationPatch::replacing(content, Some(current.version)))
            .await?;
        Ok(())
    }

    /// The owner collects the secret with a fresh sign-in, and the story drops it: their team
    /// keeps it in its own vault. Only a rotation would show another.
    async fn collect(&self, app: usize, ctx: &Ctx) -> ServiceResult<()> {
        let client_id = self.production[app]
            .clone()
            .ok_or_else(|| ServiceError::Internal("collecting before production credentials".into()))?;
        let mut fresh = ctx.clone();
        if let Some(actor) = fresh.actor.as_mut() {
            actor.confirmed_at = Some(self.clock.now().timestamp());
        }
        credentials::collect(self.services, &fresh, &client_id).await?;
        Ok(())
    }
}
