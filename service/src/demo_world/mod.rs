//! `serve --demo --demo-world`: a realistic world to click through, made only of the portal's
//! own operations (so every row has its audit record, events and mail): three organisations,
//! applications in every status with their checklists, messages, revisions and credentials, and
//! a gateway key. It is seeded once; later runs find the first organisation and leave it be.

mod cast;
mod mockup;
mod script;
mod steps;

pub use cast::ACCOUNTS;
pub use mockup::{HEIGHT as MOCKUP_HEIGHT, WIDTH as MOCKUP_WIDTH};
pub use steps::SandboxClient;

use crate::clock::{ManualClock, SharedClock};
use crate::credentials;
use crate::error::ServiceResult;
use crate::{Services, accounts};
use cast::{Cast, Person};
use portcullis_domain::credential::GatewayKeyInput;
use std::sync::Arc;
use steps::{Play, ago, move_to};

/// The people join, the platform's gateway gets its key and the organisations are founded
/// before the first application of the script.
const ACCOUNTS_CREATED: steps::At = ago(75, 9, 0);
const GATEWAY_KEY_CREATED: steps::At = ago(74, 11, 0);
const ORGS_FOUNDED: steps::At = ago(70, 10, 0);
const GATEWAY: &str = "Platform API gateway (eu-central-1)";

/// What a first seeding made. The secrets are shown once, by the caller, and never stored.
pub struct Seeded {
    pub organisations: usize,
    pub applications: usize,
    /// For `POST /oauth/introspect`.
    pub gateway_key: String,
    /// For `POST /oauth/token`.
    pub sandbox: Option<SandboxClient>,
}

/// Seeds the world unless it is there already (`None`). The demo accounts are seeded too.
///
/// The story is written on its own clock, from weeks ago up to yesterday, so that ages, due
/// dates and timelines look lived in; its audit records follow the demo accounts' in the chain,
/// which orders by sequence, not by time.
pub async fn seed(services: &Services) -> ServiceResult<Option<Seeded>> {
    accounts::seed_demo(services).await?;
    if cast::founded(services, &cast::ctx_of(services, Person::Developer).await?).await? {
        return Ok(None);
    }
    let today = services.clock().now();
    let clock = ManualClock::new(ACCOUNTS_CREATED.on(today));
    let story = services.with_clock(Arc::new(clock.clone()) as SharedClock);
    accounts::seed_accounts(&story, &ACCOUNTS).await?;
    let cast = Cast::load(&story).await?;

    move_to(&clock, GATEWAY_KEY_CREATED.on(today));
    let input = GatewayKeyInput { name: GATEWAY.into() };
    let gateway_key = credentials::create_gateway_key(&story, cast.ctx(Person::Admin), input).await?.key;
    move_to(&clock, ORGS_FOUNDED.on(today));
    let org_ids = cast::found(&story, &cast).await?;

    let mut play = Play::new(&story, &clock, &cast, &org_ids);
    play.run(today).await?;
    // The story's services have their own mail signal; the server's worker hears this one.
    services.wake_mail_worker();
    Ok(Some(Seeded {
        organisations: org_ids.len(),
        applications: script::SCRIPT.len(),
        gateway_key,
        sandbox: play.sandbox,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn the_prologue_comes_before_the_first_step_of_the_script() {
        let today = Utc::now();
        let first_step = steps::timeline(today)[0].1;
        let prologue = [ACCOUNTS_CREATED, GATEWAY_KEY_CREATED, ORGS_FOUNDED].map(|at| at.on(today));
        assert!(prologue.is_sorted());
        assert!(prologue[2] < first_step);
    }
}
