//! The referral's exports through the real server, on SQLite and on PostgreSQL: a client whose leg pain does
//! not improve over six visits, a referral drafted from the episode and signed, then
//! - its PDF, whose text (extracted with `pdftotext`, a tool we did not write) holds the reason, the scores
//!   and the signature line;
//! - its FHIR export, which `fhir.resources`' R4 models (from PyPI, also not ours) accept as a Bundle, holding
//!   a ServiceRequest that points at one Observation per measure.
//!
//! `scripts/test` installs both tools (`KNEAD_TEST_PDFTOTEXT`, `KNEAD_TEST_PYTHON`); outside CI a
//! missing tool skips its check with a note, in CI it fails.

use crate::support::{token_for as token, *};
use serde_json::{json, Value};
use std::process::Command;

/// Leg pain at each of six weekly visits: no better at the end than at the start.
const LEG_PAIN: [i64; 6] = [7, 7, 8, 7, 7, 8];

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// `method path` with a bearer token and a JSON body; the status and the raw answer.
fn send(server: &Server, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
    api_send(server, method, path, Some(token), body)
}

/// `method path` with a bearer token and a JSON body; the status and the JSON answer.
fn call(server: &Server, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    api_json(server, method, path, Some(token), body)
}

/// Outside CI a missing tool skips its check, saying so; in CI it fails the test.
fn skip(why: &str) {
    assert!(!in_ci(), "{why}: scripts/test installs it, and CI needs it");
    eprintln!("SKIPPED: {why}; scripts/test installs it; this check did not run");
}

