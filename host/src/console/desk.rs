//! The agent's desk (seed 001 §2.3.2): idle until a call or case arrives
//! (live), then the call, the scene (the plate photo, the cameras, what
//! the robot shows now), the vehicle's facts and the policy's reason, and
//! the seed's actions — correct the plate, open, open abnormally with a
//! reason and evidence, register a visitor, send a preset to the display,
//! match a similar plate inside, close a stay at a stated time — and 关单
//! back to idle. Every action is the API's own handler, so it is checked
//! and recorded as the API does; each answers with a redirect back here and
//! a line saying what came of it. Single keys (and Alt+key) reach every
//! action: an agent's hands are busy with the call.

use crate::api::query::Query as ApiQuery;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use boomgate_engine::sdk::{Direction, Display, Gate, Light, QrCode};
use maud::{Markup, html};
use serde::Deserialize;

use super::congestion::{direction_text, reason_text};
use super::i18n::{Locale, Msg};
use super::{Flash, Posted, Viewer, after_form, failure, form_value, form_values, see_other};
use crate::api::auth::{Caller, visible_lots};
use crate::api::cases::{self, Case, CaseClosing, CaseStatus, NewCase};
use crate::api::desk::Outcome;
use crate::api::desk::acts::{
    self, AbnormalReason, Correction, Match, OpenRequest, VisitorRegistration,
};
use crate::api::desk::display::{self, Presets, PresetsQuery, Push};
use crate::api::desk::pending::{self, Pending};
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::api::stays::{self, Closing, SessionsQuery, Similar, SimilarQuery, Stay};
use crate::db::cases::CaseFilter;
use crate::db::lots::LotRow;
use crate::db::types::{CaptureKind, CaseOutcome};
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/desk", get(desk_page))
        .route("/console/desk/answer", post(answer))
        .route("/console/desk/correct", post(correct))
        .route("/console/desk/open", post(open))
        .route("/console/desk/abnormal", post(abnormal))
        .route("/console/desk/visitor", post(visitor))
        .route("/console/desk/display", post(push))
        .route("/console/desk/match", post(match_entry))
        .route("/console/desk/stated-exit", post(stated_exit))
        .route("/console/desk/close", post(close))
        .route("/console/congestion/call", post(call_robot))
}

// ---------------------------------------------------------------- what is on the desk

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskQuery {
    /// A case of the person's to show (the newest answered one otherwise).
    case: Option<String>,
}

/// Everything the desk shows about a case.
pub(super) struct OnDesk {
    /// The service's clock when the desk was read.
    now: i64,
    lot: LotRow,
    case: Case,
    pending: Option<Pending>,
    presets: Presets,
    similar: Vec<Similar>,
    inside: Vec<Stay>,
}

impl OnDesk {
    fn direction(&self) -> Option<Direction> {
        self.pending.as_ref().map(|p| p.direction)
    }

    fn plate(&self) -> Option<&str> {
        self.pending
            .as_ref()
            .and_then(|p| p.plate.as_deref())
            .or(self.case.plate.as_deref())
    }
}

/// The open case the desk is about: the one asked for, or the newest the
/// agent answered and has not closed.
async fn current_case(
    state: &AppState,
    viewer: &Viewer,
    asked: Option<&str>,
) -> Result<Option<(LotRow, Case)>, ApiError> {
    if let Some(id) = asked {
        let axum::Json(case) = cases::get_case(
            State(state.clone()),
            viewer.caller.clone(),
            Path(id.to_owned()),
        )
        .await?;
        if case.status == CaseStatus::Closed {
            return Ok(None);
        }
        let lot = crate::api::auth::staff_lot(state, &viewer.caller, &case.lot_id).await?;
        return Ok(Some((lot, case)));
    }
    let Caller::Agent { agent_id, .. } = &viewer.caller else {
        return Ok(None);
    };
    let mut newest: Option<(LotRow, crate::db::cases::CaseRow)> = None;
    for lot in visible_lots(state, &viewer.caller).await? {
        let filter = CaseFilter {
            open: Some(true),
            gate: None,
            agent: Some(agent_id),
            since: 0,
            until: i64::MAX,
            test: false,
            limit: 1,
        };
        if let Some(row) = crate::db::cases::cases(state.db.pool(), &lot.id, &filter)
            .await?
            .into_iter()
            .next()
            && newest
                .as_ref()
                .is_none_or(|(_, n)| row.answered_at > n.answered_at)
        {
            newest = Some((lot, row));
        }
    }
    match newest {
        Some((lot, row)) => {
            let case = cases::view(state, &lot, row, true).await?;
            Ok(Some((lot, case)))
        }
        None => Ok(None),
    }
}

