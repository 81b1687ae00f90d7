//! Group events after booking, over the demo practice: an organiser's enquiry a manager accepts (booking the day
//! as asked, once), the organiser's page that shows the sheet fill and the link to send round again, a party's
//! host page with each guest's own health check (answered once, "not today" refused), payments a manager
//! records, and the company's invoice.

use crate::chair_days::{chair_service, free_thursday, one_hour_home_massage, party};
use crate::support::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

fn chair_enquiry(service: i64, slot: i64) -> Value {
    json!({
        "kind": "chair_day", "service_id": service, "date": free_thursday().to_string(), "start": "13:00",
        "end": "15:00", "chairs": 2, "slot_minutes": slot, "address": "8 Bulevardi, Helsinki",
        "company": "Northwind Fictional", "note": "Second floor, ask at reception.",
        "contact": {"name": "Olli Organiser", "email": "olli@example.com", "phone": "040 555 0199"}
    })
}

/// The path and query of an absolute link the API gave.
fn local(url: &str) -> String {
    let at = url.find("/groups/").or_else(|| url.find("/parties/")).expect("a knead link");
    url[at..].to_string()
}

#[tokio::test]
async fn an_organisers_enquiry_is_accepted_once_and_their_page_shows_the_sheet_fill() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let service = chair_service(&app).await;

    // Anyone may ask; a bad enquiry names every field and files nothing.
    let mut wrong = chair_enquiry(service, 25);
    wrong["guests"] = json!(4);
    wrong["contact"]["email"] = json!("not-an-email");
    let refused = app.json("POST", "/api/v1/group-enquiries", None, &wrong.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    assert_eq!(fields, ["guests", "slot_minutes", "contact.email"]);
    let mut past = chair_enquiry(service, 15);
    past["date"] = json!("2020-01-02");
    let refused = app.json("POST", "/api/v1/group-enquiries", None, &past.to_string()).await;
    assert_eq!(refused.error_fields(), [("past".to_string(), "date".to_string())], "{}", refused.body);
    let listed = app.json("GET", "/api/v1/group-enquiries", Some(&manager), "").await;
    assert_eq!(listed.json(), json!([]), "nothing filed");

    let filed = app.json("POST", "/api/v1/group-enquiries", None, &chair_enquiry(service, 15).to_string()).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert!(!filed.body.contains("olli@example.com"), "the receipt echoes nothing back: {}", filed.body);
    let id = filed.json()["id"].as_i64().unwrap();
    let page = app.get_as("/manage/enquiries", &app.sign_in(MANAGER).await).await;
    assert!(page.body.contains("Northwind Fictional") && page.body.contains("Accept and book"), "{}", page.body);

    // Accepting books the day exactly as asked; a second accept (or a decline) is told it was decided.
    let accepted = app.json("POST", &format!("/api/v1/group-enquiries/{id}/accept"), Some(&manager), "").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let accepted = accepted.json();
    let day = &accepted["chair_day"];
    assert_eq!((day["chairs"].as_i64(), day["slot_minutes"].as_i64()), (Some(2), Some(15)));
    assert_eq!(accepted["enquiry"]["status"], "accepted");
    assert_eq!(accepted["enquiry"]["booking_id"], day["booking_id"]);
    for action in ["accept", "decline"] {
        let again = app.json("POST", &format!("/api/v1/group-enquiries/{id}/{action}"), Some(&manager), "").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert_eq!(again.error_fields()[0].0, "decided");
    }
    assert_eq!(app.store.chair_days(10).await.unwrap().len(), 1, "booked once");

    // The organiser's page: the fill, and the sign-up link to send round again; a wrong token sees nothing.
    let organiser = local(day["organiser_url"].as_str().unwrap());
    let page = app.get(&organiser).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<strong>0 of 16</strong>"), "{}", page.body);
    let signup_token = day["signup_token"].as_str().unwrap();
    assert!(page.body.contains(&format!("signup?token={signup_token}")), "the link again: {}", page.body);
    assert!(page.body.contains("mailto:?subject="), "{}", page.body);
    let wrong = format!("/groups/{}?token=not-the-link", day["booking_id"]);
    assert_eq!(app.get(&wrong).await.status, StatusCode::NOT_FOUND);

    let signup = json!({"token": signup_token, "start": day["slots"][0]["start"], "name": "Aino Attendee",
        "email": "aino@example.com", "consent": true, "health": {"unwell": false, "blood_clot": false,
        "recent_injury": false, "blood_thinners": true, "fragile_bones": false, "pregnant": false}});
    let signed =
        app.json("POST", &format!("/api/v1/chair-days/{}/signups", day["id"]), None, &signup.to_string()).await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    let page = app.get(&organiser).await;
    assert!(page.body.contains("<strong>1 of 16</strong>") && page.body.contains("Aino Attendee"), "{}", page.body);
    assert!(!page.body.to_lowercase().contains("thinner"), "nothing of anyone's health on the organiser's page");
    let outbox = app.json("GET", "/api/v1/outbox", Some(&manager), "").await.json();
    let kinds: Vec<&str> = outbox.as_array().unwrap().iter().filter_map(|j| j["kind"].as_str()).collect();
    assert!(kinds.contains(&"group_booked") && kinds.contains(&"signup_confirmed"), "{kinds:?}");

    // The company's invoice: the block in chair-hours; a payment recorded brings what is due down.
    let desk = app.sign_in(MANAGER).await;
    let invoice = app.get_as(&format!("/manage/chair-days/{}/invoice", day["id"]), &desk).await;
    assert_eq!(invoice.status, StatusCode::OK, "{}", invoice.body);
    let total = day["price_cents"].as_i64().unwrap();
    assert!(invoice.body.contains("4 chair-hours") && invoice.body.contains("1 of 16 sittings"), "{}", invoice.body);
    let pay = json!({"kind": "whole", "amount_cents": total, "method": "transfer", "note": "INV 2207"}).to_string();
    let paid = app.json("POST", &format!("/api/v1/parties/{}/payments", day["booking_id"]), Some(&manager), &pay).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let invoice = app.get_as(&format!("/manage/chair-days/{}/invoice", day["id"]), &desk).await;
    let due = between(&invoice.body, "id=\"invoice-due\"", "</td>").unwrap();
    assert!(due.contains("$0.00"), "{due}");
}

