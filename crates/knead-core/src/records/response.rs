//! The non-response policy (clinical reference, section 4): a default built from general thresholds,
//! labelled in the product as the clinic's policy, with every threshold a practice setting.
//!
//! A visit is a day on which the episode has a leg NPRS; weeks count from the episode's first measure.

use super::instruments::{InstrumentDefinition, Measure, Score, StartBackRisk, NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The policy's thresholds (defaults from the reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponsePolicy {
    /// Early warning at this visit or week, whichever comes first (3, 3).
    pub early_visit: i64,
    pub early_week: i64,
    /// Early warning: leg NPRS improved by less than this many points (1) and no function gain.
    pub early_min_points: f64,
    /// Non-responder at this visit or week, whichever first (6, 6).
    pub review_visit: i64,
    pub review_week: i64,
    /// Responder threshold on leg NPRS: this many points (2) or this percent of baseline (30).
    pub responder_points: f64,
    pub responder_percent: f64,
    /// PSFS change that counts as a function gain (2 on the mean).
    pub psfs_points: f64,
    /// The ceiling: this many sessions (9) or weeks (12) without reaching the responder threshold.
    pub ceiling_visits: i64,
    pub ceiling_weeks: i64,
    /// Deterioration: NPRS (leg or back) up by this many points (2) from baseline.
    pub deterioration_points: f64,
}

impl Default for ResponsePolicy {
    fn default() -> Self {
        ResponsePolicy {
            early_visit: 3,
            early_week: 3,
            early_min_points: 1.0,
            review_visit: 6,
            review_week: 6,
            responder_points: 2.0,
            responder_percent: 30.0,
            psfs_points: 2.0,
            ceiling_visits: 9,
            ceiling_weeks: 12,
            deterioration_points: 2.0,
        }
    }
}

impl ResponsePolicy {
    /// Visits and weeks 1..=52 with early before review before ceiling; points 0.5..=10; percent 1..=100.
    /// Errors name `response_policy.<field>`.
    pub fn validate(&self, e: &mut ValidationErrors) {
        let f = |name: &str| format!("response_policy.{name}");
        for (name, value) in [
            ("early_visit", self.early_visit),
            ("early_week", self.early_week),
            ("review_visit", self.review_visit),
            ("review_week", self.review_week),
            ("ceiling_visits", self.ceiling_visits),
            ("ceiling_weeks", self.ceiling_weeks),
        ] {
            e.range(&f(name), value, 1, 52, "");
        }
        for (name, value) in [
            ("early_min_points", self.early_min_points),
            ("responder_points", self.responder_points),
            ("psfs_points", self.psfs_points),
            ("deterioration_points", self.deterioration_points),
        ] {
            if !(value.is_finite() && (0.5..=10.0).contains(&value)) {
                e.push(FieldError::new("out_of_range", f(name), "must be between 0.5 and 10 points"));
            }
        }
        if !(self.responder_percent.is_finite() && (1.0..=100.0).contains(&self.responder_percent)) {
            e.push(FieldError::new("out_of_range", f("responder_percent"), "must be between 1 and 100"));
        }
        if self.early_visit >= self.review_visit || self.review_visit >= self.ceiling_visits {
            e.push(FieldError::new(
                "invalid",
                f("review_visit"),
                "visits must come in order: early warning, then review, then the ceiling",
            ));
        }
        if self.early_week >= self.review_week || self.review_week >= self.ceiling_weeks {
            e.push(FieldError::new(
                "invalid",
                f("review_week"),
                "weeks must come in order: early warning, then review, then the ceiling",
            ));
        }
    }
}

