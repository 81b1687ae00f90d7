//! The referral as a FHIR R4 Bundle: a ServiceRequest and one Observation per measure, with a Patient
//! the ServiceRequest and the Observations point at.
//!
//! Resources are identified by `urn:uuid:` URLs whose UUIDs derive from the record ids, so exporting the
//! same referral twice gives the same document. Empty strings and empty lists are left out (FHIR forbids
//! them).

use super::{Episode, Referral, ReferralStatus};
use crate::records::instruments::{self, InstrumentDefinition, Measure, Score, StartBackRisk};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// SNOMED CT's concept for sciatica.
const SCIATICA: &str = "23056005";

/// A UUID-shaped id (version 8, "custom") from a record's kind and id.
fn uuid(kind: &str, id: i64) -> String {
    let hash = Sha256::digest(format!("knead:{kind}:{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn entry(id: &str, resource: Value) -> Value {
    json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource })
}

/// A LOINC-coded concept, with our own text (LOINC's display names are left to the receiving system).
fn loinc(code: &str, text: &str) -> Value {
    json!({ "coding": [{ "system": LOINC, "code": code }], "text": text })
}

/// The Observation for one measure.
fn observation(m: &Measure, loaded: &[InstrumentDefinition], id: &str, patient: &Value) -> Value {
    let name = instruments::instrument_name(&m.instrument, loaded);
    let mut obs = json!({
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "category": [{
            "coding": [{ "system": CATEGORY, "code": "survey", "display": "Survey" }]
        }],
        "subject": patient,
        "effectiveDateTime": m.taken_at.to_string(),
    });
    match (&m.score, m.instrument.as_str()) {
        (Score::StartBack { total, distress, risk }, _) => {
            let answer = match risk {
                StartBackRisk::Low => "LA9194-7",
                StartBackRisk::Medium => "LA8982-6",
                StartBackRisk::High => "LA9193-9",
            };
            obs["code"] = loinc("91351-7", &format!("{name}: total score"));
            obs["valueInteger"] = json!(total);
            obs["component"] = json!([
                {
                    "code": loinc("91350-9", &format!("{name}: distress subscore")),
                    "valueInteger": distress,
                },
                {
                    "code": loinc("91352-5", &format!("{name}: risk")),
                    "valueCodeableConcept": {
                        "coding": [{ "system": LOINC, "code": answer }],
                        "text": format!("{} risk", risk.as_str()),
                    },
                },
            ]);
        }
        (Score::Value { value, .. }, instruments::NPRS_LEG | instruments::NPRS_BACK) => {
            obs["code"] = loinc("72514-3", name);
            obs["valueInteger"] = json!(value.round() as i64);
        }
        (Score::Value { value, .. }, key) => {
            // A loaded instrument carries its LOINC code when the clinic's file gives one.
            let code = loaded.iter().find(|d| d.key == key).and_then(|d| d.loinc.as_deref());
            obs["code"] = match code {
                Some(code) => loinc(code, name),
                None => json!({ "text": name }),
            };
            obs["valueQuantity"] = json!({ "value": value });
        }
    }
    obs
}

/// The referral as a FHIR R4 Bundle (type `collection`): a ServiceRequest (intent `order`, the priority,
/// reasonCode sciatica where it applies, `supportingInfo` pointing at the Observations) and one
/// Observation per measure (category `survey`, LOINC codes where the reference gives them).
pub fn fhir_bundle(
    referral: &Referral,
    episode: &Episode,
    client_name: &str,
    measures: &[Measure],
    loaded: &[InstrumentDefinition],
) -> Value {
    let patient_id = uuid("client", episode.client_id.0);
    let request_id = uuid("referral", referral.id.0);
    let mut patient_ref = json!({ "reference": format!("urn:uuid:{patient_id}") });
    let mut patient = json!({ "resourceType": "Patient", "id": patient_id });
    let client_name = client_name.trim();
    if !client_name.is_empty() {
        patient_ref["display"] = json!(client_name);
        patient["name"] = json!([{ "text": client_name }]);
    }
    let mut sorted: Vec<&Measure> = measures.iter().collect();
    sorted.sort_by_key(|m| (m.taken_at, m.id));
    let observations: Vec<(String, Value)> = sorted
        .iter()
        .map(|m| {
            let id = uuid("measure", m.id.0);
            let obs = observation(m, loaded, &id, &patient_ref);
            (id, obs)
        })
        .collect();

    let signed = referral.status == ReferralStatus::Signed;
    let mut reason = json!({ "text": episode.title() });
    if episode.condition.to_lowercase().contains("sciatica") {
        reason["coding"] = json!([{ "system": SNOMED, "code": SCIATICA, "display": "Sciatica" }]);
    }
    let mut request = json!({
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": if signed { "active" } else { "draft" },
        "intent": "order",
        "priority": referral.urgency.as_str(),
        "code": { "text": format!("Referral to a {}", referral.recipient.as_str()) },
        "subject": patient_ref,
        "performerType": { "text": referral.recipient.label() },
        "reasonCode": [reason],
    });
    if let (true, Some(at)) = (signed, referral.signed_at) {
        request["authoredOn"] = json!(at.to_string());
    }
    if let Some(name) = referral.signed_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        request["requester"] = json!({ "display": name });
    }
    if !referral.recipient_name.trim().is_empty() {
        request["performer"] = json!([{ "display": referral.recipient_name.trim() }]);
    }
    if !observations.is_empty() {
        let refs: Vec<Value> =
            observations.iter().map(|(id, _)| json!({ "reference": format!("urn:uuid:{id}") })).collect();
        request["supportingInfo"] = json!(refs);
    }
    let notes: Vec<Value> = [referral.reason.trim(), referral.body.trim()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|t| json!({ "text": t }))
        .collect();
    if !notes.is_empty() {
        request["note"] = json!(notes);
    }

    let mut entries = vec![entry(&request_id, request), entry(&patient_id, patient)];
    entries.extend(observations.into_iter().map(|(id, obs)| entry(&id, obs)));
    json!({
        "resourceType": "Bundle",
        "id": uuid("bundle", referral.id.0),
        "type": "collection",
        "timestamp": referral.signed_at.unwrap_or(referral.created_at).to_string(),
        "entry": entries,
    })
}
