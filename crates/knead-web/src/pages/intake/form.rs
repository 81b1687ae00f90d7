//! The health-history form: drawn from the core's questions, read back into an `IntakeInput`, and the words
//! the error summary names its fields with. Every field is named `intake.<field>` (the API's `intake.*`
//! errors of a booking land beside them as they are).

use crate::ui::{field, field_id, Input, Values, NUMBER};
use knead_core::intake::health::{CONSENT_ELEMENTS, INTAKE_QUESTIONS};
use knead_core::intake::{IntakeInput, SensitiveArea};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

/// The prefix of every field of the form.
pub const PREFIX: &str = "intake.";

/// A yes/no question as a fieldset of two radios, neither chosen until the person answers: a question left
/// unanswered is never read as "no".
pub fn yes_no(values: &Values, errors: &ValidationErrors, name: &str, question: &str, hint: &str) -> Markup {
    let id = field_id(name);
    let error = errors.for_field(name);
    let chosen = values.get(name);
    let described: Vec<String> =
        [(!hint.is_empty()).then(|| format!("{id}-hint")), error.map(|_| format!("{id}-error"))]
            .into_iter()
            .flatten()
            .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        fieldset.yes-no.invalid[error.is_some()] #(id) aria-describedby=[described] {
            legend { (question) }
            @if !hint.is_empty() { span.hint id={ (id) "-hint" } { (hint) } }
            @if let Some(e) = error { span.error id={ (id) "-error" } { (e) } }
            div.row {
                label.check { input type="radio" name=(name) value="yes" checked[chosen == "yes"]; " Yes" }
                label.check { input type="radio" name=(name) value="no" checked[chosen == "no"]; " No" }
            }
        }
    }
}

/// A checkbox with its label (and, when given, a line explaining it).
fn tick(values: &Values, name: &str, value: &str, label: &str) -> Markup {
    let checked = values.0.iter().any(|(k, v)| k == name && v == value);
    let id = field_id(&format!("{name}.{value}"));
    html! {
        label.check for=(id) { input #(id) type="checkbox" name=(name) value=(value) checked[checked]; " " (label) }
    }
}

fn question(field: &str) -> &'static str {
    INTAKE_QUESTIONS.iter().find(|(f, _)| *f == field).map_or("", |(_, q)| q)
}

fn n(field: &str) -> String {
    format!("{PREFIX}{field}")
}