async fn on_desk(
    state: &AppState,
    viewer: &Viewer,
    lot: LotRow,
    case: Case,
) -> Result<OnDesk, ApiError> {
    let st = || State(state.clone());
    let caller = || viewer.caller.clone();
    let at = || Path((case.lot_id.clone(), case.gate_id.clone()));
    let pending = match pending::pending(st(), caller(), at()).await {
        Ok(axum::Json(p)) => Some(p),
        Err(ApiError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let locale = Some(viewer.locale.name().to_owned());
    let axum::Json(presets) = display::list_presets(
        st(),
        caller(),
        Path(case.lot_id.clone()),
        ApiQuery(PresetsQuery { locale }),
    )
    .await?;
    let exit = pending
        .as_ref()
        .is_some_and(|p| p.direction == Direction::Exit);
    let mut similar = Vec::new();
    let mut inside = Vec::new();
    if exit {
        if let Some(plate) = pending.as_ref().and_then(|p| p.plate.clone()) {
            let axum::Json(found) = stays::similar(
                st(),
                caller(),
                Path(case.lot_id.clone()),
                ApiQuery(SimilarQuery { plate }),
            )
            .await?;
            similar = found;
        }
        let axum::Json(stays) = stays::list_sessions(
            st(),
            caller(),
            Path(case.lot_id.clone()),
            ApiQuery(SessionsQuery {
                inside: Some(true),
                limit: None,
            }),
        )
        .await?;
        inside = stays;
    }
    Ok(OnDesk {
        now: state.clock.now_ms(),
        lot,
        case,
        pending,
        presets,
        similar,
        inside,
    })
}

/// The open cases of the person's lots nobody answered, oldest first.
async fn waiting(state: &AppState, viewer: &Viewer) -> Result<Vec<Case>, ApiError> {
    let mut out = Vec::new();
    for lot in visible_lots(state, &viewer.caller).await? {
        let filter = CaseFilter {
            open: Some(true),
            gate: None,
            agent: None,
            since: 0,
            until: i64::MAX,
            test: false,
            limit: 100,
        };
        for row in crate::db::cases::cases(state.db.pool(), &lot.id, &filter).await? {
            if row.agent_id.is_none() {
                out.push(cases::view(state, &lot, row, false).await?);
            }
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.waiting_seconds));
    Ok(out)
}

// ---------------------------------------------------------------- the page

async fn desk_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DeskQuery>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let found = match current_case(&state, &viewer, q.case.as_deref()).await {
        Ok(found) => found,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/desk");
    let shown = found.as_ref().map(|(_, case)| case.id.clone());
    let body = match found {
        None => {
            let list = match waiting(&state, &viewer).await {
                Ok(list) => list,
                Err(e) => return failure(l, e),
            };
            html! {
                (state_marker(None))
                h1 { (l.t(Msg::Desk)) }
                (flash.notice())
                (flash.error(""))
                p.idle #idle { (l.t(Msg::DeskIdle)) }
                (waiting_list(&viewer, &list))
                (key_sheet(l))
            }
        }
        Some((lot, case)) => {
            let desk = match on_desk(&state, &viewer, lot, case).await {
                Ok(desk) => desk,
                Err(e) => return failure(l, e),
            };
            html! {
                (state_marker(Some(&desk.case.id)))
                h1 { (l.t(Msg::Desk)) " · " (l.f(Msg::CaseAt, &[("case", &desk.case.id)])) }
                (flash.notice())
                (flash.error(""))
                (call_overview(&viewer, &desk))
                div.desk-grid {
                    (scene(&viewer, &desk))
                    (facts(&viewer, &desk))
                }
                (actions(&viewer, &desk, &flash))
                (acts_list(&viewer, &desk.case))
                (close_form(&viewer, &desk, &flash))
                (key_sheet(l))
            }
        }
    };
    frame
        .live_page_of(l.t(Msg::Desk), "desk", shown.as_deref(), body)
        .into_response()
}

/// Which case the desk shows: when the live stream's differs, the page
/// loads again (a call arrived on an idle desk, or the case was closed).
fn state_marker(case: Option<&str>) -> Markup {
    html! { div #desk-state hidden data-case=(case.unwrap_or("")) {} }
}

/// The live fragments of the desk.
pub async fn fragments(
    state: &AppState,
    viewer: &Viewer,
    case: Option<&str>,
) -> Result<Vec<(&'static str, Markup)>, ApiError> {
    let found = current_case(state, viewer, case).await?;
    Ok(match found {
        None => vec![
            ("desk-state", state_marker(None)),
            (
                "desk-waiting",
                waiting_list(viewer, &waiting(state, viewer).await?),
            ),
        ],
        Some((lot, case)) => {
            let desk = on_desk(state, viewer, lot, case).await?;
            vec![
                ("desk-state", state_marker(Some(&desk.case.id))),
                ("desk-scene", scene(viewer, &desk)),
                ("desk-facts", facts(viewer, &desk)),
                ("desk-evidence", evidence(viewer, &desk)),
                ("desk-acts", acts_list(viewer, &desk.case)),
            ]
        }
    })
}

fn waiting_list(viewer: &Viewer, list: &[Case]) -> Markup {
    let l = viewer.locale;
    let frame = viewer.frame();
    html! {
        section #desk-waiting {
            h2 { (l.t(Msg::WaitingCases)) }
            @if list.is_empty() {
                p.empty { (l.t(Msg::NoWaitingCases)) }
            } @else {
                table.list {
                    thead { tr { th { (l.t(Msg::Waiting)) } th { (l.t(Msg::Origin)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th {} } }
                    tbody {
                        @for (i, c) in list.iter().enumerate() {
                            tr.waiting-case data-case=(c.id) data-gate=(c.gate_id) {
                                td { strong { (l.duration(c.waiting_seconds)) } }
                                td { (reason_text(l, c.opened_by.as_str())) }
                                td { (c.lot_id) " · " (c.gate_id) }
                                td.plate { (c.plate.as_deref().unwrap_or("—")) }
                                td {
                                    form.inline method="post" action="/console/desk/answer" {
                                        (frame.csrf_field())
                                        input type="hidden" name="case" value=(c.id);
                                        button.primary type="submit" data-key=[(i == 0).then_some("n")] aria-keyshortcuts=[(i == 0).then_some("N")] {
                                            (l.t(Msg::Answer))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn call_overview(viewer: &Viewer, desk: &OnDesk) -> Markup {
    let l = viewer.locale;
    let c = &desk.case;
    html! {
        section.card #desk-call {
            h2 { (l.t(Msg::CallOverview)) }
            dl.facts.inline {
                dt { (l.t(Msg::Caller)) } dd #call-caller { (c.caller.as_deref().unwrap_or("—")) }
                dt { (l.t(Msg::Robot)) } dd #call-robot {
                    (c.robot_name.as_deref().or(c.robot_id.as_deref()).unwrap_or("—"))
                    @if let Some(phone) = &c.robot_phone { " · " a.tel href={ "tel:" (phone) } { (phone) } }
                }
                dt { (l.t(Msg::LotName)) } dd #call-lot { (desk.lot.name) }
                dt { (l.t(Msg::Gate)) } dd #call-gate {
                    (c.gate_id)
                    @if let Some(d) = desk.direction() { " · " (direction_text(l, d)) }
                }
                dt { (l.t(Msg::Origin)) } dd { (reason_text(l, c.opened_by.as_str())) @if c.test { " " span.tag { (l.t(Msg::Test)) } } }
                dt { (l.t(Msg::Waiting)) } dd { (l.duration(desk.pending.as_ref().map_or(c.waiting_seconds, |p| p.waiting_seconds))) }
                @if let Some(seat) = &c.seat { dt { (l.t(Msg::Seat)) } dd { (seat) } }
            }
        }
    }
}

fn light_text(l: Locale, light: Light) -> &'static str {
    match light {
        Light::Green => l.t(Msg::LightGreen),
        Light::Yellow => l.t(Msg::LightYellow),
        Light::Red => l.t(Msg::LightRed),
    }
}

fn qr_text(l: Locale, qr: QrCode) -> &'static str {
    match qr {
        QrCode::UnplatedEntry => l.t(Msg::QrUnplatedEntry),
        QrCode::UnplatedExit => l.t(Msg::QrUnplatedExit),
        QrCode::MonthlyRenewal => l.t(Msg::QrMonthlyRenewal),
        QrCode::QuickExit => l.t(Msg::QrQuickExit),
    }
}

fn display_text(l: Locale, display: &Display) -> String {
    match display {
        Display::Smile => l.t(Msg::ShowSmile).to_owned(),
        Display::Qr { qr } => l.f(Msg::ShowQr, &[("qr", qr_text(l, *qr))]),
        Display::Text { text } => l.f(Msg::ShowText, &[("text", text)]),
        Display::VehiclesInside => l.t(Msg::ShowVehiclesInside).to_owned(),
        Display::IdPrompt => l.t(Msg::ShowIdPrompt).to_owned(),
    }
}

fn light_class(light: Light) -> &'static str {
    match light {
        Light::Green => "online",
        Light::Yellow => "degraded",
        Light::Red => "offline",
    }
}

fn scene(viewer: &Viewer, desk: &OnDesk) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #desk-scene {
            h2 { (l.t(Msg::Scene)) }
            @match &desk.pending {
                None => p.muted { (l.t(Msg::NothingHeld)) },
                Some(p) => {
                    div.scene-photos {
                        figure {
                            @match &p.scene.plate_photo {
                                Some(url) => img #plate-photo src=(url) alt=(l.t(Msg::PlatePhoto)) loading="lazy";,
                                None => div.no-photo { (l.t(Msg::NoPlatePhoto)) },
                            }
                            figcaption { (l.t(Msg::PlatePhoto)) }
                        }
                        @for camera in &p.scene.cameras {
                            figure.camera {
                                @if let Some(url) = &camera.snapshot_url {
                                    img src=(url) alt=(camera.name) loading="lazy";
                                }
                                figcaption {
                                    (camera.name)
                                    @if let Some(url) = &camera.snapshot_url { " · " a href=(url) target="_blank" rel="noopener" { (l.t(Msg::Snapshot)) } }
                                    @if let Some(url) = &camera.stream_url { " · " a href=(url) target="_blank" rel="noopener" { (l.t(Msg::Stream)) } }
                                }
                            }
                        }
                    }
                    @if let Some(showing) = &p.scene.showing {
                        div.showing #robot-shows {
                            h3 { (l.t(Msg::RobotShows)) }
                            p {
                                span class={ "tag " (light_class(showing.light)) } { (light_text(l, showing.light)) }
                                " " span #robot-display { (display_text(l, &showing.display)) }
                            }
                            @if let Some(voice) = &showing.voice { p #robot-voice { (l.t(Msg::Says)) ": " (voice) } }
                            p.muted { (super::when(&showing.since)) " · " (showing.by) }
                        }
                    }
                    h3 { (l.t(Msg::Captures)) }
                    @if p.scene.captures.is_empty() {
                        p.muted { (l.t(Msg::NoCaptures)) }
                    } @else {
                        div.thumbs {
                            @for c in &p.scene.captures {
                                figure { a href=(c.url) target="_blank" { img src=(c.url) alt=(capture_kind(l, c.kind)) loading="lazy"; } figcaption { (capture_kind(l, c.kind)) " · " (super::when(&c.taken_at)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn capture_kind(l: Locale, kind: CaptureKind) -> &'static str {
    match kind {
        CaptureKind::IdCard => l.t(Msg::IdPhotos),
        CaptureKind::Scene => l.t(Msg::ScenePhotos),
    }
}

fn facts(viewer: &Viewer, desk: &OnDesk) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #desk-facts {
            h2 { (l.t(Msg::Vehicle)) }
            @if let Some(p) = &desk.pending {
                p.held-plate { span.plate #held-plate { (p.plate.as_deref().unwrap_or("—")) } }
                dl.facts {
                    dt { (l.t(Msg::Decision)) }
                    dd #held-reason {
                        span class={ "tag " (match p.decision.gate { Gate::Open => "online", Gate::Hold => "offline" }) } {
                            (match p.decision.gate { Gate::Open => l.t(Msg::GateOpen), Gate::Hold => l.t(Msg::GateHeld) })
                        }
                        " " (reason_text(l, &p.decision.reason))
                    }
                    @if let Some(fee) = &p.decision.fee { dt { (l.t(Msg::Fee)) } dd #held-fee { strong { (fee) } } }
                    dt { (l.t(Msg::MonthlyPass)) }
                    dd #fact-pass {
                        @match &p.facts.monthly_pass {
                            None => span.muted { (l.t(Msg::NoPass)) },
                            Some(pass) => {
                                @if pass.valid {
                                    (l.f(Msg::ValidUntil, &[("date", &pass.valid_until)]))
                                } @else {
                                    span.warn { (l.f(Msg::ExpiredDays, &[("days", &pass.days_expired.to_string())])) } " (" (pass.valid_until) ")"
                                }
                                br;
                                (l.f(Msg::SpacesInside, &[("spaces", &pass.spaces.to_string()), ("inside", &pass.vehicles_inside.to_string())]))
                                @if let Some(holder) = &pass.holder { br; (l.t(Msg::Holder)) ": " (holder) }
                                @if let Some(phone) = &pass.phone { " · " (phone) }
                            }
                        }
                    }
                    dt { (l.t(Msg::Stay)) }
                    dd #fact-stay {
                        @match &p.facts.session {
                            None => span.muted { (l.t(Msg::NoStay)) },
                            Some(s) => {
                                (l.f(Msg::EnteredAt, &[("at", &super::when(&s.entered_at)), ("minutes", &s.minutes.to_string())]))
                                @if s.paid_amount > 0 {
                                    br;
                                    (l.f(Msg::Paid, &[("amount", &boomgate_engine::sdk::Money { amount: s.paid_amount, currency: desk.lot.currency }.to_string())]))
                                }
                            }
                        }
                    }
                    @if p.facts.parking_pass { dt { (l.t(Msg::ParkingPass)) } dd { (l.t(Msg::Yes)) } }
                    @if !p.facts.payments.is_empty() {
                        dt { (l.t(Msg::Payments)) }
                        dd #fact-payments {
                            @for pay in &p.facts.payments { div { (super::when(&pay.paid_at)) " · " (super::money(desk.lot.currency, pay.amount)) } }
                        }
                    }
                    dt { (l.t(Msg::PolicyVersion)) } dd { (p.policy_version.map_or_else(|| "—".to_owned(), |v| v.to_string())) }
                }
                @if !p.decision.trace.is_empty() {
                    details #why-held open {
                        summary { (l.t(Msg::WhyHeld)) }
                        ol.trace { @for line in &p.decision.trace { li { (line) } } }
                    }
                }
            } @else {
                p.muted { (l.t(Msg::NothingHeld)) }
            }
        }
    }
}

fn evidence(viewer: &Viewer, desk: &OnDesk) -> Markup {
    let l = viewer.locale;
    let captures = desk
        .pending
        .as_ref()
        .map(|p| p.scene.captures.as_slice())
        .unwrap_or_default();
    html! {
        div #desk-evidence {
            @for (field, kind, label) in [("id_photos", CaptureKind::IdCard, Msg::IdPhotos), ("scene_photos", CaptureKind::Scene, Msg::ScenePhotos)] {
                fieldset.evidence data-field=(field) {
                    legend { (l.t(label)) }
                    @for c in captures.iter().filter(|c| c.kind == kind) {
                        label.thumb {
                            input type="checkbox" name=(field) value=(c.digest);
                            img src=(c.url) alt=(l.t(label)) loading="lazy";
                            span { (super::when(&c.taken_at)) }
                        }
                    }
                    span.uploads {}
                    label.upload {
                        (l.t(Msg::Upload)) " "
                        input type="file" accept="image/jpeg,image/png" data-upload={ "/v1/lots/" (desk.lot.id) "/photos" } data-field=(field);
                    }
                }
            }
        }
    }
}

fn hidden_gate(desk: &OnDesk) -> Markup {
    html! {
        input type="hidden" name="lot" value=(desk.case.lot_id);
        input type="hidden" name="gate" value=(desk.case.gate_id);
        input type="hidden" name="case" value=(desk.case.id);
    }
}

fn actions(viewer: &Viewer, desk: &OnDesk, flash: &Flash) -> Markup {
    let l = viewer.locale;
    let frame = viewer.frame();
    let exit = desk.direction() == Some(Direction::Exit);
    let entry = desk.direction() == Some(Direction::Entry);
    let held = desk.pending.is_some();
    html! {
        section.card #desk-actions {
            h2 { (l.t(Msg::Actions)) }
            @if held {
                form.row #correct-form method="post" action="/console/desk/correct" {
                    (frame.csrf_field()) (hidden_gate(desk))
                    label for="plate" { (l.t(Msg::PlateInput)) }
                    input #plate name="plate" value=(flash.kept("plate").or(desk.plate()).unwrap_or("")) autocomplete="off" aria-keyshortcuts="P" data-focus-key="p";
                    button type="submit" data-key="r" aria-keyshortcuts="R" { (l.t(Msg::Query)) }
                    (flash.error("correct"))
                }
                div.buttons {
                    form.inline method="post" action="/console/desk/open" {
                        (frame.csrf_field()) (hidden_gate(desk))
                        button.primary #open-button type="submit" data-key="o" aria-keyshortcuts="O" { (l.t(Msg::OpenGate)) " (O)" }
                    }
                }
                (flash.error("open"))
                details #abnormal data-key="a" open[flash.has_error("abnormal")] {
                    summary aria-keyshortcuts="A" { (l.t(Msg::AbnormalOpen)) " (A)" }
                    form method="post" action="/console/desk/abnormal" {
                        (frame.csrf_field()) (hidden_gate(desk))
                        fieldset.reasons {
                            legend { (l.t(Msg::AbnormalReason)) }
                            @for (i, (value, msg)) in [("special_vehicle", Msg::SpecialVehicle), ("special_person", Msg::SpecialPerson), ("non_motor_vehicle", Msg::NonMotorVehicle)].into_iter().enumerate() {
                                @let chosen = flash.kept("reason").map_or(i == 0, |r| r == value);
                                label.choice { input type="radio" name="reason" value=(value) required checked[chosen] data-digit=(i + 1); " " (i + 1) ". " (l.t(msg)) }
                            }
                        }
                        label for="abnormal-note" { (l.t(Msg::Note)) }
                        textarea #abnormal-note name="note" rows="2" maxlength="500" required { (flash.kept("note").unwrap_or("")) }
                        @if exit { p.muted { (l.t(Msg::EvidenceExit)) } }
                        (evidence(viewer, desk))
                        (flash.error("abnormal"))
                        button.primary type="submit" aria-keyshortcuts="Control+Enter" { (l.t(Msg::AbnormalOpen)) }
                    }
                }
                @if entry {
                    details #visitor data-key="v" open[flash.has_error("visitor")] {
                        summary aria-keyshortcuts="V" { (l.t(Msg::Visitor)) " (V)" }
                        form method="post" action="/console/desk/visitor" {
                            (frame.csrf_field()) (hidden_gate(desk))
                            label for="visitor-phone" { (l.t(Msg::VisitorPhone)) }
                            input #visitor-phone name="phone" type="tel" inputmode="tel" required value=[flash.kept("phone")];
                            label for="visitor-reason" { (l.t(Msg::VisitReason)) }
                            input #visitor-reason name="reason" required maxlength="500" value=[flash.kept("reason")];
                            (flash.error("visitor"))
                            button.primary type="submit" { (l.t(Msg::Register)) }
                        }
                    }
                }
            }
            section #presets {
                h3 { (l.t(Msg::SendToDisplay)) " (D)" }
                div.preset-list {
                    @for (i, p) in desk.presets.presets.iter().enumerate() {
                        form.inline method="post" action="/console/desk/display" {
                            (frame.csrf_field()) (hidden_gate(desk))
                            input type="hidden" name="preset" value=(p.name);
                            @let quick = p.name == "quick_exit_qr";
                            button.preset type="submit" data-preset=(p.name) data-digit=[(i < 9).then_some(i + 1)]
                                data-key=[quick.then_some("q")] aria-keyshortcuts=[quick.then_some("Q")] title=(p.voice) {
                                @if i < 9 { kbd { (i + 1) } " " }
                                (display_text(l, &p.display)) br; small { (p.voice) }
                            }
                        }
                    }
                }
                (flash.error("display"))
            }
            @if exit {
                details #similar data-key="s" open[!desk.similar.is_empty() && desk.pending.as_ref().is_some_and(|p| p.decision.reason == "no_entry_record")] {
                    summary aria-keyshortcuts="S" { (l.t(Msg::SimilarPlates)) " (S)" }
                    @if desk.similar.is_empty() {
                        p.muted { (l.t(Msg::NoSimilar)) }
                    } @else {
                        ol.similar {
                            @for (i, s) in desk.similar.iter().enumerate() {
                                li data-session=(s.session_id) {
                                    @if let Some(url) = &s.entry_photo { img src=(url) alt=(s.plate) loading="lazy"; }
                                    span.plate { (s.plate) } " "
                                    span.muted { (l.t(Msg::Distance)) " " (s.distance) " · " (super::when(&s.entered_at)) }
                                    form.inline method="post" action="/console/desk/match" {
                                        (frame.csrf_field()) (hidden_gate(desk))
                                        input type="hidden" name="session_id" value=(s.session_id);
                                        button type="submit" data-digit=(i + 1) { (l.t(Msg::ThisVehicle)) }
                                    }
                                }
                            }
                        }
                    }
                    (flash.error("match"))
                }
                details #stated data-key="t" open[flash.has_error("stated")] {
                    summary aria-keyshortcuts="T" { (l.t(Msg::StatedExit)) " (T)" }
                    p.muted { (l.t(Msg::StatedExitLead)) }
                    form method="post" action="/console/desk/stated-exit" {
                        (frame.csrf_field()) (hidden_gate(desk))
                        label for="stated-session" { (l.t(Msg::Stay)) }
                        select #stated-session name="session" required {
                            @for s in &desk.inside {
                                option value=(s.id) selected[Some(s.plate.as_str()) == desk.plate()] { (s.plate) " · " (super::when(&s.entered_at)) }
                            }
                        }
                        label for="left-at" { (l.t(Msg::LeftAt)) " · " (desk.lot.zone.name()) }
                        input #left-at name="left_at" type="datetime-local" required value=(flash.kept("stated.left_at").map_or_else(|| now_local(desk), str::to_owned));
                        label for="stated-note" { (l.t(Msg::Note)) }
                        input #stated-note name="note" maxlength="500" value=[flash.kept("stated.note")];
                        (flash.error("stated"))
                        button type="submit" { (l.t(Msg::CloseStay)) }
                    }
                }
            }
        }
    }
}

/// Now on the lot's wall clock, for a `datetime-local` input.
fn now_local(desk: &OnDesk) -> String {
    let now = jiff::Timestamp::from_millisecond(desk.now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    now.to_zoned(desk.lot.zone.tz().clone())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

fn acts_list(viewer: &Viewer, case: &Case) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #desk-acts {
            h2 { (l.t(Msg::CaseActs)) }
            ol.acts {
                @for act in case.acts.as_deref().unwrap_or_default() {
                    li data-act=(act.kind.as_str()) {
                        time datetime=(act.at) { (super::when(&act.at)) } " "
                        strong { (act.kind.as_str()) } " "
                        @if let Some(detail) = &act.detail { (detail) " " }
                        span.muted { (act.by) }
                    }
                }
            }
        }
    }
}