/// An episode's response status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Reaching the responder threshold.
    Responding,
    /// Not enough visits or weeks to judge (or no baseline yet).
    TooEarly,
    /// Little change by the early checkpoint: re-screen red flags, review the plan.
    EarlyWarning,
    /// Below threshold at the review checkpoint: routine referral; massage only alongside that care.
    NonResponder,
    /// The course's ceiling without reaching the threshold: stop massage as the only treatment, refer.
    CeilingReached,
    /// Worse by the deterioration threshold, or new or worsening nerve symptoms: urgent referral.
    Deteriorating,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Responding => "responding",
            ResponseStatus::TooEarly => "too_early",
            ResponseStatus::EarlyWarning => "early_warning",
            ResponseStatus::NonResponder => "non_responder",
            ResponseStatus::CeilingReached => "ceiling_reached",
            ResponseStatus::Deteriorating => "deteriorating",
        }
    }

    /// In plain words, for the pages and letters.
    pub fn label(self) -> &'static str {
        match self {
            ResponseStatus::Responding => "responding",
            ResponseStatus::TooEarly => "too early to judge",
            ResponseStatus::EarlyWarning => "early warning: little change so far",
            ResponseStatus::NonResponder => "not responding by the review point",
            ResponseStatus::CeilingReached => "the course's limit reached without enough change",
            ResponseStatus::Deteriorating => "getting worse",
        }
    }

    /// Whether it asks the therapist to act (an alert on the dashboard).
    pub fn needs_action(self) -> bool {
        !matches!(self, ResponseStatus::Responding | ResponseStatus::TooEarly)
    }

    /// Whether going from `before` to this status is news to tell the therapist: it asks for action, and
    /// asked for something else (or nothing) before.
    pub fn newly_needs_action(self, before: ResponseStatus) -> bool {
        self.needs_action() && self != before
    }

    /// Whether it asks for the red-flag screening again.
    pub fn rescreen(self) -> bool {
        matches!(self, ResponseStatus::EarlyWarning | ResponseStatus::Deteriorating)
    }
}

/// The policy's verdict on an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub status: ResponseStatus,
    /// What to do, in plain words.
    pub recommendation: String,
    /// The visit day from which this status has held (None with no measures).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub since: Option<Date>,
    /// Whether the policy asks for the red-flag screening again.
    pub rescreen: bool,
    /// The checks behind it (baseline, latest, change in points and percent, visit and week), for the page.
    pub reasons: Vec<String>,
}

/// Extra facts the measures alone do not hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// New or worsening neurological symptoms recorded since the baseline (a later screening's nerve
    /// answers): deterioration at once.
    pub new_neuro_symptoms: bool,
    /// The episode's STarT Back stratification came out high: co-management recommended from the start.
    pub high_startback: bool,
}

/// Applies the policy to an episode's measures (any order; several instruments). `loaded` tells which
/// loaded instruments are function measures and their thresholds (RMDQ 5 points and 30%, ODI 10 and 30%).
///
/// Days are UTC dates of `taken_at`. The policy is judged as of the latest measure: week `n` is the `n`th
/// week from the episode's first measure (days 0-6 are week 1). `since` comes from judging every visit
/// day's measures up to that day; `signals` have no date, so they count from the latest visit day only.
pub fn assess(
    measures: &[Measure],
    signals: Signals,
    policy: &ResponsePolicy,
    loaded: &[InstrumentDefinition],
) -> Response {
    let mut sorted: Vec<&Measure> = measures.iter().collect();
    sorted.sort_by_key(|m| (m.taken_at, m.id));
    let day = |m: &Measure| m.taken_at.to_zoned(TimeZone::UTC).date();
    let mut visit_days: Vec<Date> = sorted.iter().filter(|m| m.instrument == NPRS_LEG).map(|m| day(m)).collect();
    visit_days.dedup();
    // Weeks count from the first measure of any instrument; with a visit there is one.
    let first = sorted.first().map_or(Date::MIN, |m| day(m));
    let mut statuses = Vec::with_capacity(visit_days.len());
    for (i, visit) in visit_days.iter().enumerate() {
        let prefix: Vec<&Measure> = sorted.iter().copied().filter(|m| day(m) <= *visit).collect();
        let latest = i + 1 == visit_days.len();
        let signals_then = if latest { signals } else { Signals::default() };
        statuses.push(judge(&prefix, first, *visit, signals_then, policy, loaded));
    }
    let Some(current) = statuses.pop() else {
        // No leg NPRS yet: too early, unless new nerve symptoms already say worse.
        let mut judgement = Judgement::none();
        judgement.status = if signals.new_neuro_symptoms { ResponseStatus::Deteriorating } else { judgement.status };
        return verdict(judgement, signals_with_startback(signals, &sorted), policy, None);
    };
    let mut since = visit_days.len() - 1;
    while since > 0 && statuses[since - 1].status == current.status {
        since -= 1;
    }
    verdict(current, signals_with_startback(signals, &sorted), policy, Some(visit_days[since]))
}