/// The health-history form's fields (without the `<form>`: the booking's details step and the account's and
/// manage link's own pages wrap it).
pub fn health_fields(values: &Values, errors: &ValidationErrors) -> Markup {
    let yn = |field: &str| yes_no(values, errors, &n(field), question(field), "");
    let text = |field: &str, label: &str, hint: &str| field_area(values, errors, &n(field), label, hint);
    html! {
        div.health-form {
            h3 { "Right now" }
            (yn("fever_or_contagious"))
            (yn("suspected_clot"))
            h3 { "Health conditions" }
            (text("conditions", "Health conditions (optional)", "Anything your therapist should know, in your own words."))
            (yn("osteoporosis"))
            (yn("cancer"))
            (yn("bleeding_disorder"))
            (yn("heart_or_kidney_swelling"))
            (yn("varicose_veins"))
            (yn("clot_history"))
            h3 { "Medicines and allergies" }
            (text("medications", "Medicines you take (optional)", ""))
            (yn("anticoagulants"))
            (yn("long_term_steroids"))
            (text("allergies", "Allergies (optional)", ""))
            (yn("oil_or_lotion_allergy"))
            h3 { "Pregnancy" }
            (yn("pregnant"))
            (field(values, errors, &n("pregnancy_weeks"), "If pregnant: how many weeks?", Input::Line(NUMBER), ""))
            (yn("high_risk_pregnancy"))
            h3 { "Surgery" }
            (yn("recent_surgery"))
            (yes_no(values, errors, &n("spinal_surgery"), "If you had surgery: was it on your spine?", ""))
            (text("surgery_details", "If you had surgery: what, where on the body, and when", ""))
            h3 { "Skin, feeling and implants" }
            (text("skin_conditions", "Skin conditions and where (optional)", "A rash, a wound, a burn or a bruise: that area is left alone."))
            (yn("reduced_sensation"))
            (text("reduced_sensation_where", "If so: where do you have less feeling?", ""))
            (text("implants", "Implants and where (optional)", "A joint replacement, a pacemaker, plates or screws, breast implants."))
            (text("areas_to_avoid", "Areas you want left alone (optional)", ""))
            fieldset #intake_other_care {
                legend { "Other care you receive (optional)" }
                span.hint { "Massage goes alongside it; your therapist may ask to work with them." }
                (tick(values, &n("other_care.physician"), "yes", "A physician"))
                (tick(values, &n("other_care.physiotherapy"), "yes", "Physiotherapy"))
                (tick(values, &n("other_care.chiropractic"), "yes", "Chiropractic"))
                (tick(values, &n("other_care.medication"), "yes", "Medication for the problem"))
                (field_area(values, errors, &n("other_care.details"), "Who, and for what (optional)", ""))
            }
            fieldset #intake_consent aria-describedby="intake_consent-hint" {
                legend { "Your consent" }
                span.hint #intake_consent-hint { "Massage needs your agreement to each of these. Tick each one once you have read it; ask your therapist anything before you start." }
                @for (element, told) in CONSENT_ELEMENTS {
                    @let name = n(&format!("consent.{element}"));
                    @let error = errors.for_field(&name);
                    div.invalid[error.is_some()] {
                        label.check for=(field_id(&name)) {
                            input #(field_id(&name)) type="checkbox" name=(name) value="yes" checked[values.get(&name) == "yes"]
                                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{}-error", field_id(&name)))];
                            " I have been told " (told) "."
                        }
                        @if let Some(e) = error { span.error id={ (field_id(&name)) "-error" } { (e) } }
                    }
                }
            }
            fieldset #intake_sensitive_areas aria-describedby="intake_sensitive_areas-hint" {
                legend { "Sensitive areas (optional)" }
                span.hint #intake_sensitive_areas-hint { "Tick an area only if you agree, in writing here, that it may be treated. An area you leave unticked is not treated." }
                @for area in SensitiveArea::ALL { (tick(values, &n("sensitive_areas"), area.as_str(), area.label())) }
            }
        }
    }
}

fn field_area(values: &Values, errors: &ValidationErrors, name: &str, label: &str, hint: &str) -> Markup {
    field(values, errors, name, label, Input::Area(2), hint)
}

/// Whether the person typed or ticked anything of the form.
pub fn touched(values: &Values) -> bool {
    values.0.iter().any(|(k, v)| k.starts_with(PREFIX) && !v.trim().is_empty())
}