fn outcome_text(l: Locale, outcome: CaseOutcome) -> &'static str {
    match outcome {
        CaseOutcome::Opened => l.t(Msg::OutcomeOpened),
        CaseOutcome::Paid => l.t(Msg::OutcomePaid),
        CaseOutcome::TurnedAway => l.t(Msg::OutcomeTurnedAway),
        CaseOutcome::NoAnswer => l.t(Msg::OutcomeNoAnswer),
        CaseOutcome::Resolved => l.t(Msg::OutcomeResolved),
        CaseOutcome::Test => l.t(Msg::OutcomeTest),
    }
}

fn close_form(viewer: &Viewer, desk: &OnDesk, flash: &Flash) -> Markup {
    let l = viewer.locale;
    let frame = viewer.frame();
    let outcomes = [
        CaseOutcome::Opened,
        CaseOutcome::Paid,
        CaseOutcome::TurnedAway,
        CaseOutcome::NoAnswer,
        CaseOutcome::Resolved,
        CaseOutcome::Test,
    ];
    html! {
        section.card #close-case {
            h2 { (l.t(Msg::CloseCase)) " (C)" }
            form.row method="post" action="/console/desk/close" {
                (frame.csrf_field())
                input type="hidden" name="case" value=(desk.case.id);
                label for="outcome" { (l.t(Msg::Outcome)) }
                select #outcome name="outcome" data-focus-key="c" aria-keyshortcuts="C" {
                    @for o in outcomes { option value=(o.as_str()) selected[flash.kept("close.outcome") == Some(o.as_str())] { (outcome_text(l, o)) } }
                }
                input #close-note name="note" maxlength="500" value=[flash.kept("close.note")] placeholder=(l.t(Msg::Note)) aria-label=(l.t(Msg::Note));
                button.primary type="submit" { (l.t(Msg::CloseCase)) }
                (flash.error("close"))
            }
        }
    }
}