/// The signals, with a high STarT Back risk from the episode's latest STarT Back measure.
fn signals_with_startback(signals: Signals, sorted: &[&Measure]) -> Signals {
    let high = sorted
        .iter()
        .rev()
        .find(|m| m.instrument == STARTBACK)
        .is_some_and(|m| matches!(m.score, Score::StartBack { risk: StartBackRisk::High, .. }));
    Signals { high_startback: signals.high_startback || high, ..signals }
}

/// One judgement at one visit day, with the checks behind it.
struct Judgement {
    status: ResponseStatus,
    reasons: Vec<String>,
    /// Whether the early checkpoint has passed (a `too_early` then means "some change, not yet enough").
    past_early: bool,
}

impl Judgement {
    fn none() -> Judgement {
        Judgement {
            status: ResponseStatus::TooEarly,
            reasons: vec!["No leg pain (NPRS) recorded yet: the baseline is the first one.".to_string()],
            past_early: false,
        }
    }
}

/// The first and latest value of one instrument, oldest first.
fn first_and_latest(prefix: &[&Measure], key: &str) -> Option<(f64, f64, usize)> {
    let values: Vec<f64> = prefix.iter().filter(|m| m.instrument == key).map(|m| m.score.number()).collect();
    Some((*values.first()?, *values.last()?, values.len()))
}

/// A number without a needless ".0".
pub(crate) fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// Whether a function measure improved by its clinically important change, with the reason lines.
fn function_gain(prefix: &[&Measure], policy: &ResponsePolicy, loaded: &[InstrumentDefinition]) -> (bool, Vec<String>) {
    let mut gain = false;
    let mut reasons = Vec::new();
    if let Some((baseline, latest, count)) = first_and_latest(prefix, PSFS) {
        let change = latest - baseline;
        let enough = count > 1 && change >= policy.psfs_points;
        gain |= enough;
        reasons.push(format!(
            "Function (PSFS mean): {} at baseline, {} now, a change of {:+} (a gain is {} points or more).",
            num(baseline),
            num(latest),
            num(change),
            num(policy.psfs_points)
        ));
    }
    for definition in loaded.iter().filter(|d| d.function_measure) {
        let Some((baseline, latest, count)) = first_and_latest(prefix, &definition.key) else { continue };
        let change = if definition.lower_is_better { baseline - latest } else { latest - baseline };
        let percent = if baseline != 0.0 { change * 100.0 / baseline } else { 0.0 };
        let points_met = definition.important_change.points.is_some_and(|p| change >= p);
        let percent_met = definition.important_change.percent.is_some_and(|p| percent >= p);
        gain |= count > 1 && (points_met || percent_met);
        reasons.push(format!(
            "Function ({}): {} at baseline, {} now, better by {} ({}%).",
            definition.name,
            num(baseline),
            num(latest),
            num(change),
            num(percent)
        ));
    }
    (gain, reasons)
}