#[tokio::test]
async fn each_party_guest_answers_their_own_health_check_once_and_a_manager_records_the_deposit() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let hour = one_hour_home_massage(&app).await;
    let booked =
        app.json("POST", "/api/v1/parties", Some(&manager), &party(3, hour, "13:00", "15:30").to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booked = booked.json();
    let host = local(booked["host_url"].as_str().unwrap());
    let page = app.get(&host).await;
    assert!(
        page.body.contains("<strong>0 of 3</strong>") && page.body.contains("Link for Guest2 Fictional"),
        "{}",
        page.body
    );
    let guest_link = local(booked["visits"][0]["health_url"].as_str().unwrap());
    let token = guest_link.split("token=").nth(1).unwrap().to_string();

    // The guest's own page asks; an answer that rules the massage out today is refused, nothing recorded.
    let form = app.get(&guest_link).await;
    assert!(form.body.contains("Before your treatment") && form.body.contains("health.unwell"), "{}", form.body);
    let answers = |unwell: bool| {
        json!({"token": token, "consent": true, "health": {"unwell": unwell, "blood_clot": false,
            "recent_injury": false, "blood_thinners": false, "fragile_bones": false, "pregnant": false}})
        .to_string()
    };
    let not_today = app.json("POST", "/api/v1/party-guests/health", None, &answers(true)).await;
    assert_eq!(not_today.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", not_today.body);
    assert_eq!(not_today.error_fields()[0], ("not_today".to_string(), "health".to_string()));
    let no_consent = answers(false).replace("\"consent\":true", "\"consent\":false");
    let refused = app.json("POST", "/api/v1/party-guests/health", None, &no_consent).await;
    assert_eq!(refused.error_fields()[0].1, "consent", "{}", refused.body);
    let answered = app.json("POST", "/api/v1/party-guests/health", None, &answers(false)).await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
    let again = app.json("POST", "/api/v1/party-guests/health", None, &answers(false)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.error_fields()[0].0, "answered");
    assert!(app.get(&guest_link).await.body.contains("your answers are in"), "the link no longer asks");
    let wrong = app.json("POST", "/api/v1/party-guests/health", None, &answers(false).replace(&token, "nope")).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(app.get(&host).await.body.contains("<strong>1 of 3</strong>"), "the host sees who has answered");

    // A manager records the deposit on the page; a bad amount is named and records nothing.
    let desk = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&desk).await;
    let path = format!("/manage/parties/{}/payments", booked["id"]);
    let bad =
        [("csrf", csrf.as_str()), ("kind", "deposit"), ("amount_cents", "lots"), ("method", "card"), ("note", "")];
    let refused = app.form(&path, Some(&desk), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("amount_cents"), "{}", refused.body);
    let good =
        [("csrf", csrf.as_str()), ("kind", "deposit"), ("amount_cents", "50.00"), ("method", "card"), ("note", "")];
    let recorded = app.form(&path, Some(&desk), &good).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let summary = app.json("GET", &format!("/api/v1/parties/{}", booked["id"]), Some(&manager), "").await.json();
    assert_eq!(summary["paid_cents"], 5_000);
    assert_eq!(summary["due_cents"].as_i64().unwrap(), summary["total_cents"].as_i64().unwrap() - 5_000);
    assert_eq!(summary["guests"].as_array().unwrap().iter().filter(|g| g["health_check_done"] == true).count(), 1);
    let list = app.get_as("/manage/parties", &desk).await;
    assert!(list.body.contains("Hilda Host hosts") && list.body.contains("1 health checks done"), "{}", list.body);
    assert!(app.get(&host).await.body.contains("paid $50.00"), "the host sees the deposit");
}

