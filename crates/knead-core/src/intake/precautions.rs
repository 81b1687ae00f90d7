//! The precautions a health history, the reason for a visit and its screening give, and the gate a
//! booking passes.
//!
//! The categories follow the clinical reference (section 2): `block` stops a booking, `clearance_required`
//! holds it until staff record a physician's clearance, `local_avoid` (with its region) and
//! `modify_pressure` travel with the visit to the therapist's sheet.

use super::health::HealthHistory;
use super::screening::{Assessment, Level};
use super::VisitReason;
use serde::{Deserialize, Serialize};

/// What a precaution does to a visit, mildest first (so `max` is the strictest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Light pressure only: no deep or forceful work.
    ModifyPressure,
    /// Leave this region alone.
    LocalAvoid,
    /// A physician's clearance first: the booking waits for staff to record it.
    ClearanceRequired,
    /// No session.
    Block,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ModifyPressure => "modify_pressure",
            Category::LocalAvoid => "local_avoid",
            Category::ClearanceRequired => "clearance_required",
            Category::Block => "block",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::ModifyPressure => "Light pressure only",
            Category::LocalAvoid => "Avoid this area",
            Category::ClearanceRequired => "Physician's clearance first",
            Category::Block => "No massage",
        }
    }
}

/// One constraint on a visit, with why and (for `local_avoid`) where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Precaution {
    pub category: Category,
    /// The body region, for `local_avoid` (and pressure limits that apply to one region).
    pub region: Option<String>,
    /// Why, in plain language, for the therapist and the client.
    pub reason: String,
    /// The intake or screening field it comes from.
    pub source: String,
}

fn p(category: Category, region: Option<&str>, reason: &str, source: &str) -> Precaution {
    Precaution { category, region: region.map(str::to_string), reason: reason.to_string(), source: source.to_string() }
}