/// The form's answers as an `IntakeInput`, with what could not be read (a yes/no that is neither, weeks that
/// are not a number) under the form's names.
pub fn read(values: &Values) -> (IntakeInput, ValidationErrors) {
    let mut e = ValidationErrors::default();
    let mut yn = |field: &str| -> Option<bool> {
        match values.get(&n(field)).trim() {
            "yes" => Some(true),
            "no" => Some(false),
            "" => None,
            _ => {
                e.push(FieldError::new("invalid", n(field), "answer yes or no"));
                None
            }
        }
    };
    let mut input = IntakeInput {
        fever_or_contagious: yn("fever_or_contagious"),
        suspected_clot: yn("suspected_clot"),
        clot_history: yn("clot_history"),
        anticoagulants: yn("anticoagulants"),
        bleeding_disorder: yn("bleeding_disorder"),
        long_term_steroids: yn("long_term_steroids"),
        osteoporosis: yn("osteoporosis"),
        cancer: yn("cancer"),
        heart_or_kidney_swelling: yn("heart_or_kidney_swelling"),
        varicose_veins: yn("varicose_veins"),
        pregnant: yn("pregnant"),
        high_risk_pregnancy: yn("high_risk_pregnancy"),
        recent_surgery: yn("recent_surgery"),
        spinal_surgery: yn("spinal_surgery"),
        reduced_sensation: yn("reduced_sensation"),
        oil_or_lotion_allergy: yn("oil_or_lotion_allergy"),
        ..Default::default()
    };
    let text = |field: &str| values.get(&n(field)).to_string();
    input.conditions = text("conditions");
    input.medications = text("medications");
    input.allergies = text("allergies");
    input.surgery_details = text("surgery_details");
    input.skin_conditions = text("skin_conditions");
    input.reduced_sensation_where = text("reduced_sensation_where");
    input.implants = text("implants");
    input.areas_to_avoid = text("areas_to_avoid");
    let weeks = values.get(&n("pregnancy_weeks")).trim();
    if !weeks.is_empty() {
        match weeks.parse::<i64>() {
            Ok(w) => input.pregnancy_weeks = Some(w),
            Err(_) => e.push(FieldError::new("invalid_type", n("pregnancy_weeks"), "must be a whole number of weeks")),
        }
    }
    let on = |name: &str| values.get(&n(name)) == "yes";
    input.other_care.physician = on("other_care.physician");
    input.other_care.physiotherapy = on("other_care.physiotherapy");
    input.other_care.chiropractic = on("other_care.chiropractic");
    input.other_care.medication = on("other_care.medication");
    input.other_care.details = text("other_care.details");
    input.consent.nature = on("consent.nature");
    input.consent.benefits = on("consent.benefits");
    input.consent.risks = on("consent.risks");
    input.consent.alternatives = on("consent.alternatives");
    input.consent.no_treatment = on("consent.no_treatment");
    input.consent.right_to_stop = on("consent.right_to_stop");
    input.sensitive_areas = values
        .0
        .iter()
        .filter(|(k, _)| *k == n("sensitive_areas"))
        .filter_map(|(_, v)| SensitiveArea::parse(v.trim()))
        .collect();
    (input, e)
}

/// A stored history as the form's values, to fill the form in for review.
pub fn values_of(input: &IntakeInput) -> Values {
    let mut v = Values::default();
    let yn = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    for (field, answer) in [
        ("fever_or_contagious", input.fever_or_contagious),
        ("suspected_clot", input.suspected_clot),
        ("clot_history", input.clot_history),
        ("anticoagulants", input.anticoagulants),
        ("bleeding_disorder", input.bleeding_disorder),
        ("long_term_steroids", input.long_term_steroids),
        ("osteoporosis", input.osteoporosis),
        ("cancer", input.cancer),
        ("heart_or_kidney_swelling", input.heart_or_kidney_swelling),
        ("varicose_veins", input.varicose_veins),
        ("pregnant", input.pregnant),
        ("high_risk_pregnancy", input.high_risk_pregnancy),
        ("recent_surgery", input.recent_surgery),
        ("spinal_surgery", input.spinal_surgery),
        ("reduced_sensation", input.reduced_sensation),
        ("oil_or_lotion_allergy", input.oil_or_lotion_allergy),
    ] {
        v.set(n(field), yn(answer));
    }
    for (field, text) in [
        ("conditions", &input.conditions),
        ("medications", &input.medications),
        ("allergies", &input.allergies),
        ("surgery_details", &input.surgery_details),
        ("skin_conditions", &input.skin_conditions),
        ("reduced_sensation_where", &input.reduced_sensation_where),
        ("implants", &input.implants),
        ("areas_to_avoid", &input.areas_to_avoid),
        ("other_care.details", &input.other_care.details),
    ] {
        v.set(n(field), text.as_str());
    }
    if let Some(w) = input.pregnancy_weeks {
        v.set(n("pregnancy_weeks"), w.to_string());
    }
    let c = &input.other_care;
    for (field, on) in [
        ("other_care.physician", c.physician),
        ("other_care.physiotherapy", c.physiotherapy),
        ("other_care.chiropractic", c.chiropractic),
        ("other_care.medication", c.medication),
        ("consent.nature", input.consent.nature),
        ("consent.benefits", input.consent.benefits),
        ("consent.risks", input.consent.risks),
        ("consent.alternatives", input.consent.alternatives),
        ("consent.no_treatment", input.consent.no_treatment),
        ("consent.right_to_stop", input.consent.right_to_stop),
    ] {
        if on {
            v.set(n(field), "yes");
        }
    }
    for area in &input.sensitive_areas {
        v.set(n("sensitive_areas"), area.as_str());
    }
    v
}

