//! The booking flow's "why" step and the red-flag screening that follows it for back pain, leg pain and
//! sciatica.
//!
//! The why step asks what brings the client and which of the service's add-ons they want; its form comes
//! back to `/book/why` with `step=why`, which checks the answers and sends the client on: to the screening
//! when the reason needs one, else to the times. The screening asks every question of the core's list with
//! no answer chosen beforehand; its post stores the answers (`knead_app::intake::screen`, an emergency too)
//! and shows what they mean: the emergency guidance (nothing can be booked), a notice that the booking will
//! be held for a physician's clearance, the advice to see a physician alongside, or straight on to the
//! times. The screening's id then travels in the flow to the booking.

use super::steps::steps;
use super::{check_session_csrf, Booker, Flow};
use crate::auth::MaybeCaller;
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::intake::{capital, emergency_page, form::yes_no};
use crate::state::AppState;
use crate::ui::{error_summary_named, field, minutes, Input, Values, WHOLE};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::{intake, AppError};
use knead_core::intake::screening::{AnswerKind, QUESTIONS};
use knead_core::intake::{Level, ScreeningInput, ScreeningRecord, VisitReason};
use knead_core::money::format_cents;
use knead_core::{FieldError, ValidationErrors};
use maud::html;

/// `GET /book/why`: the step, or (sent from its own form) the check that moves the client on.
pub(super) async fn why(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let submitted =
        q.as_deref().is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "step" && v == "why"));
    let b = Booker::load_located(&state, &caller, Flow::from_query(q)).await?;
    if let Err(e) = b.place() {
        return b.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if !submitted {
        return b.why_page(&ValidationErrors::default(), StatusCode::OK).await;
    }
    let errors = b.why_errors(true);
    if !errors.0.is_empty() {
        return b.why_page(&errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let next = b.flow.with(|f| f.screening_id.clear());
    let path = if b.needs_screening() { "/book/screening" } else { "/book/when" };
    Ok(Redirect::to(&next.link(path)).into_response())
}

/// The question's short name, for the error summary.
fn question_label(field: &str) -> Option<String> {
    Some(
        match field {
            "saddle_numbness" => "Numbness around the genitals, buttocks or inner thighs",
            "bladder_change" => "Changes in passing urine",
            "bowel_change" => "Changes in bowel control",
            "sexual_change" => "Changes in sexual function",
            "bilateral_leg_symptoms" => "Symptoms in both legs",
            "gait_disturbance" => "Trouble walking or balancing",
            "systemically_unwell" => "Fever, chills or night sweats",
            "progressive_weakness" => "Leg weakness getting worse",
            "history_of_cancer" => "Cancer, ever",
            "unexplained_weight_loss" => "Weight loss without trying",
            "immunosuppressed" => "A weakened immune system",
            "long_term_steroids" => "Steroid tablets for months",
            "osteoporosis_new_severe_pain" => "Osteoporosis with sudden severe pain",
            "significant_trauma" => "A fall or an accident",
            "constant_night_pain" => "Constant pain, worse at night",
            "non_msk_symptoms" => "Pain in the belly, pelvis or chest, or other symptoms",
            "age" => "Your age",
            "first_episode" => "First time with back pain",
            "symptom_weeks" => "Weeks with these symptoms",
            "improving" => "Getting better",
            "inflammatory_pattern" => "Morning stiffness that began before 45",
            _ => return None,
        }
        .to_string(),
    )
}

/// The screening form's answers, and what could not be read (neither yes nor no, not a whole number).
fn read_answers(values: &Values) -> (ScreeningInput, ValidationErrors) {
    let mut input = ScreeningInput::default();
    let mut e = ValidationErrors::default();
    for q in QUESTIONS {
        let text = values.get(q.field).trim();
        match q.kind {
            AnswerKind::YesNo => {
                let answer = match text {
                    "yes" => Some(true),
                    "no" => Some(false),
                    "" => None,
                    _ => {
                        e.push(FieldError::new("invalid", q.field, "answer yes or no"));
                        None
                    }
                };
                input.set_flag(q.field, answer);
            }
            AnswerKind::Years | AnswerKind::Weeks => {
                if text.is_empty() {
                    continue;
                }
                match text.parse::<i64>() {
                    Ok(n) if q.kind == AnswerKind::Years => input.age = Some(n),
                    Ok(n) => input.symptom_weeks = Some(n),
                    Err(_) => e.push(FieldError::new("invalid_type", q.field, "must be a whole number")),
                }
            }
        }
    }
    (input, e)
}

/// `GET /book/screening`.
pub(super) async fn screening_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load(&state, &caller, Flow::from_query(q)).await?;
    let errors = b.why_errors(true);
    if !errors.0.is_empty() {
        return b.why_page(&errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if !b.needs_screening() {
        return Ok(Redirect::to(&b.flow.link("/book/when")).into_response());
    }
    Ok(b.screening_form(&Values::default(), &ValidationErrors::default(), StatusCode::OK))
}

/// `POST /book/screening`: stores the answers and shows what they mean.
pub(super) async fn screen(
    State(state): State<AppState>,
    caller: MaybeCaller,
    form: FormPairs,
) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let b = Booker::load(&state, &caller, Flow::from_pairs(&form.0)).await?;
    let values = Values::from_form(form.0.clone());
    let (input, mut errors) = read_answers(&values);
    let record = match intake::screen(state.app(), caller.user(), &input).await {
        Ok(r) if errors.0.is_empty() => r,
        Ok(_) => return Ok(b.screening_form(&values, &errors, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(AppError::Invalid(more)) => {
            for e in more.0 {
                if errors.for_field(&e.field).is_none() {
                    errors.push(e);
                }
            }
            // In the page's order, so the summary reads as the form does.
            errors.0.sort_by_key(|e| QUESTIONS.iter().position(|q| q.field == e.field).unwrap_or(usize::MAX));
            return Ok(b.screening_form(&values, &errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(level = record.assessment.level.as_str(), "screening answered in the booking flow");
    let next = b.flow.with(|f| f.screening_id = record.id.0.clone());
    match record.assessment.level {
        Level::Emergency => Ok(emergency_page(&b.frame(), &record.assessment.reasons)),
        Level::Clear => Ok(Redirect::to(&next.link("/book/when")).into_response()),
        Level::Urgent | Level::Routine => Ok(b.screening_result(&record, &next)),
    }
}

impl Booker<'_> {
    pub(super) fn reason(&self) -> Option<VisitReason> {
        VisitReason::parse("reason", &self.flow.reason).ok()
    }

    pub(super) fn needs_screening(&self) -> bool {
        self.reason().is_some_and(VisitReason::needs_screening)
    }

    /// What is wrong with the why step's answers: the reason (`required` when the step was answered) and
    /// add-ons this service does not list.
    pub(super) fn why_errors(&self, reason_required: bool) -> ValidationErrors {
        let mut e = ValidationErrors::default();
        if self.flow.reason.is_empty() {
            if reason_required {
                e.push(FieldError::new("required", "reason", "choose what brings you"));
            }
        } else if let Err(err) = VisitReason::parse("reason", &self.flow.reason) {
            e.push(FieldError { detail: "choose one of the reasons listed".into(), ..err });
        }
        if let Err(err) = self.service.with_add_ons("add_ons", &self.flow.add_ons) {
            e.push(err);
        }
        e
    }

    /// Step 3: what brings the client, and the service's add-ons.
    pub(super) async fn why_page(&self, errors: &ValidationErrors, status: StatusCode) -> Result<Response, WebError> {
        let reason_error = errors.for_field("reason");
        let add_on_error = errors.for_field("add_ons");
        let described = |id: &str, hint: bool, error: bool| {
            let ids: Vec<String> = [hint.then(|| format!("{id}-hint")), error.then(|| format!("{id}-error"))]
                .into_iter()
                .flatten()
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        };
        let body = html! {
            (steps(3))
            h1 { "What brings you?" }
            p.lead { (self.service.name) " · " a href=(self.flow.with(|f| f.start.clear()).link("/book/where")) { "change place" } }
            (error_summary_named(errors, "Please check:", &|_| None))
            form.stack method="get" action="/book/why" novalidate {
                (self.flow.hidden(&["reason", "add_ons", "screening_id", "start"]))
                input type="hidden" name="step" value="why";
                fieldset #reason .invalid[reason_error.is_some()] aria-describedby=[described("reason", true, reason_error.is_some())] {
                    legend { "What brings you to massage?" }
                    span.hint #reason-hint { "So your therapist can prepare. For back pain, leg pain or sciatica we ask a few safety questions first." }
                    @if let Some(e) = reason_error { span.error #reason-error { (e) } }
                    @for r in VisitReason::ALL {
                        label.check { input type="radio" name="reason" value=(r.as_str()) checked[self.flow.reason == r.as_str()] required; " " (r.label()) }
                    }
                }
                @if !self.service.add_ons.is_empty() {
                    fieldset #add_ons .invalid[add_on_error.is_some()] aria-describedby=[described("add_ons", true, add_on_error.is_some())] {
                        legend { "Add to your visit (optional)" }
                        span.hint #add_ons-hint { "Each adds to the price, and some to the time." }
                        @if let Some(e) = add_on_error { span.error #add_ons-error { (e) } }
                        @for a in &self.service.add_ons {
                            @let id = format!("add_on_{}", a.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect::<String>());
                            label.check for=(id) {
                                input #(id) type="checkbox" name="add_ons" value=(a.name) checked[self.flow.add_ons.iter().any(|x| x.eq_ignore_ascii_case(&a.name))];
                                " " (a.name) span.meta { " · +" (format_cents(a.price_cents)) @if a.extra_minutes > 0 { ", +" (minutes(a.extra_minutes)) } }
                            }
                        }
                    }
                }
                button type="submit" { "Continue" }
            }
        };
        Ok((status, self.frame().page("What brings you?", body)).into_response())
    }

    /// The screening's questions, every one asked, none answered beforehand.
    pub(super) fn screening_form(&self, values: &Values, errors: &ValidationErrors, status: StatusCode) -> Response {
        let t = &self.settings.screening;
        let body = html! {
            (steps(3))
            h1 { "A few safety questions" }
            p.lead { "Back and leg pain is rarely serious, but a few signs mean you should see a doctor before massage, sometimes today. People seldom mention them unless asked, so we ask everyone. Please answer each one." }
            p.hint { "Two answers depend on the practice's settings: a first-ever episode of back pain under "
                (t.first_episode_under_age) " or over " (t.first_episode_over_age)
                " years old, and symptoms for " (t.nerve_pain_weeks) " weeks or more that are not getting better." }
            form.stack method="post" action="/book/screening" novalidate {
                (error_summary_named(errors, "Please answer every question:", &question_label))
                (crate::ui::csrf_field(self.caller))
                (self.flow.hidden(&["screening_id", "start"]))
                @for q in QUESTIONS {
                    @match q.kind {
                        AnswerKind::YesNo => (yes_no(values, errors, q.field, q.text, "")),
                        AnswerKind::Years => (field(values, errors, q.field, q.text, Input::Line(WHOLE), "In whole years.")),
                        AnswerKind::Weeks => (field(values, errors, q.field, q.text, Input::Line(WHOLE), "In whole weeks; 0 if less than a week.")),
                    }
                }
                button type="submit" { "Continue" }
            }
        };
        (status, self.frame().page("A few safety questions", body)).into_response()
    }

    /// What an urgent or routine screening means for the booking, before the client picks a time.
    fn screening_result(&self, record: &ScreeningRecord, next: &Flow) -> Response {
        let level = record.assessment.level;
        let body = html! {
            (steps(3))
            @if level == Level::Urgent {
                h1 { "You can book, and we hold the booking" }
                div.notice role="status" {
                    p { strong { "Your booking will be held until a physician has cleared you for massage." } " Please see a physician in the next few days about:" }
                    ul { @for r in record.assessment.reasons.iter().filter(|r| r.level >= Level::Routine) { li { (capital(&r.message)) "." } } }
                    p { "Bring their note, or ask them to write to the practice. When staff have it, they confirm your booking and tell you." }
                }
            } @else {
                h1 { "You can book" }
                div.notice role="status" {
                    p { "We suggest you also see a physician or a physiotherapist about:" }
                    ul { @for r in &record.assessment.reasons { li { (capital(&r.message)) "." } } }
                    p { "Massage can go on alongside their care." }
                }
            }
            p { a.button href=(next.link("/book/when")) { "Choose a time" } }
        };
        self.frame().respond(StatusCode::OK, "Your answers", body)
    }
}