fn key_sheet(l: Locale) -> Markup {
    let keys: [(&str, Msg); 12] = [
        ("N", Msg::Answer),
        ("P", Msg::PlateInput),
        ("R", Msg::Query),
        ("O", Msg::OpenGate),
        ("A", Msg::AbnormalOpen),
        ("V", Msg::Visitor),
        ("D / 1–9", Msg::SendToDisplay),
        ("Q", Msg::QrQuickExit),
        ("S", Msg::SimilarPlates),
        ("T", Msg::StatedExit),
        ("C", Msg::CloseCase),
        ("/", Msg::Search),
    ];
    html! {
        dialog #key-sheet aria-labelledby="key-sheet-title" {
            h2 #key-sheet-title { (l.t(Msg::KeySheet)) " (?)" }
            p.muted { (l.t(Msg::KeysLead)) }
            dl.keys { @for (key, what) in keys { dt { kbd { (key) } } dd { (l.t(what)) } } }
            form method="dialog" { button { "Esc" } }
        }
    }
}

// ---------------------------------------------------------------- acting

#[derive(Debug, Deserialize)]
struct AtGate {
    lot: String,
    gate: String,
    case: String,
}

/// The desk, on a case.
fn desk_of(case: &str) -> String {
    format!("/console/desk?case={}", super::form_urlencoded(case))
}