/// The policy applied to the measures up to `visit` (the prefix holds at least one leg NPRS).
fn judge(
    prefix: &[&Measure],
    first: Date,
    visit: Date,
    signals: Signals,
    policy: &ResponsePolicy,
    loaded: &[InstrumentDefinition],
) -> Judgement {
    let Some((baseline, latest, _)) = first_and_latest(prefix, NPRS_LEG) else { return Judgement::none() };
    let mut visit_days: Vec<Date> =
        prefix.iter().filter(|m| m.instrument == NPRS_LEG).map(|m| m.taken_at.to_zoned(TimeZone::UTC).date()).collect();
    visit_days.dedup();
    let visits = visit_days.len() as i64;
    let days = (visit - first).get_days().max(0) as i64;
    let week = days / 7 + 1;
    let improvement = baseline - latest;
    // With no leg pain at the start there is nothing left to relieve: a pain-free latest counts as reached.
    let percent = if baseline > 0.0 {
        improvement * 100.0 / baseline
    } else if latest <= 0.0 {
        100.0
    } else {
        0.0
    };
    let reached = improvement >= policy.responder_points || percent >= policy.responder_percent;
    let mut reasons = vec![
        format!("Visit {visits}, week {week} of the episode."),
        format!(
            "Leg pain (NPRS): {} at baseline, {} now, better by {} points ({}%); the responder threshold is {} \
             points or {}%.",
            num(baseline),
            num(latest),
            num(improvement),
            num(percent),
            num(policy.responder_points),
            num(policy.responder_percent)
        ),
    ];
    let mut worse = latest - baseline >= policy.deterioration_points;
    if let Some((back_baseline, back_latest, _)) = first_and_latest(prefix, NPRS_BACK) {
        worse |= back_latest - back_baseline >= policy.deterioration_points;
        reasons.push(format!("Back pain (NPRS): {} at baseline, {} now.", num(back_baseline), num(back_latest)));
    }
    if signals.new_neuro_symptoms {
        reasons.push("New or worsening nerve symptoms were recorded.".to_string());
    }
    let (gain, function_reasons) = function_gain(prefix, policy, loaded);
    reasons.extend(function_reasons);
    let at = |visit_mark: i64, week_mark: i64| visits >= visit_mark || week >= week_mark;
    let status = if worse || signals.new_neuro_symptoms {
        ResponseStatus::Deteriorating
    } else if at(policy.ceiling_visits, policy.ceiling_weeks) && !reached {
        ResponseStatus::CeilingReached
    } else if at(policy.review_visit, policy.review_week) && !reached && !gain {
        ResponseStatus::NonResponder
    } else if at(policy.early_visit, policy.early_week) && improvement < policy.early_min_points && !gain {
        ResponseStatus::EarlyWarning
    } else if reached {
        ResponseStatus::Responding
    } else {
        ResponseStatus::TooEarly
    };
    Judgement { status, reasons, past_early: at(policy.early_visit, policy.early_week) }
}

/// The response with its recommendation in plain words, labelled as the clinic's policy.
fn verdict(judgement: Judgement, signals: Signals, p: &ResponsePolicy, since: Option<Date>) -> Response {
    let mut recommendation = match judgement.status {
        ResponseStatus::Deteriorating => format!(
            "Clinic policy: pain is worse by {} points or more since the start, or nerve symptoms are new or \
             worse. Refer urgently to a physician, and repeat the red-flag screening before any more massage.",
            num(p.deterioration_points)
        ),
        ResponseStatus::CeilingReached => format!(
            "Clinic policy: {} visits or {} weeks without reaching the responder threshold. Stop massage as the \
             only treatment and refer to a physician or physiotherapist.",
            p.ceiling_visits, p.ceiling_weeks
        ),
        ResponseStatus::NonResponder => format!(
            "Clinic policy: by visit {} or week {} leg pain has not improved by {} points or {}%, and function \
             has not improved enough. Make a routine referral to a physician or physiotherapist; continue \
             massage only alongside that care.",
            p.review_visit,
            p.review_week,
            num(p.responder_points),
            num(p.responder_percent)
        ),
        ResponseStatus::EarlyWarning => format!(
            "Clinic policy: little change by visit {} or week {}. Repeat the red-flag screening and review the \
             treatment plan with the client.",
            p.early_visit, p.early_week
        ),
        ResponseStatus::Responding => "Clinic policy: leg pain has improved by the responder threshold. Continue \
                                       the plan and keep recording pain at each visit."
            .to_string(),
        ResponseStatus::TooEarly if judgement.past_early => "Clinic policy: some change, not yet at the responder \
                                                             threshold. Keep recording leg and back pain at each \
                                                             visit, and function (PSFS) at least every third visit."
            .to_string(),
        ResponseStatus::TooEarly => "Clinic policy: too early to judge. Record leg and back pain at each visit, \
                                     and function (PSFS) at least every third visit."
            .to_string(),
    };
    let mut reasons = judgement.reasons;
    if signals.high_startback {
        let line = "High STarT Back risk: recommend care shared with a physiotherapist or psychologically \
                    informed care from the start.";
        reasons.push(line.to_string());
        recommendation.push(' ');
        recommendation.push_str(line);
    }
    Response { status: judgement.status, recommendation, since, rescreen: judgement.status.rescreen(), reasons }
}