/// The app's errors about a history (fields as `IntakeInput` names them) under the form's names.
pub fn prefixed(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|e| if e.field.starts_with(PREFIX) { e } else { FieldError { field: n(&e.field), ..e } })
            .collect(),
    )
}

/// How the error summary names a field of this form, in words a client knows.
pub fn label(field: &str) -> Option<String> {
    let bare = field.strip_prefix(PREFIX)?;
    if let Some(element) = bare.strip_prefix("consent.") {
        let told = CONSENT_ELEMENTS.iter().find(|(f, _)| *f == element).map(|(_, t)| *t)?;
        return Some(format!("Consent ({told})"));
    }
    Some(
        match bare {
            "fever_or_contagious" => "A fever or an illness that spreads",
            "suspected_clot" => "A swollen, warm or painful leg",
            "clot_history" => "A blood clot, ever",
            "anticoagulants" => "A blood thinner",
            "bleeding_disorder" => "Bruising or bleeding easily",
            "long_term_steroids" => "Steroid tablets",
            "osteoporosis" => "Osteoporosis",
            "cancer" => "Cancer",
            "heart_or_kidney_swelling" => "Swelling from heart or kidney failure",
            "varicose_veins" => "Varicose veins",
            "pregnant" => "Pregnant",
            "pregnancy_weeks" => "Weeks of pregnancy",
            "high_risk_pregnancy" => "A high-risk pregnancy",
            "recent_surgery" => "Surgery in the last 6 months",
            "spinal_surgery" => "Surgery on the spine",
            "surgery_details" => "What surgery, where and when",
            "reduced_sensation" => "Numbness or less feeling",
            "reduced_sensation_where" => "Where you have less feeling",
            "oil_or_lotion_allergy" => "An oil or lotion allergy",
            "other_care.details" => "Other care: who, and for what",
            other => return Some(crate::ui::field_label(other)),
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_is_asked_and_a_filled_form_reads_back_as_it_was() {
        let page = health_fields(&Values::default(), &ValidationErrors::default()).into_string();
        for (field, _) in INTAKE_QUESTIONS {
            assert!(page.contains(&format!("name=\"intake.{field}\"")), "{field} is asked");
        }
        for (element, _) in CONSENT_ELEMENTS {
            assert!(page.contains(&format!("name=\"intake.consent.{element}\"")), "{element} is asked");
        }
        assert!(!page.contains("checked"), "no answer is chosen for the client");
        let input = IntakeInput {
            pregnant: Some(true),
            pregnancy_weeks: Some(20),
            cancer: Some(false),
            implants: "left hip".into(),
            sensitive_areas: vec![SensitiveArea::Buttocks],
            ..Default::default()
        };
        let (back, errors) = read(&values_of(&input));
        assert!(errors.0.is_empty());
        assert_eq!(back.pregnant, Some(true));
        assert_eq!(back.pregnancy_weeks, Some(20));
        assert_eq!(back.cancer, Some(false));
        assert_eq!(back.fever_or_contagious, None, "unanswered stays unanswered");
        assert_eq!(back.implants, "left hip");
        assert_eq!(back.sensitive_areas, vec![SensitiveArea::Buttocks]);
    }
}