/// Back to the desk on the case: what an act came to, or where and why it
/// was refused, with what was typed.
fn back(
    viewer: &Viewer,
    case: &str,
    form: &str,
    result: Result<String, ApiError>,
    kept: &[(&str, &str)],
) -> Response {
    after_form(viewer, &desk_of(case), form, result, kept)
}

/// Back to the desk after an act at the gate: what its outcome said, or
/// the refusal at `form` with what was typed.
fn acted(
    viewer: &Viewer,
    case: &str,
    form: &str,
    result: Result<axum::Json<Outcome>, ApiError>,
    kept: &[(&str, &str)],
) -> Response {
    let said = result.map(|axum::Json(outcome)| said(viewer.locale, &outcome));
    back(viewer, case, form, said, kept)
}

/// What the gate's outcome says, as the line at the top.
fn said(l: Locale, outcome: &Outcome) -> String {
    let voice = outcome.decision.voice.as_str();
    if outcome.opened {
        l.f(Msg::DoneOpened, &[("voice", voice)])
    } else {
        let reason =
            super::i18n::reason(l, &outcome.decision.reason).unwrap_or(&outcome.decision.reason);
        l.f(Msg::DoneRefused, &[("reason", reason), ("voice", voice)])
    }
}

#[derive(Debug, Deserialize)]
struct CaseForm {
    case: String,
}