/// The PDF's text as `pdftotext -layout` extracts it, whitespace squeezed; `None` when the tool is missing.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let tool = std::env::var("KNEAD_TEST_PDFTOTEXT").unwrap_or_else(|_| "pdftotext".to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("referral.pdf");
    std::fs::write(&path, pdf).unwrap();
    match Command::new(&tool).arg("-layout").arg(&path).arg("-").output() {
        Ok(out) => {
            assert!(out.status.success(), "{tool}: {}", text(&out.stderr));
            Some(text(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Err(e) => {
            skip(&format!("the referral PDF's text was not checked: no {tool} ({e})"));
            None
        }
    }
}

/// What fhir.resources makes of the bundle: the class name of each entry's resource, in order.
const VALIDATE_BUNDLE: &str = r#"
import json, sys
import fhir.resources
from fhir.resources.bundle import Bundle
assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__
bundle = Bundle.parse_obj(json.load(sys.stdin))
print(json.dumps({"type": bundle.type, "resources": [type(e.resource).__name__ for e in bundle.entry or []]}))
"#;

/// Runs the validator on the bundle; `None` when it is missing. A bundle it refuses fails the test with its
/// reasons.
fn fhir_validated(bundle: &Value) -> Option<Value> {
    let Ok(python) = std::env::var("KNEAD_TEST_PYTHON") else {
        skip("the FHIR export was not validated: KNEAD_TEST_PYTHON is not set (scripts/python-venv)");
        return None;
    };
    let out = run_python(&python, VALIDATE_BUNDLE, bundle.to_string().as_bytes());
    assert!(out.status.success(), "fhir.resources refuses the bundle:\n{}\n{bundle:#}", text(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("the validator's summary"))
}

/// The scenario, against a server started with the demo on the database at `url`.
fn scenario(url: &str) {
    let server = Server::start(&["--demo", "--database-url", url]);
    let manager = token(url, "manager@demo.knead.test");

    let (status, client) = call(
        &server,
        "POST",
        "/api/v1/clients",
        &manager,
        Some(&json!({"name": "Ilona Fictional", "email": "ilona.fictional@example.com",
                     "phone": "+358 40 555 0101", "date_of_birth": "1968-09-21"})),
    );
    assert_eq!(status, 201, "{client}");
    let now = jiff::Timestamp::now();
    let first_visit = now - jiff::SignedDuration::from_hours(24 * 7 * (LEG_PAIN.len() as i64 - 1));
    let started_on = first_visit.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let (status, episode) = call(
        &server,
        "POST",
        &format!("/api/v1/clients/{}/episodes", client["id"]),
        &manager,
        Some(&json!({"condition": "Sciatica", "side": "right", "started_on": started_on})),
    );
    assert_eq!(status, 201, "{episode}");
    let measures = format!("/api/v1/episodes/{}/measures", episode["id"]);
    for (week, pain) in LEG_PAIN.iter().enumerate() {
        let taken_at = first_visit + jiff::SignedDuration::from_hours(24 * 7 * week as i64);
        let body = json!({"instrument": "nprs_leg", "answers": {"value": pain}, "taken_at": taken_at.to_string()});
        let (status, measure) = call(&server, "POST", &measures, &manager, Some(&body));
        assert_eq!(status, 201, "{measure}");
        assert_eq!(measure["score"]["value"].as_f64(), Some(*pain as f64), "{measure}");
    }
    let (status, read) = call(&server, "GET", &format!("/api/v1/episodes/{}", episode["id"]), &manager, None);
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["response"]["status"], "non_responder", "{read}");

    let (status, draft) =
        call(&server, "POST", &format!("/api/v1/episodes/{}/referrals", episode["id"]), &manager, Some(&json!({})));
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "draft", "{draft}");
    let reason = draft["reason"].as_str().expect("a drafted reason").to_string();
    assert!(!reason.is_empty());
    let referral = format!("/api/v1/referrals/{}", draft["id"]);

    // A draft prints as one.
    let (status, pdf) = send(&server, "GET", &format!("{referral}.pdf"), &manager, None);
    assert_eq!(status, 200);
    if let Some(draft_text) = pdf_text(&pdf) {
        assert!(draft_text.contains("Draft — not signed"), "{draft_text}");
    }

    let (status, signed) = call(&server, "POST", &format!("{referral}/sign"), &manager, None);
    assert_eq!(status, 200, "{signed}");
    assert_eq!(signed["status"], "signed", "{signed}");
    let signer = signed["signed_name"].as_str().expect("the signer's name").to_string();
    let signed_on = signed["signed_at"].as_str().expect("when")[..10].to_string();

    let (status, pdf) = send(&server, "GET", &format!("{referral}.pdf"), &manager, None);
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    if let Some(letter) = pdf_text(&pdf) {
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(letter.contains(&reason), "the reason {reason:?} is not in: {letter}");
        assert!(letter.contains("Ilona Fictional, born 1968-09-21"), "{letter}");
        assert!(letter.contains("Sciatica (right)"), "{letter}");
        for (week, pain) in LEG_PAIN.iter().enumerate() {
            let day = (first_visit + jiff::SignedDuration::from_hours(24 * 7 * week as i64)).strftime("%Y-%m-%d");
            let line = format!("{day} leg pain (NPRS): {pain}/10");
            assert!(letter.contains(&line), "{line:?} is not in: {letter}");
        }
        let signature = format!("Signed: {signer}, {signed_on}");
        assert!(letter.contains(&signature), "{signature:?} is not in: {letter}");
        assert!(!letter.contains("not signed"), "{letter}");
    }

    let (status, bundle) = call(&server, "GET", &format!("{referral}/fhir"), &manager, None);
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["resourceType"], "Bundle");
    let entries = bundle["entry"].as_array().expect("entries");
    let of_type =
        |kind: &str| -> Vec<&Value> { entries.iter().filter(|e| e["resource"]["resourceType"] == kind).collect() };
    let requests = of_type("ServiceRequest");
    assert_eq!(requests.len(), 1, "{bundle:#}");
    let request = &requests[0]["resource"];
    assert_eq!(request["intent"], "order", "{request:#}");
    assert_eq!(request["priority"], signed["urgency"], "{request:#}");
    let observations = of_type("Observation");
    assert_eq!(observations.len(), LEG_PAIN.len(), "{bundle:#}");
    let mut values: Vec<f64> = observations.iter().filter_map(|o| o["resource"]["valueInteger"].as_f64()).collect();
    values.sort_by(f64::total_cmp);
    let mut expected: Vec<f64> = LEG_PAIN.iter().map(|&p| p as f64).collect();
    expected.sort_by(f64::total_cmp);
    assert_eq!(values, expected, "each measure's score: {bundle:#}");
    // The request's supporting information is exactly the bundle's observations.
    let mut supporting: Vec<&str> = request["supportingInfo"]
        .as_array()
        .expect("supportingInfo")
        .iter()
        .map(|r| r["reference"].as_str().expect("a reference"))
        .collect();
    let mut urls: Vec<&str> = observations.iter().map(|o| o["fullUrl"].as_str().expect("a fullUrl")).collect();
    supporting.sort();
    urls.sort();
    assert_eq!(supporting, urls, "{request:#}");

    if let Some(validated) = fhir_validated(&bundle) {
        assert_eq!(validated["type"], bundle["type"], "{validated}");
        let resources = validated["resources"].as_array().unwrap();
        assert_eq!(resources.iter().filter(|r| *r == "ServiceRequest").count(), 1, "{validated}");
        assert_eq!(resources.iter().filter(|r| *r == "Observation").count(), LEG_PAIN.len(), "{validated}");
    }
}

#[test]
fn the_referral_exports_hold_on_sqlite() {
    let db = TempDb::new();
    scenario(&db.url);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_referral_exports_hold_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || scenario(&url)).await.unwrap();
    db.cleanup().await;
}
