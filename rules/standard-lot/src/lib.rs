//! The standard lot policy: every entry and exit scenario of PRODUCT.md
//! (monthly passes with their expiry windows, shared spaces, visitor
//! confirmation, unplated vehicles, temporary fees with a payment grace
//! period, app parking-pass picks), a degraded mode for when the gate's
//! plate camera is down, the fee schedule text, and the prompts agents push
//! to the robot.
//!
//! See `README.md` beside this crate for the settings and the scenarios.

mod prompts;
mod settings;
mod voice;

use boomgate_rules_sdk::prelude::*;
use boomgate_rules_sdk::tariff::Context;

pub use prompts::NAMES as PROMPT_NAMES;
pub use settings::{
    CameraDownEntry, CameraDownExit, LprCameraDown, MissedExit, PassWindows, Settings,
};
use voice::Say;
pub use voice::{FREE_STAY, LPR_CAMERA_DOWN};

/// The standard lot policy.
pub struct StandardLot;

boomgate_rules_sdk::export_policy!(StandardLot);

impl Policy for StandardLot {
    type Settings = Settings;
    const NAME: &'static str = "standard-lot";
    const SETTINGS_SCHEMA: &'static str = include_str!("../settings.schema.json");
    const LOCALES: &'static [Locale] = &[Locale::ZhCn, Locale::KoKr, Locale::En];

    fn check(settings: &Settings) -> Result<(), SettingsError> {
        settings.check()
    }

    fn locale(settings: &Settings) -> Locale {
        settings.locale
    }

    fn needs(settings: &Settings) -> Needs {
        Needs {
            history_minutes: settings.fees.history_minutes(),
        }
    }

    fn evaluate(settings: &Settings, input: &Input) -> Decision {
        let lot = Lot {
            s: settings,
            input,
            direction: input.event.direction,
        };
        if let Some(degraded) = lot.camera_down() {
            return lot.camera_note(degraded);
        }
        let decision = match (input.event.direction, input.event.agent) {
            (Direction::Entry, None) => lot.open_stay_at_entry(|| lot.entry()),
            (Direction::Entry, Some(AgentAction::Open)) => {
                lot.open_stay_at_entry(|| lot.agent_entry())
            }
            (Direction::Entry, Some(AgentAction::VisitorConfirmed)) => {
                lot.open_stay_at_entry(|| lot.confirmed_visitor())
            }
            (Direction::Exit, None | Some(AgentAction::VisitorConfirmed)) => {
                lot.collect_owed(lot.exit())
            }
            (Direction::Exit, Some(AgentAction::Open)) => lot.collect_owed(lot.agent_exit()),
        };
        lot.camera_note(decision)
    }

    fn fee_schedule(settings: &Settings, locale: Locale) -> String {
        settings.fees.describe(settings.currency, locale)
    }

    fn fee_quote(settings: &Settings, stay: &Stay) -> Quote {
        settings.fees.quote(stay, settings.currency)
    }

    fn prompts(settings: &Settings, locale: Locale) -> Vec<Prompt> {
        prompts::prompts(settings, locale)
    }

    fn lot_info(settings: &Settings, locale: Locale) -> LotInfo {
        LotInfo {
            visitors_admitted: !settings.visitor_confirmation,
            visitor_policy: voice::visitor_policy(locale, settings.visitor_confirmation).to_owned(),
            fee_schedule: settings.fees.describe(settings.currency, locale),
        }
    }
}

/// One event being decided.
struct Lot<'a> {
    s: &'a Settings,
    input: &'a Input,
    direction: Direction,
}

/// Where an entering vehicle stands.
enum EntryCase {
    Unplated,
    /// A valid pass with a free space (why, for the trace).
    Valid(String),
    /// A valid pass whose account's spaces are taken.
    Full(String),
    /// An expired pass within the entry renewal window.
    Renew {
        days: i64,
        why: String,
    },
    /// No pass, or one expired beyond the renewal window.
    Visitor {
        why: String,
        expired: Option<i64>,
    },
}

/// Where an expired pass stands.
enum PassState {
    Valid,
    Expired(i64),
}