/// The precautions a health history, the reason for the visit and its screening give, strictest first.
pub fn precautions(
    history: Option<&HealthHistory>,
    reason: Option<VisitReason>,
    screening: Option<&Assessment>,
) -> Vec<Precaution> {
    use Category::*;
    let mut out = Vec::new();
    if let Some(s) = screening {
        for r in &s.reasons {
            match r.level {
                Level::Emergency => out.push(p(Block, None, &r.message, &r.field)),
                Level::Urgent => out.push(p(ClearanceRequired, None, &r.message, &r.field)),
                Level::Routine | Level::Clear => {}
            }
        }
    }
    if let Some(h) = history.map(HealthHistory::answers) {
        let yes = |field: &str| h.answer(field) == Some(true);
        if yes("suspected_clot") {
            out.push(p(
                Block,
                None,
                "a suspected or treated blood clot: no massage until a physician has seen it",
                "suspected_clot",
            ));
        }
        if yes("fever_or_contagious") {
            out.push(p(
                Block,
                None,
                "a fever or an illness that spreads: massage waits until it has passed",
                "fever_or_contagious",
            ));
        }
        if yes("spinal_surgery") {
            out.push(p(
                ClearanceRequired,
                Some("spine"),
                "recent spinal surgery: the surgeon's or physician's clearance first",
                "spinal_surgery",
            ));
        }
        if yes("heart_or_kidney_swelling") {
            out.push(p(
                ClearanceRequired,
                None,
                "swelling from heart or kidney failure: a physician's clearance first",
                "heart_or_kidney_swelling",
            ));
        }
        if yes("high_risk_pregnancy") {
            out.push(p(
                ClearanceRequired,
                None,
                "a high-risk pregnancy: the physician's or midwife's clearance first",
                "high_risk_pregnancy",
            ));
        }
        if yes("recent_surgery") && !yes("spinal_surgery") {
            let region = Some(h.surgery_details.as_str()).filter(|s| !s.is_empty()).unwrap_or("the surgical site");
            out.push(p(
                LocalAvoid,
                Some(region),
                "recent surgery: leave the site and its scar alone",
                "recent_surgery",
            ));
        }
        if yes("varicose_veins") {
            out.push(p(LocalAvoid, Some("varicose veins (legs)"), "no pressure over varicose veins", "varicose_veins"));
        }
        if yes("pregnant") {
            let weeks = h.pregnancy_weeks.unwrap_or(0);
            if weeks < 14 {
                out.push(p(
                    LocalAvoid,
                    Some("abdomen and sacrum"),
                    "first trimester: no deep work on the abdomen or sacrum",
                    "pregnancy_weeks",
                ));
            } else {
                out.push(p(
                    ModifyPressure,
                    None,
                    "pregnant (14 weeks or more): side-lying, not long on the back",
                    "pregnancy_weeks",
                ));
            }
        }
        for (field, region) in
            [("skin_conditions", &h.skin_conditions), ("implants", &h.implants), ("areas_to_avoid", &h.areas_to_avoid)]
        {
            if !region.is_empty() {
                let reason = match field {
                    "skin_conditions" => "a skin condition: leave this area alone",
                    "implants" => "implanted hardware: no pressure over it",
                    _ => "the client asks that this area be left alone",
                };
                out.push(p(LocalAvoid, Some(region), reason, field));
            }
        }
        if yes("anticoagulants") {
            out.push(p(ModifyPressure, None, "takes a blood thinner: light pressure, no deep work", "anticoagulants"));
        }
        if yes("bleeding_disorder") {
            out.push(p(
                ModifyPressure,
                None,
                "bruises or bleeds easily: light pressure, no deep work",
                "bleeding_disorder",
            ));
        }
        if yes("clot_history") && !yes("suspected_clot") {
            out.push(p(
                ModifyPressure,
                Some("legs"),
                "has had a blood clot: no deep work on the legs; stop and refer if a calf is swollen, warm or painful",
                "clot_history",
            ));
        }
        if yes("osteoporosis") || yes("long_term_steroids") {
            let source = if yes("osteoporosis") { "osteoporosis" } else { "long_term_steroids" };
            out.push(p(
                ModifyPressure,
                None,
                "fragile bones: light pressure, no joint mobilisation over the spine",
                source,
            ));
        }
        if yes("reduced_sensation") {
            out.push(p(
                ModifyPressure,
                Some(h.reduced_sensation_where.as_str()),
                "reduced feeling: keep to light, objective limits; the client cannot judge pressure there",
                "reduced_sensation",
            ));
        }
        if yes("cancer") {
            out.push(p(
                ModifyPressure,
                None,
                "cancer: no deep pressure over the area without the physician's approval",
                "cancer",
            ));
        }
        if yes("oil_or_lotion_allergy") {
            out.push(p(
                ModifyPressure,
                None,
                "allergic to an oil or lotion: check the product before use",
                "oil_or_lotion_allergy",
            ));
        }
    }
    if reason == Some(VisitReason::Sciatica) {
        out.push(p(
            LocalAvoid,
            Some("sciatic nerve path (sciatic notch, deep gluteals, back of the thigh)"),
            "sciatica: no sustained deep pressure along the nerve; stop if symptoms spread further down the leg",
            "reason",
        ));
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.category));
    out
}

/// What precautions mean for a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Book it.
    Proceed,
    /// Book it, held as `awaiting_clearance` until staff record a physician's clearance.
    AwaitClearance(Vec<Precaution>),
    /// Do not book it.
    Refuse(Vec<Precaution>),
}

/// The strictest precaution decides.
pub fn gate(precautions: &[Precaution]) -> Gate {
    let of = |c: Category| precautions.iter().filter(|p| p.category == c).cloned().collect::<Vec<_>>();
    let blocks = of(Category::Block);
    if !blocks.is_empty() {
        return Gate::Refuse(blocks);
    }
    let holds = of(Category::ClearanceRequired);
    if !holds.is_empty() {
        return Gate::AwaitClearance(holds);
    }
    Gate::Proceed
}