async fn answer(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<CaseForm>,
) -> Response {
    match cases::answer_case(
        State(state.clone()),
        viewer.caller.clone(),
        Path(form.case.clone()),
    )
    .await
    {
        Ok(_) => back(
            &viewer,
            &form.case,
            "",
            Ok(viewer.locale.t(Msg::DoneAnswered).to_owned()),
            &[],
        ),
        Err(e) => after_form(&viewer, "/console/desk", "", Err(e), &[]),
    }
}

#[derive(Debug, Deserialize)]
struct CorrectForm {
    #[serde(flatten)]
    at: AtGate,
    plate: String,
}

async fn correct(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<CorrectForm>,
) -> Response {
    let AtGate { lot, gate, case } = form.at;
    let asked = Correction {
        plate: form.plate.clone(),
    };
    acted(
        &viewer,
        &case,
        "correct",
        acts::correct_plate(
            State(state.clone()),
            viewer.caller.clone(),
            Path((lot, gate)),
            Json(asked),
        )
        .await,
        &[("plate", &form.plate)],
    )
}

async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<AtGate>,
) -> Response {
    let AtGate { lot, gate, case } = form;
    let asked = OpenRequest::Normal { plate: None };
    acted(
        &viewer,
        &case,
        "open",
        acts::open_gate(
            State(state.clone()),
            viewer.caller.clone(),
            Path((lot, gate)),
            Json(asked),
        )
        .await,
        &[],
    )
}

