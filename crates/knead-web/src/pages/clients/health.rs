//! How staff read health information: a version of the health history in full, the consent state, the
//! other care, the precautions and a screening's result. Shared by the client's file and the visit sheet, so
//! both say the same thing the same way.

use super::date_time;
use knead_core::intake::health::{CONSENT_ELEMENTS, INTAKE_QUESTIONS};
use knead_core::intake::{
    Category, Consent, IntakeInput, IntakeVersion, Level, OtherCare, Precaution, ScreeningRecord,
};
use maud::{html, Markup};

/// A yes/no answer of the health history by its field (the core keeps its own reader private).
fn answer(i: &IntakeInput, field: &str) -> Option<bool> {
    match field {
        "fever_or_contagious" => i.fever_or_contagious,
        "suspected_clot" => i.suspected_clot,
        "clot_history" => i.clot_history,
        "anticoagulants" => i.anticoagulants,
        "bleeding_disorder" => i.bleeding_disorder,
        "long_term_steroids" => i.long_term_steroids,
        "osteoporosis" => i.osteoporosis,
        "cancer" => i.cancer,
        "heart_or_kidney_swelling" => i.heart_or_kidney_swelling,
        "varicose_veins" => i.varicose_veins,
        "pregnant" => i.pregnant,
        "recent_surgery" => i.recent_surgery,
        "reduced_sensation" => i.reduced_sensation,
        "oil_or_lotion_allergy" => i.oil_or_lotion_allergy,
        "high_risk_pregnancy" => i.high_risk_pregnancy,
        "spinal_surgery" => i.spinal_surgery,
        _ => None,
    }
}

fn consent_given(c: &Consent, element: &str) -> bool {
    match element {
        "nature" => c.nature,
        "benefits" => c.benefits,
        "risks" => c.risks,
        "alternatives" => c.alternatives,
        "no_treatment" => c.no_treatment,
        _ => c.right_to_stop,
    }
}

fn yes_no(a: Option<bool>) -> &'static str {
    match a {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not asked",
    }
}

/// A level in words, for staff.
pub(crate) fn level_label(level: Level) -> &'static str {
    match level {
        Level::Emergency => "Emergency: sent to an emergency department, no booking",
        Level::Urgent => "Urgent: a physician's clearance first",
        Level::Routine => "Routine: recommend a physician or physiotherapist review",
        Level::Clear => "Clear: no red flag raised",
    }
}

/// The precautions a visit carries, strictest first, each with its category, region and reason.
pub(crate) fn precautions_list(list: &[Precaution]) -> Markup {
    html! {
        @if list.is_empty() {
            p #precautions-none { "None recorded." }
        } @else {
            ul.precautions #precautions-list {
                @for p in list {
                    li class={ "precaution " (p.category.as_str()) } {
                        strong { (p.category.label()) }
                        @if let Some(region) = &p.region { " — " (region) }
                        ": " (p.reason)
                    }
                }
            }
        }
    }
}

/// The consent state: each of the six elements, and the sensitive areas the client consented to in writing.
pub(crate) fn consent_view(i: &IntakeInput) -> Markup {
    html! {
        ul.consent {
            @for (field, text) in CONSENT_ELEMENTS {
                li { @if consent_given(&i.consent, field) { "Agreed: " } @else { strong { "Not agreed: " } } (text) }
            }
        }
        p {
            "Sensitive areas consented to in writing: "
            @if i.sensitive_areas.is_empty() { "none (do not treat them)." }
            @else { (i.sensitive_areas.iter().map(|a| a.label()).collect::<Vec<_>>().join(", ")) "." }
        }
    }
}

/// The other care the client receives, which massage goes alongside.
pub(crate) fn other_care_view(c: &OtherCare) -> Markup {
    let names = c.names();
    html! {
        p {
            @if names.is_empty() { "None named." } @else { (names.join(", ")) "." }
            @if !c.details.is_empty() { " " (c.details) }
        }
    }
}

/// A screening's result: its level, date, and every reason.
pub(crate) fn screening_view(s: &ScreeningRecord) -> Markup {
    html! {
        p { strong { (level_label(s.assessment.level)) } ", screened " (date_time(s.created_at)) "." }
        @if !s.assessment.reasons.is_empty() {
            ul.reasons { @for r in &s.assessment.reasons { li { (r.message) " (" (r.level.as_str()) ")" } } }
        }
    }
}

/// One version of the health history in full: every answer, the consent state and the other care.
pub(crate) fn history_view(v: &IntakeVersion) -> Markup {
    let i = v.history.answers();
    let texts = [
        ("Health conditions", &i.conditions),
        ("Medications", &i.medications),
        ("Allergies", &i.allergies),
        ("Skin conditions", &i.skin_conditions),
        ("Implants", &i.implants),
        ("Areas to avoid", &i.areas_to_avoid),
    ];
    html! {
        dl.facts.answers {
            @for (field, question) in INTAKE_QUESTIONS {
                @if field != "high_risk_pregnancy" || i.pregnant == Some(true) {
                    dt { (question) } dd { (yes_no(answer(i, field))) }
                }
            }
            @if let Some(w) = i.pregnancy_weeks { dt { "Weeks of pregnancy" } dd { (w) } }
            @if i.recent_surgery == Some(true) {
                dt { "Surgery on the spine" } dd { (yes_no(i.spinal_surgery)) }
                dt { "About the surgery" } dd { (i.surgery_details) }
            }
            @if !i.reduced_sensation_where.is_empty() { dt { "Less feeling where" } dd { (i.reduced_sensation_where) } }
            @for (label, text) in texts {
                dt { (label) } dd { @if text.is_empty() { "None given" } @else { (text) } }
            }
        }
        h4 { "Other care" }
        (other_care_view(&i.other_care))
        h4 { "Consent" }
        (consent_view(i))
    }
}

/// The categories of precautions a visit card names (no reasons: a calendar is seen over a shoulder).
pub(crate) fn categories(list: &[Precaution]) -> Vec<Category> {
    let mut cats: Vec<Category> = list.iter().map(|p| p.category).collect();
    cats.sort_by(|a, b| b.cmp(a));
    cats.dedup();
    cats
}