impl Lot<'_> {
    /// Open the gate for `say`, with its voice line.
    fn open(&self, say: Say) -> Decision {
        Decision::open(say.code()).voice(self.s.voice(self.direction, say))
    }

    /// Hold the gate for `say`, with its voice line.
    fn hold(&self, say: Say) -> Decision {
        Decision::hold(say.code()).voice(self.s.voice(self.direction, say))
    }

    fn text(&self, say: Say) -> Display {
        Display::text(voice::display_text(self.s.locale, say))
    }

    /// A robot's read with no plate while the gate's licence-plate camera
    /// is reported down, held as `lpr_camera_down` says: with the
    /// unplated-entry code at an entry, with the quick-exit code at an exit
    /// (the driver pays by plate), handed to the agents if it says so.
    /// `None` for every other event, decided as read: a plate read shows
    /// the camera works whatever the last heartbeat said, and an agent has
    /// seen the vehicle.
    fn camera_down(&self) -> Option<Decision> {
        let event = &self.input.event;
        if !event.gate_health.camera_down() || event.plate.is_some() || event.agent.is_some() {
            return None;
        }
        let mode = &self.s.lpr_camera_down;
        let (qr, escalate, why) = match self.direction {
            Direction::Entry if mode.entry == CameraDownEntry::UnplatedQr => (
                QrCode::UnplatedEntry,
                mode.escalate_entry,
                "lpr_camera_down.entry is `unplated_qr`: the driver scans the unplated-entry code to enter",
            ),
            Direction::Exit if mode.exit == CameraDownExit::QuickExitQr => (
                QrCode::QuickExit,
                mode.escalate_exit,
                "lpr_camera_down.exit is `quick_exit_qr`: the driver pays by plate on the quick-exit code",
            ),
            Direction::Entry | Direction::Exit => return None,
        };
        let held = self
            .hold(Say::LprCameraDown)
            .display(Display::qr(qr))
            .trace("no plate read")
            .trace(why);
        if !escalate {
            return Some(held);
        }
        // Yellow, as for every hold handed to the agents: one is coming.
        Some(
            held.light(Light::Yellow)
                .effect(Effect::Escalate)
                .trace(format!(
                    "lpr_camera_down.escalate_{} is on: handed to the agents",
                    self.direction.as_str()
                )),
        )
    }

    /// Says first in the trace that the gate's licence-plate camera is
    /// reported down, and since when, and how a read with a plate was
    /// decided all the same.
    fn camera_note(&self, mut decision: Decision) -> Decision {
        let event = &self.input.event;
        let health = event.gate_health;
        if !health.camera_down() {
            return decision;
        }
        let mut lines = vec![match health.seconds_since_heartbeat {
            Some(seconds) => {
                let at = event
                    .occurred_at
                    .plus_seconds(-i64::from(seconds))
                    .map_or_else(|_| String::new(), |t| format!(" ({t})"));
                format!(
                    "licence-plate camera down, as of the robot's last heartbeat, {seconds} s before this read{at}"
                )
            }
            None => "licence-plate camera down (no time of the heartbeat given)".to_owned(),
        }];
        if event.agent.is_some() {
            lines.push("an agent's request: decided as asked".to_owned());
        } else if event.plate.is_some() {
            lines.push(
                "a plate was read all the same (the heartbeat may lag): decided as read".to_owned(),
            );
        } else if decision.reason != voice::LPR_CAMERA_DOWN {
            lines.push(format!(
                "lpr_camera_down.{} is `as_read`: decided as any read without a plate",
                self.direction.as_str()
            ));
        }
        decision.trace.splice(0..0, lines);
        decision
    }

    /// An entry of a plate whose earlier stay is still open: its exit was
    /// missed. By default the earlier stay closes as `exit_missed` with its
    /// fee left owed, and `decide` decides the entry; with `missed_exit:
    /// hold`, the robot holds for an agent (an agent's own request closes
    /// it).
    fn open_stay_at_entry(&self, decide: impl FnOnce() -> Decision) -> Decision {
        let Some(stay) = self.input.vehicle.session else {
            return decide();
        };
        let since = format!(
            "an earlier {} stay entered at {} was never seen leaving",
            stay.billing.as_str(),
            stay.entered_at
        );
        if self.s.missed_exit == MissedExit::Hold && self.input.event.agent.is_none() {
            return self
                .hold(Say::OpenStayAtEntry)
                .display(self.text(Say::OpenStayAtEntry))
                .light(Light::Yellow)
                .effect(Effect::Escalate)
                .trace(since)
                .trace("missed_exit is `hold`: an agent closes the earlier stay");
        }
        let owed = self.missed_fee(&stay);
        let mut decision = decide();
        decision.effects.insert(
            0,
            Effect::MissedExit {
                amount: owed.amount,
            },
        );
        decision
            .trace(format!(
                "{since}: it closes as exit_missed, {} left owed",
                self.s.currency.major(owed.amount, true)
            ))
            .trace(owed.explanation)
    }

    /// What a stay whose exit was missed owes, as at this entry.
    fn missed_fee(&self, stay: &Session) -> Owed {
        match stay.billing {
            Billing::Temporary => self.due(stay),
            Billing::Free => Owed {
                amount: 0,
                free: true,
                explanation: "a stay billed free owes nothing".to_owned(),
            },
            Billing::Monthly => match &self.input.vehicle.monthly_pass {
                Some(pass) => match self.pass_state(pass) {
                    PassState::Expired(days)
                        if days > i64::from(self.s.monthly_pass.exit_open_days) =>
                    {
                        self.lapsed_due(stay, pass)
                    }
                    _ => Owed {
                        amount: 0,
                        free: true,
                        explanation: format!(
                            "a monthly stay of a pass valid until {} owes nothing",
                            pass.valid_until
                        ),
                    },
                },
                None => self.due(stay),
            },
        }
    }

    /// An exit that also collects what the plate owes from earlier stays (a
    /// missed exit's fee), when `collect_owed` is on: an opening exit holds
    /// for it, a held one adds it to its order. A pick is not charged for
    /// it: agents see the debt.
    fn collect_owed(&self, mut decision: Decision) -> Decision {
        let owed = self.input.vehicle.owed;
        if owed == 0 || !self.s.collect_owed || self.input.event.plate.is_none() {
            return decision;
        }
        let money = |amount| self.s.currency.major(amount, true);
        let line = format!("the plate owes {} from earlier stays", money(owed));
        if decision
            .effects
            .iter()
            .any(|e| matches!(e, Effect::ChargePick { .. }))
        {
            return decision.trace(format!(
                "{line}: not charged to the pick, left to the agents"
            ));
        }
        if decision.is_open() {
            return self
                .hold(Say::PaymentRequired)
                .display(Display::qr(QrCode::QuickExit))
                .fee(Money::new(owed, self.s.currency))
                .effect(Effect::CreateOrder {
                    order: OrderKind::Temporary,
                    amount: Some(owed),
                    owed,
                })
                .trace(line)
                .trace(format!(
                    "the exit would open ({}), once that is paid",
                    decision.reason
                ));
        }
        let mut collected = false;
        for effect in &mut decision.effects {
            if let Effect::CreateOrder {
                order: OrderKind::Temporary,
                amount: Some(amount),
                owed: included,
            } = effect
            {
                *amount += owed;
                *included = owed;
                collected = true;
            }
        }
        if collected {
            decision.fee = decision
                .fee
                .map(|fee| Money::new(fee.amount + owed, fee.currency));
            return decision.trace(format!("{line}: added to this order"));
        }
        decision.trace(line)
    }

    /// A monthly stay whose pass has expired, as billed: as a temporary
    /// stay from the end of the pass's last valid local day, since the days
    /// before were covered by the pass; with the trace line that says so.
    fn billable(&self, stay: &Session, pass: &MonthlyPass) -> (Session, Option<String>) {
        let offset = self.input.event.occurred_at.offset_minutes();
        let covered_until = Timestamp::new(pass.valid_until.add_days(1), 0, 0, 0, offset)
            .ok()
            .filter(|end| stay.entered_at.seconds_until(end) > 0);
        match covered_until {
            Some(start) => (
                Session {
                    entered_at: start,
                    ..*stay
                },
                Some(format!(
                    "billed from {start}, the end of the pass's last valid day (entered {})",
                    stay.entered_at
                )),
            ),
            None => (*stay, None),
        }
    }

    /// What a monthly stay whose pass lapsed owes, as [`Lot::billable`]
    /// bills it.
    fn lapsed_due(&self, stay: &Session, pass: &MonthlyPass) -> Owed {
        let (billed, why) = self.billable(stay, pass);
        let mut owed = self.due(&billed);
        if let Some(why) = why {
            owed.explanation = format!("{why}; {}", owed.explanation);
        }
        owed
    }

    fn pass_state(&self, pass: &MonthlyPass) -> PassState {
        match pass.days_expired(self.input.today()) {
            d if d <= 0 => PassState::Valid,
            d => PassState::Expired(d),
        }
    }

    /// Where an entering vehicle stands.
    fn entry_case(&self) -> EntryCase {
        if self.input.event.plate.is_none() {
            return EntryCase::Unplated;
        }
        let windows = &self.s.monthly_pass;
        let Some(pass) = &self.input.vehicle.monthly_pass else {
            return EntryCase::Visitor {
                why: "no monthly pass".to_owned(),
                expired: None,
            };
        };
        match self.pass_state(pass) {
            PassState::Valid => {
                let spaces = format!(
                    "monthly pass valid until {}; {} of {} spaces taken by the account's other vehicles",
                    pass.valid_until, pass.vehicles_inside, pass.spaces
                );
                if pass.spaces_full() {
                    EntryCase::Full(spaces)
                } else {
                    EntryCase::Valid(spaces)
                }
            }
            PassState::Expired(d) if d <= i64::from(windows.entry_renewal_days) => {
                EntryCase::Renew {
                    days: d,
                    why: format!(
                        "monthly pass expired {d} day(s) ago (valid until {}); renewal at entry allowed up to {} days",
                        pass.valid_until, windows.entry_renewal_days
                    ),
                }
            }
            PassState::Expired(d) => EntryCase::Visitor {
                why: format!(
                    "monthly pass expired {d} days ago (valid until {}), beyond the {}-day renewal window: a visitor",
                    pass.valid_until, windows.entry_renewal_days
                ),
                expired: Some(d),
            },
        }
    }

    fn entry(&self) -> Decision {
        match self.entry_case() {
            EntryCase::Unplated => self
                .hold(Say::UnplatedEntry)
                .display(Display::qr(QrCode::UnplatedEntry))
                .trace("no plate read"),
            EntryCase::Valid(why) => self.monthly_entry(why),
            EntryCase::Full(why) if self.s.visitor_confirmation => self
                .hold(Say::SharedSpacesFull)
                .display(Display::VehiclesInside)
                .light(Light::Yellow)
                .trace(why)
                .trace("visitor confirmation is on: shared spaces full, no temporary entry"),
            EntryCase::Full(why) => self.admit(Say::SharedSpacesFullVisitor, why),
            EntryCase::Renew { why, .. } => self
                .hold(Say::MonthlyPassExpiredRenew)
                .display(Display::qr(QrCode::MonthlyRenewal))
                .trace(why),
            EntryCase::Visitor { why, .. } if self.s.visitor_confirmation => self
                .hold(Say::VisitorConfirmationRequired)
                .display(self.text(Say::VisitorConfirmationRequired))
                .light(Light::Yellow)
                .trace(why)
                .trace("visitor confirmation is on: a visitor needs the management office"),
            EntryCase::Visitor { why, .. } => self.admit(Say::VisitorWelcome, why),
        }
    }

    fn monthly_entry(&self, why: String) -> Decision {
        self.open(Say::MonthlyPassValid)
            .effect(Effect::OpenSession {
                billing: Billing::Monthly,
            })
            .trace(why)
    }

    /// An agent asks to open the entry (seed 2.3 B): a pass expired within
    /// the agent window enters as a temporary stay, a full account's vehicle
    /// as a visitor; a visitor needs registering, an older pass renewing.
    fn agent_entry(&self) -> Decision {
        let window = i64::from(self.s.monthly_pass.agent_open_days);
        match self.entry_case() {
            EntryCase::Valid(why) => self.monthly_entry(why).trace("opened at an agent's request"),
            EntryCase::Full(why) => self
                .admit(Say::SharedSpacesFullVisitor, why)
                .trace("an agent admitted it as a temporary stay"),
            EntryCase::Renew { days, why } | EntryCase::Visitor { why, expired: Some(days) } if days <= window => self
                .open(Say::MonthlyPassExpiredAgentOpen)
                .effect(Effect::OpenSession { billing: Billing::Temporary })
                .trace(why)
                .trace(format!("an agent may admit a pass expired up to {window} days, as a temporary stay")),
            EntryCase::Visitor { .. } if !self.s.visitor_confirmation => {
                self.entry().trace("opened at an agent's request")
            }
            EntryCase::Visitor { .. } => self
                .entry()
                .trace("an agent may not open for a visitor here: register the visitor instead"),
            EntryCase::Renew { .. } => self.entry().trace(format!(
                "an agent may open only for a pass expired up to {window} days: the pass must be renewed"
            )),
            EntryCase::Unplated => {
                self.entry().trace("no plate: push the entry code or open abnormally")
            }
        }
    }

    /// An agent registered the driver as a visitor: the management office's
    /// confirmation is given.
    fn confirmed_visitor(&self) -> Decision {
        match self.entry_case() {
            EntryCase::Full(why) => self.admit(Say::SharedSpacesFullVisitor, why),
            EntryCase::Visitor { why, .. } => self
                .admit(Say::VisitorWelcome, why)
                .trace("registered as a visitor by an agent"),
            EntryCase::Valid(_) | EntryCase::Renew { .. } | EntryCase::Unplated => self.entry(),
        }
    }

    /// Admits a vehicle as a visitor (a temporary stay), with a pick when it
    /// is registered for the app parking pass and automatic picks are on;
    /// `why` says how it came to be one.
    fn admit(&self, open_as: Say, why: String) -> Decision {
        let decision = self
            .open(open_as)
            .effect(Effect::OpenSession {
                billing: Billing::Temporary,
            })
            .trace(why);
        let registered = self
            .input
            .vehicle
            .parking_pass
            .is_some_and(|p| p.registered);
        let parker = self.input.vehicle.parking_pass.and_then(|p| p.auto_pick);
        match (registered, parker.unwrap_or(self.s.auto_pick)) {
            (true, true) => decision.effect(Effect::CreatePick).trace(match parker {
                Some(_) => "app parking pass registered and the parker makes picks automatically: pick created",
                None => "app parking pass registered and automatic picks on: pick created",
            }),
            (true, false) => decision.trace(match parker {
                Some(_) => "app parking pass registered; the parker confirms picks in the app",
                None => "app parking pass registered; automatic picks off",
            }),
            (false, _) => decision,
        }
    }

    /// An agent asks to open the exit (seed 2.3 C): a stay the robot lets
    /// out opens; a pass expired within the agent window opens too.
    fn agent_exit(&self) -> Decision {
        let decision = self.exit();
        if decision.is_open() {
            return decision.trace("opened at an agent's request");
        }
        let window = i64::from(self.s.monthly_pass.agent_open_days);
        let vehicle = &self.input.vehicle;
        let monthly = vehicle
            .session
            .is_none_or(|s| s.billing == Billing::Monthly);
        if let (Some(pass), true) = (&vehicle.monthly_pass, monthly)
            && let PassState::Expired(days) = self.pass_state(pass)
            && days <= window
        {
            let d = self
                .open(Say::MonthlyPassExpiredAgentOpen)
                .trace(format!("monthly pass expired {days} day(s) ago; an agent may let it out up to {window} days"));
            return match vehicle.session {
                Some(_) => d.effect(Effect::CloseSession),
                None => d,
            };
        }
        decision.trace("an agent may not open this exit: the decision stands")
    }

    fn exit(&self) -> Decision {
        if self.input.event.plate.is_none() {
            return self
                .hold(Say::UnplatedExit)
                .display(Display::qr(QrCode::UnplatedExit))
                .trace("no plate read");
        }
        let vehicle = &self.input.vehicle;
        match (&vehicle.session, &vehicle.monthly_pass) {
            (Some(session), _) if session.billing == Billing::Temporary => {
                self.temporary_exit(session, "temporary stay")
            }
            (Some(session), _) if session.billing == Billing::Free => self
                .open(Say::FreeStay)
                .effect(Effect::CloseSession)
                .trace(format!("stay billed free since {}", session.entered_at)),
            (session, Some(pass)) => self.pass_exit(pass, session.as_ref()),
            (Some(session), None) => self.temporary_exit(
                session,
                "monthly stay without a monthly pass: billed as temporary",
            ),
            (None, None) => self
                .hold(Say::NoEntryRecord)
                .display(self.text(Say::NoEntryRecord))
                .light(Light::Yellow)
                .effect(Effect::Escalate)
                .trace("no entry record and no monthly pass"),
        }
    }

    /// The exit of a vehicle with a monthly pass (and a monthly stay, or no
    /// entry record).
    fn pass_exit(&self, pass: &MonthlyPass, session: Option<&Session>) -> Decision {
        let windows = &self.s.monthly_pass;
        let close = |d: Decision| match session {
            Some(_) => d.effect(Effect::CloseSession),
            None => d.trace("no entry record to close"),
        };
        let d = match self.pass_state(pass) {
            PassState::Valid => {
                return close(
                    self.open(Say::MonthlyPassValid)
                        .trace(format!("monthly pass valid until {}", pass.valid_until)),
                );
            }
            PassState::Expired(d) => d,
        };
        let expired = format!(
            "monthly pass expired {d} day(s) ago (valid until {})",
            pass.valid_until
        );
        if d <= i64::from(windows.exit_open_days) {
            return close(
                self.open(Say::MonthlyPassExpiredReminder)
                    .display(Display::qr(QrCode::MonthlyRenewal))
                    .trace(format!(
                        "{expired}; exit opens up to {} days",
                        windows.exit_open_days
                    )),
            );
        }
        // Past the open window the stay owes something. A driver who chose to
        // pay it as a temporary stay has settled it.
        if let Some(session) = session.filter(|s| s.paid_amount > 0) {
            let (billed, why) = self.billable(session, pass);
            if self.due(&billed).amount == 0 {
                let mut what = format!("{expired}; stay paid as temporary");
                if let Some(why) = why {
                    what = format!("{what}, {why}");
                }
                return self.temporary_exit(&billed, &what);
            }
        }
        if d <= i64::from(windows.exit_renewal_days) {
            return self
                .hold(Say::MonthlyPassExpiredRenew)
                .display(Display::qr(QrCode::MonthlyRenewal))
                .effect(Effect::order(OrderKind::MonthlyRenewal, None))
                .trace(format!(
                    "{expired}; exit holds for renewal up to {} days",
                    windows.exit_renewal_days
                ));
        }
        let lapsed = format!(
            "{expired}; lapsed after {} days: the stay is billed as temporary",
            windows.exit_renewal_days
        );
        let Some(session) = session else {
            return self
                .hold(Say::NoEntryRecord)
                .display(self.text(Say::NoEntryRecord))
                .light(Light::Yellow)
                .effect(Effect::Escalate)
                .trace(lapsed)
                .trace("no entry record to bill the stay from");
        };
        let (billed, _) = self.billable(session, pass);
        let due = self.lapsed_due(session, pass);
        if due.amount == 0 {
            return self.temporary_exit(&billed, &lapsed);
        }
        self.hold(Say::MonthlyPassLapsed)
            .display(Display::qr(QrCode::QuickExit))
            .light(Light::Yellow)
            .fee(due.money(self.s.currency))
            .effect(Effect::order(OrderKind::Temporary, Some(due.amount)))
            .trace(lapsed)
            .trace(due.explanation)
    }

    /// What a stay billed as temporary still owes now.
    fn due(&self, session: &Session) -> Owed {
        let s = self.s;
        s.fees.owed(
            session,
            &self.input.event.occurred_at,
            s.payment_grace_minutes,
            s.currency,
            &Context::of_vehicle(&self.input.vehicle),
        )
    }

    /// The exit of a stay billed as temporary; `what` says why it is one.
    fn temporary_exit(&self, session: &Session, what: &str) -> Decision {
        let due = self.due(session);
        if due.free {
            return self
                .open(Say::FreePeriod)
                .effect(Effect::CloseSession)
                .trace(what)
                .trace(due.explanation);
        }
        if due.amount == 0 {
            return self
                .open(Say::Paid)
                .effect(Effect::CloseSession)
                .trace(what)
                .trace(due.explanation);
        }
        if session.pick {
            return self
                .open(Say::PickAutopay)
                .fee(due.money(self.s.currency))
                .effect(Effect::ChargePick { amount: due.amount })
                .effect(Effect::CloseSession)
                .trace(what)
                .trace(due.explanation)
                .trace("charged to the app parking-pass pick");
        }
        self.hold(Say::PaymentRequired)
            .display(Display::qr(QrCode::QuickExit))
            .fee(due.money(self.s.currency))
            .effect(Effect::order(OrderKind::Temporary, Some(due.amount)))
            .trace(what)
            .trace(due.explanation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boomgate_rules_sdk::testing::{Harness, run_dir};
    use std::path::Path;

    fn scenarios() -> &'static Path {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/scenarios/standard-lot"
        ))
    }

    #[test]
    fn every_scenario_passes_natively() {
        match run_dir::<StandardLot>(scenarios()) {
            Ok(count) => assert!(count >= 30, "only {count} scenarios"),
            Err(report) => panic!("{report}"),
        }
    }

    #[test]
    fn published_schema_matches_the_settings_type() {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/settings.schema.json"));
        boomgate_rules_sdk::schema::assert_published::<Settings>(
            StandardLot::SETTINGS_SCHEMA,
            path,
        );
    }

    fn default_settings() -> String {
        std::fs::read_to_string(scenarios().join("settings.json")).unwrap()
    }

    #[test]
    fn fee_text_of_the_default_schedule_is_the_seed_text() {
        let lot = Harness::<StandardLot>::new(&default_settings()).unwrap();
        assert_eq!(
            lot.fee_schedule(None).unwrap(),
            "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
        );
        assert_eq!(
            lot.fee_schedule(Some("ko-KR")).unwrap(),
            "30분 이내 무료, 1시간 이내 5위안, 이후 1시간마다 3위안, 1일 최대 30위안"
        );
        assert!(
            lot.fee_schedule(Some("fr"))
                .unwrap_err()
                .contains("`fr` is not supported")
        );
    }

    #[test]
    fn settings_errors_name_the_field() {
        let mut v: serde_json::Value = serde_json::from_str(&default_settings()).unwrap();
        let refused =
            |v: &serde_json::Value| Harness::<StandardLot>::new(&v.to_string()).err().unwrap();
        v["monthly_pass"]["exit_open_days"] = 9.into();
        assert_eq!(refused(&v).path, "monthly_pass.exit_open_days");
        v["monthly_pass"]["exit_open_days"] = 3.into();
        v["voice"] = serde_json::json!({ "payment_requird": "x" });
        assert_eq!(refused(&v).path, "voice.payment_requird");
        v["voice"] = serde_json::json!({});
        v["fees"]["then"]["every_minutes"] = 0.into();
        assert_eq!(refused(&v).path, "fees.then.every_minutes");
        v["fees"]["then"]["every_minutes"] = (-5).into();
        let e = refused(&v);
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            (
                "fees.then.every_minutes",
                "invalid value: integer `-5`, expected u32"
            )
        );
        v["fees"]["then"]["every_minutes"] = 60.into();
        v["lpr_camera_down"] = serde_json::json!({ "entry": "quick_exit_qr" });
        assert_eq!(refused(&v).path, "lpr_camera_down.entry");
        v["lpr_camera_down"] = serde_json::json!({ "escalate": true });
        assert_eq!(refused(&v).path, "lpr_camera_down.escalate");
        v["lpr_camera_down"] = serde_json::json!({});
        v["colour"] = "blue".into();
        assert!(refused(&v).message.starts_with("unknown field `colour`"));
    }

    #[test]
    fn voice_overrides_apply_by_reason_then_by_direction() {
        let mut v: serde_json::Value = serde_json::from_str(&default_settings()).unwrap();
        v["voice"] =
            serde_json::json!({ "monthly_pass_valid": "你好", "exit.monthly_pass_valid": "再见" });
        let lot = Harness::<StandardLot>::new(&v.to_string()).unwrap();
        assert_eq!(
            lot.settings()
                .voice(Direction::Entry, Say::MonthlyPassValid),
            "你好"
        );
        assert_eq!(
            lot.settings().voice(Direction::Exit, Say::MonthlyPassValid),
            "再见"
        );
        assert_eq!(lot.settings().voice(Direction::Exit, Say::Paid), "一路平安");
    }

    fn read(direction: Direction, health: GateHealth, agent: Option<AgentAction>) -> Input {
        let gate = match direction {
            Direction::Entry => "north-entry",
            Direction::Exit => "north-exit",
        };
        let mut input: Input = serde_json::from_value(serde_json::json!({
            "event": { "lot_id": "lot-1", "gate_id": gate, "direction": direction,
                       "plate": null, "occurred_at": "2026-11-22T08:15:02+08:00" }
        }))
        .unwrap();
        input.event.gate_health = health;
        input.event.agent = agent;
        input
    }

    const DOWN: GateHealth = GateHealth {
        lpr_camera: DeviceState::Down,
        seconds_since_heartbeat: Some(3600),
    };

    #[test]
    fn an_agents_request_is_decided_as_asked_with_the_camera_down() {
        let lot = Harness::<StandardLot>::new(&default_settings()).unwrap();
        for direction in [Direction::Entry, Direction::Exit] {
            let d = lot.evaluate(&read(direction, DOWN, Some(AgentAction::Open)));
            let unplated = match direction {
                Direction::Entry => reason::UNPLATED_ENTRY,
                Direction::Exit => reason::UNPLATED_EXIT,
            };
            assert_eq!(d.reason, unplated, "{direction:?}");
            assert!(!d.effects.contains(&Effect::Escalate), "{direction:?}");
            assert_eq!(
                d.trace[..2],
                [
                    "licence-plate camera down, as of the robot's last heartbeat, 3600 s before this read (2026-11-22T07:15:02+08:00)",
                    "an agent's request: decided as asked",
                ],
                "{direction:?}"
            );
        }
    }

    #[test]
    fn a_camera_down_without_a_heartbeat_time_says_so() {
        let lot = Harness::<StandardLot>::new(&default_settings()).unwrap();
        let health = GateHealth {
            lpr_camera: DeviceState::Down,
            seconds_since_heartbeat: None,
        };
        let d = lot.evaluate(&read(Direction::Exit, health, None));
        assert_eq!(d.reason, LPR_CAMERA_DOWN);
        assert_eq!(
            d.trace[0],
            "licence-plate camera down (no time of the heartbeat given)"
        );
    }

    #[test]
    fn the_camera_down_hold_speaks_the_lots_locale() {
        let mut v: serde_json::Value = serde_json::from_str(&default_settings()).unwrap();
        for (locale, entry, exit) in [
            (
                "en",
                "Plate recognition is unavailable. Please scan the code to enter, and scan the code at the exit before you leave",
                "Plate recognition is unavailable. Please scan the code to pay before you leave",
            ),
            (
                "ko-KR",
                "차량 번호 인식을 일시적으로 사용할 수 없습니다. QR 코드를 스캔한 후 입차해 주시고, 출차 전에 출구에서 QR 코드를 스캔해 주세요",
                "차량 번호 인식을 일시적으로 사용할 수 없습니다. QR 코드를 스캔하여 결제한 후 출차해 주세요",
            ),
        ] {
            v["locale"] = locale.into();
            let lot = Harness::<StandardLot>::new(&v.to_string()).unwrap();
            let d = lot.evaluate(&read(Direction::Entry, DOWN, None));
            assert_eq!(
                (d.reason.as_str(), d.voice.as_str()),
                (LPR_CAMERA_DOWN, entry)
            );
            let d = lot.evaluate(&read(Direction::Exit, DOWN, None));
            assert_eq!(
                (d.reason.as_str(), d.voice.as_str()),
                (LPR_CAMERA_DOWN, exit)
            );
            assert_eq!(d.display, Display::qr(QrCode::QuickExit));
        }
    }
}