async fn abnormal(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let one = |name: &str| form_value(&pairs, name);
    let all = |name: &str| form_values(&pairs, name);
    let case = one("case");
    let (note, reason_code) = (one("note"), one("reason"));
    let kept = [("note", note.as_str()), ("reason", reason_code.as_str())];
    let reason = match reason_code.as_str() {
        "special_vehicle" => AbnormalReason::SpecialVehicle,
        "special_person" => AbnormalReason::SpecialPerson,
        "non_motor_vehicle" => AbnormalReason::NonMotorVehicle,
        other => {
            return back(
                &viewer,
                &case,
                "abnormal",
                Err(ApiError::field(
                    "reason",
                    format!("`{other}` is not a reason to open abnormally"),
                )),
                &kept,
            );
        }
    };
    let asked = OpenRequest::Abnormal {
        reason,
        note: note.clone(),
        id_photos: all("id_photos"),
        scene_photos: all("scene_photos"),
        plate: None,
        voice: None,
    };
    acted(
        &viewer,
        &case,
        "abnormal",
        acts::open_gate(
            State(state.clone()),
            viewer.caller.clone(),
            Path((one("lot"), one("gate"))),
            Json(asked),
        )
        .await,
        &kept,
    )
}

#[derive(Debug, Deserialize)]
struct VisitorForm {
    #[serde(flatten)]
    at: AtGate,
    phone: String,
    reason: String,
}

async fn visitor(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<VisitorForm>,
) -> Response {
    let AtGate { lot, gate, case } = form.at;
    let kept = [
        ("phone", form.phone.as_str()),
        ("reason", form.reason.as_str()),
    ];
    let asked = VisitorRegistration {
        phone: form.phone.clone(),
        reason: form.reason.clone(),
        plate: None,
    };
    acted(
        &viewer,
        &case,
        "visitor",
        acts::register_visitor(
            State(state.clone()),
            viewer.caller.clone(),
            Path((lot, gate)),
            Json(asked),
        )
        .await,
        &kept,
    )
}

