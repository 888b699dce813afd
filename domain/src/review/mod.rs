//! Reviewing applications: checklists, verdicts and the rules a decision must pass.

pub mod checklist;
pub mod decision;
pub mod due;
pub mod gate;
pub mod queue;
pub mod template;
pub mod view;