#[tokio::test]
async fn a_host_asks_to_be_called_on_the_page_and_a_manager_declines_or_accepts() {
    let app = TestApp::new().await;
    let form = app.get("/groups/enquire?kind=party").await;
    assert!(form.body.contains("Plan a chair-massage day or a spa party"), "{}", form.body);
    let day = free_thursday().to_string();
    let mut pairs = vec![
        ("kind", "party"),
        ("date", day.as_str()),
        ("start", "14:00"),
        ("end", "17:00"),
        ("guests", ""),
        ("contact.name", "Hilda Host"),
        ("contact.email", "hilda@example.com"),
        ("contact.phone", "040 555 0198"),
        ("address", "8 Bulevardi, Helsinki"),
    ];
    let missing = app.form("/groups/enquire", None, &pairs).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert!(missing.body.contains("how many guests"), "{}", missing.body);
    pairs[4] = ("guests", "8");
    let sent = app.form("/groups/enquire", None, &pairs).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert!(sent.body.contains("spa party"), "{}", sent.body);

    let manager = app.token_for(MANAGER.0).await;
    let open = app.json("GET", "/api/v1/group-enquiries?status=open", Some(&manager), "").await.json();
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!((open[0]["kind"].as_str(), open[0]["guests"].as_i64()), (Some("party"), Some(8)));
    let id = open[0]["id"].as_i64().unwrap();
    let desk = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&desk).await;
    let declined = app.form(&format!("/manage/enquiries/{id}/decline"), Some(&desk), &[("csrf", csrf.as_str())]).await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let again = app.form(&format!("/manage/enquiries/{id}/accept"), Some(&desk), &[("csrf", csrf.as_str())]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("already accepted or declined"), "{}", again.body);
    let cross_site = app.form(&format!("/manage/enquiries/{id}/decline"), Some(&desk), &[("csrf", "forged")]).await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
}