#[derive(Debug, Deserialize)]
struct PresetForm {
    #[serde(flatten)]
    at: AtGate,
    preset: String,
}

async fn push(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<PresetForm>,
) -> Response {
    let AtGate { lot, gate, case } = form.at;
    let asked = Push {
        preset: Some(form.preset),
        locale: Some(viewer.locale.name().to_owned()),
        display: None,
        voice: None,
        light: None,
    };
    match display::push_display(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, gate)),
        Json(asked),
    )
    .await
    {
        Ok((_, axum::Json(pushed))) => {
            let voice = pushed.voice.unwrap_or_default();
            let done = viewer.locale.f(Msg::DoneDisplay, &[("voice", &voice)]);
            back(&viewer, &case, "", Ok(done), &[])
        }
        Err(e) => back(&viewer, &case, "display", Err(e), &[]),
    }
}

#[derive(Debug, Deserialize)]
struct MatchForm {
    #[serde(flatten)]
    at: AtGate,
    session_id: String,
}

async fn match_entry(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<MatchForm>,
) -> Response {
    let AtGate { lot, gate, case } = form.at;
    let asked = Match {
        session_id: form.session_id,
    };
    acted(
        &viewer,
        &case,
        "match",
        acts::match_entry(
            State(state.clone()),
            viewer.caller.clone(),
            Path((lot, gate)),
            Json(asked),
        )
        .await,
        &[],
    )
}

#[derive(Debug, Deserialize)]
struct StatedForm {
    #[serde(flatten)]
    at: AtGate,
    session: String,
    /// `YYYY-MM-DDTHH:MM` on the lot's wall clock.
    left_at: String,
    #[serde(default)]
    note: String,
}

/// A `datetime-local` value read on the lot's wall clock, as RFC 3339.
fn lot_instant(lot: &LotRow, local: &str) -> Result<String, ApiError> {
    let civil: jiff::civil::DateTime = local
        .parse()
        .map_err(|_| ApiError::field("left_at", format!("`{local}` is not a date and time")))?;
    let zoned = civil.to_zoned(lot.zone.tz().clone()).map_err(|e| {
        ApiError::field(
            "left_at",
            format!("`{local}` is not a time in {}: {e}", lot.zone.name()),
        )
    })?;
    Ok(zoned.timestamp().to_string())
}

async fn stated_exit(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<StatedForm>,
) -> Response {
    let AtGate { lot, case, .. } = form.at;
    let lot_row = match crate::api::auth::staff_lot(&state, &viewer.caller, &lot).await {
        Ok(row) => row,
        Err(e) => return back(&viewer, &case, "stated", Err(e), &[]),
    };
    let kept_note = form.note.clone();
    let kept = [
        ("stated.note", kept_note.as_str()),
        ("stated.left_at", form.left_at.as_str()),
    ];
    let left_at = match lot_instant(&lot_row, &form.left_at) {
        Ok(at) => at,
        Err(e) => return back(&viewer, &case, "stated", Err(e), &kept),
    };
    let asked = Closing {
        left_at,
        note: Some(form.note).filter(|n| !n.trim().is_empty()),
        pay_with_pass: false,
    };
    match stays::close_stay(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, form.session)),
        Json(asked),
    )
    .await
    {
        Ok(axum::Json(closed)) => {
            let due = closed.quote.due.to_string();
            back(
                &viewer,
                &case,
                "",
                Ok(viewer.locale.f(Msg::DoneStay, &[("due", &due)])),
                &[],
            )
        }
        Err(e) => back(&viewer, &case, "stated", Err(e), &kept),
    }
}

#[derive(Debug, Deserialize)]
struct CloseForm {
    case: String,
    outcome: CaseOutcome,
    #[serde(default)]
    note: String,
}

async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<CloseForm>,
) -> Response {
    let asked = CaseClosing {
        outcome: form.outcome,
        note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
    };
    match cases::close_case(
        State(state.clone()),
        viewer.caller.clone(),
        Path(form.case.clone()),
        Json(asked),
    )
    .await
    {
        Ok(_) => after_form(
            &viewer,
            "/console/desk",
            "",
            Ok(viewer.locale.t(Msg::DoneClosed).to_owned()),
            &[],
        ),
        Err(e) => back(
            &viewer,
            &form.case,
            "close",
            Err(e),
            &[
                ("close.note", &form.note),
                ("close.outcome", form.outcome.as_str()),
            ],
        ),
    }
}

#[derive(Debug, Deserialize)]
struct CallForm {
    lot: String,
    gate: String,
}

/// 呼叫 from the congestion list (§2.3.3): the gate's case, opened now and
/// given to the agent, who dials the robot's SIM from the desk.
async fn call_robot(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<CallForm>,
) -> Response {
    let asked = NewCase {
        note: Some(format!("{} {}", viewer.locale.t(Msg::CallRobot), form.gate)),
    };
    match cases::open_case(
        State(state.clone()),
        viewer.caller.clone(),
        Path((form.lot, form.gate)),
        Json(asked),
    )
    .await
    {
        Ok(axum::Json(case)) => see_other(&desk_of(&case.id)),
        Err(e) => failure(viewer.locale, e),
    }
}
