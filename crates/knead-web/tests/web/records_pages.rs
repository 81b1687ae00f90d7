//! The care-record pages over the demo practice: opening an episode and its page for the right staff (and
//! "not found" for another therapist), the note editor signing through the form (then locked, amended with
//! a reason, the original readable), refused forms that name their fields and change nothing, the client's
//! home program logged from its form, six visits without improvement raising the alert and a drafted
//! referral signed, the manager's instruments, and the non-response policy in the settings.

use crate::client_pages::{book_with, client_of, intake_with};
use crate::support::*;
use axum::http::StatusCode;
use serde_json::json;

const INES: (&str, &str) = ("ines@demo.knead.test", "knead-records-therapist-a");

/// The demo practice with a login for Ines and a client of hers (a visit booked with her, a health history
/// given); returns the client's record and booking.
async fn practice() -> (TestApp, i64, i64) {
    let app = TestApp::new().await;
    let user = knead_app::accounts::create_user(&app.app, INES.0, "Ines Carvalho", "therapist", INES.1).await.unwrap();
    let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap();
    app.store.link_therapist_user(ines.id, Some(user.id)).await.unwrap();
    let intake = intake_with(|i| i.varicose_veins = Some(true));
    let (booking, _) =
        book_with(&app, "ines-carvalho", "Aino Virtanen", "aino@example.com", json!({"intake": intake})).await;
    let client = client_of(&app, booking).await;
    (app, client, booking)
}

/// Opens an episode through the page's form; returns its id.
async fn open_episode(app: &TestApp, staff: &Auth, client: i64) -> i64 {
    let csrf = app.csrf(staff).await;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date();
    let done = app
        .form(
            &format!("/manage/clients/{client}/episodes/new"),
            Some(staff),
            &[("csrf", &csrf), ("condition", "Sciatica"), ("side", "right"), ("started_on", &today.to_string())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = done.location().trim_start_matches("/manage/episodes/").split('?').next().unwrap();
    id.parse().unwrap_or_else(|_| panic!("an episode's page: {}", done.location()))
}

#[tokio::test]
async fn staff_see_the_episode_and_another_therapist_is_told_it_does_not_exist() {
    let (app, client, booking) = practice().await;
    let ines = app.sign_in(INES).await;
    let form = app.get_as(&format!("/manage/clients/{client}/episodes/new"), &ines).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("name=\"condition\"") && form.body.contains("name=\"started_on\""), "{}", form.body);
    let episode = open_episode(&app, &ines, client).await;

    let page = app.get_as(&format!("/manage/episodes/{episode}"), &ines).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Sciatica (right)"), "{}", page.body);
    assert!(page.body.contains("Clinic policy") && page.body.contains("Too early to judge"), "{}", page.body);
    assert!(page.body.contains("action=\"/manage/episodes/") && page.body.contains("/plan\""), "the plan form");
    assert!(page.body.contains("varicose"), "the precautions above the plan form: {}", page.body);
    assert!(page.body.contains("name=\"consent.risks\""), "the six consent boxes");
    assert!(page.body.contains("name=\"pick.nerve_glide\""), "the library in the program form");
    let file = app.get_as(&format!("/manage/clients/{client}"), &ines).await;
    assert!(file.body.contains("Episodes of care") && file.body.contains(&format!("/manage/episodes/{episode}")));
    let sheet = app.get_as(&format!("/visits/{booking}"), &ines).await;
    assert!(sheet.body.contains(&format!("href=\"/visits/{booking}/note\"")), "{}", sheet.body);
    let to_note = app.get_as(&format!("/visits/{booking}/note"), &ines).await;
    assert_eq!(to_note.location(), format!("/manage/episodes/{episode}/notes/new?booking_id={booking}"));

    let manager = app.sign_in(MANAGER).await;
    assert_eq!(app.get_as(&format!("/manage/episodes/{episode}"), &manager).await.status, StatusCode::OK);

    // Mara has no visit with Aino: the episode, its note form and the client's new-episode form are "not
    // found", exactly as for ids nobody has.
    let mara = app.sign_in(THERAPIST).await;
    for (path, missing) in [
        (format!("/manage/episodes/{episode}"), "/manage/episodes/987654".to_string()),
        (format!("/manage/episodes/{episode}/notes/new"), "/manage/episodes/987654/notes/new".to_string()),
        (format!("/manage/clients/{client}/episodes/new"), "/manage/clients/987654/episodes/new".to_string()),
    ] {
        let hers = app.get_as(&path, &mara).await;
        assert_eq!(hers.status, StatusCode::NOT_FOUND, "{path}: {}", hers.body);
        assert!(!hers.body.contains("Aino") && !hers.body.contains("Sciatica"), "{}", hers.body);
        assert_eq!(app.get_as(&missing, &mara).await.body, hers.body, "{path}: the same answer as for no record");
    }
    let client_login = app.sign_in(CLIENT).await;
    assert_eq!(app.get_as(&format!("/manage/episodes/{episode}"), &client_login).await.status, StatusCode::FORBIDDEN);
}

/// The note fields as the editor posts them.
fn note_fields<'a>(csrf: &'a str, subjective: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("started_at", "2026-11-30T10:00"),
        ("duration_minutes", "60"),
        ("subjective", subjective),
        ("objective", "Tight right piriformis."),
        ("assessment", "Improving slowly."),
        ("plan", "Same next week."),
        ("areas_treated", "lower back, right gluteal"),
        ("techniques", "swedish"),
        ("techniques", "myofascial_release"),
        ("pressure", "moderate"),
        ("response", "Less tension afterwards."),
        ("self_care", "Piriformis stretch."),
    ]
}

#[tokio::test]
async fn a_note_signed_through_the_form_is_locked_and_an_amendment_keeps_the_original() {
    let (app, client, _) = practice().await;
    let ines = app.sign_in(INES).await;
    let episode = open_episode(&app, &ines, client).await;
    let csrf = app.csrf(&ines).await;
    let editor = app.get_as(&format!("/manage/episodes/{episode}/notes/new"), &ines).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    assert!(editor.body.contains("Precautions") && editor.body.contains("Last signed note"), "{}", editor.body);

    let mut fields = note_fields(&csrf, "Leg pain 6/10 this week.");
    let created = app.form(&format!("/manage/episodes/{episode}/notes/new"), Some(&ines), &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let note_path = created.location().split('?').next().unwrap().to_string();
    let draft = app.get_as(&note_path, &ines).await;
    assert!(draft.body.contains("Draft note") && draft.body.contains("Leg pain 6/10 this week."), "{}", draft.body);

    // Signing without confirming is refused and changes nothing.
    fields.push(("action", "sign"));
    let unconfirmed = app.form(&note_path, Some(&ines), &fields).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unconfirmed.body);
    assert!(unconfirmed.body.contains("href=\"#confirm\""), "{}", unconfirmed.body);
    assert!(app.get_as(&note_path, &ines).await.body.contains("Draft note"));

    fields.push(("confirm", "yes"));
    let signed = app.form(&note_path, Some(&ines), &fields).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = app.get_as(&note_path, &ines).await;
    assert!(page.body.contains("Locked: it cannot change."), "{}", page.body);
    assert!(!page.body.contains("name=\"action\""), "no editor for a signed note: {}", page.body);

    // A signed note does not change through the form.
    let mut changed = note_fields(&csrf, "Rewritten afterwards.");
    changed.push(("action", "save"));
    let refused = app.form(&note_path, Some(&ines), &changed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let page = app.get_as(&note_path, &ines).await;
    assert!(page.body.contains("Leg pain 6/10 this week.") && !page.body.contains("Rewritten afterwards."));

    // An amendment needs a reason; with one it is a new version and the original stays readable.
    let amend_path = format!("{note_path}/amend");
    let mut amendment = note_fields(&csrf, "Leg pain 5/10 this week.");
    let no_reason = app.form(&amend_path, Some(&ines), &amendment).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.body);
    assert!(no_reason.body.contains("href=\"#reason\""), "{}", no_reason.body);
    amendment.push(("reason", "The score was misheard."));
    let amended = app.form(&amend_path, Some(&ines), &amendment).await;
    assert_eq!(amended.status, StatusCode::SEE_OTHER, "{}", amended.body);
    let newer = app.get_as(amended.location(), &ines).await;
    assert!(newer.body.contains("Leg pain 5/10 this week.") && newer.body.contains("The score was misheard."));
    assert!(
        newer.body.contains("Original, signed") && newer.body.contains("Leg pain 6/10 this week."),
        "{}",
        newer.body
    );
    let original = app.get_as(&note_path, &ines).await;
    assert!(original.body.contains("A newer version amends it."), "{}", original.body);
}

#[tokio::test]
async fn refused_forms_name_their_fields_and_change_nothing() {
    let (app, client, _) = practice().await;
    let ines = app.sign_in(INES).await;
    let csrf = app.csrf(&ines).await;
    let episode_path = format!("/manage/clients/{client}/episodes/new");
    let bad =
        app.form(&episode_path, Some(&ines), &[("csrf", &csrf), ("condition", ""), ("started_on", "2999-01-01")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("href=\"#condition\"") && bad.body.contains("href=\"#started_on\""), "{}", bad.body);
    let file = app.get_as(&format!("/manage/clients/{client}"), &ines).await;
    assert!(!file.body.contains("/manage/episodes/"), "no episode was opened: {}", file.body);

    let episode = open_episode(&app, &ines, client).await;
    let base = format!("/manage/episodes/{episode}");
    // A plan without consent, frequency or aim: each named beside its field.
    let plan = app
        .form(
            &format!("{base}/plan"),
            Some(&ines),
            &[
                ("csrf", &csrf),
                ("goals[0].description", "Leg pain below 3/10"),
                ("techniques[2].technique", "swedish"),
                ("pressure", "light"),
                ("review_on", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", plan.body);
    assert!(plan.body.contains("href=\"#techniques_2__aim\""), "the row typed in: {}", plan.body);
    assert!(plan.body.contains("value=\"Leg pain below 3/10\""), "what was typed is kept");
    let page = app.get_as(&base, &ines).await;
    assert!(page.body.contains("No plan yet."), "nothing saved");

    let pain = app
        .form(&format!("{base}/measures"), Some(&ines), &[("csrf", &csrf), ("instrument", "nprs"), ("nprs_leg", "11")])
        .await;
    assert_eq!(pain.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", pain.body);
    assert!(pain.body.contains("href=\"#nprs_leg\""), "{}", pain.body);
    let program = app
        .form(
            &format!("{base}/program"),
            Some(&ines),
            &[
                ("csrf", &csrf),
                ("pick.knee_to_chest", "yes"),
                ("knee_to_chest.sets", "0"),
                ("knee_to_chest.reps", "10"),
                ("knee_to_chest.hold_seconds", "0"),
                ("knee_to_chest.per_day", "1"),
                ("knee_to_chest.days_per_week", "7"),
            ],
        )
        .await;
    assert_eq!(program.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", program.body);
    assert!(program.body.contains("href=\"#knee_to_chest_sets\""), "{}", program.body);
    let page = app.get_as(&base, &ines).await;
    assert!(page.body.contains("No scores yet.") && page.body.contains("No program prescribed yet."), "{}", page.body);
}

#[tokio::test]
async fn the_client_sees_their_program_and_logs_a_day_from_the_form() {
    let app = TestApp::new().await;
    let client_token = app.token_for(CLIENT.0).await;
    let me = app.get_as("/api/v1/me", &client_token).await.json();
    let user =
        app.store.credentials_by_email(&knead_core::Email::parse("email", CLIENT.0).unwrap()).await.unwrap().unwrap().0;
    let record = knead_app::clients::own_record(&app.app, &user).await.unwrap();
    assert_eq!(me["email"], CLIENT.0);
    let manager = app.sign_in(MANAGER).await;
    let episode = open_episode(&app, &manager, record.id.0).await;
    let csrf = app.csrf(&manager).await;
    let prescribed = app
        .form(
            &format!("/manage/episodes/{episode}/program"),
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("pick.knee_to_chest", "yes"),
                ("knee_to_chest.sets", "2"),
                ("knee_to_chest.reps", "10"),
                ("knee_to_chest.hold_seconds", "5"),
                ("knee_to_chest.per_day", "1"),
                ("knee_to_chest.days_per_week", "7"),
            ],
        )
        .await;
    assert_eq!(prescribed.status, StatusCode::SEE_OTHER, "{}", prescribed.body);

    let client = app.sign_in(CLIENT).await;
    assert!(app.get_as("/account", &client).await.body.contains("href=\"/account/program\""));
    let page = app.get_as("/account/program", &client).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2 sets of 10, hold 5 s, once a day, 7 days a week"), "{}", page.body);
    let action = between(&page.body, "action=\"/account/program/", "\"").expect("the log form").to_string();
    let path = format!("/account/program/{action}");
    let ccsrf = app.csrf(&client).await;
    let today = between(&page.body, "name=\"on\" value=\"", "\"").unwrap().to_string();

    let refused = app.form(&path, Some(&client), &[("csrf", &ccsrf), ("on", &today), ("done", "knee_to_chest")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("href=\"#pain\""), "{}", refused.body);
    let logged = app
        .form(&path, Some(&client), &[("csrf", &ccsrf), ("on", &today), ("done", "knee_to_chest"), ("pain", "4")])
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    let page = app.get_as(logged.location(), &client).await;
    assert!(page.body.contains("were saved"), "{}", page.body);
    let staff_view = app.get_as(&format!("/manage/episodes/{episode}"), &manager).await;
    assert!(staff_view.body.contains(&format!("4 on {today}")), "the logged pain on the episode: {}", staff_view.body);
    // Staff have no program of their own.
    assert_eq!(app.get_as("/account/program", &manager).await.status, StatusCode::NOT_FOUND);
}

/// The text of the page's text area `name`, unescaped.
fn textarea(body: &str, name: &str) -> String {
    let tag = between(body, &format!("name=\"{name}\""), "</textarea>").expect("the text area");
    let text = &tag[tag.find('>').unwrap() + 1..];
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[tokio::test]
async fn six_visits_without_improvement_raise_the_alert_and_the_drafted_referral_is_signed() {
    let (app, client, _) = practice().await;
    let ines = app.sign_in(INES).await;
    let episode = open_episode(&app, &ines, client).await;
    let token = app.token_for(INES.0).await;
    let today = jiff::Timestamp::now();
    for week in (0..6).rev() {
        let at = today - jiff::SignedDuration::from_hours(24 * 7 * week);
        let body = json!({"instrument": "nprs_leg", "answers": {"value": 7}, "taken_at": at.to_string()}).to_string();
        let r = app.json("POST", &format!("/api/v1/episodes/{episode}/measures"), Some(&token), &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // Ines is told by email each time the verdict newly asks for action, and not again while it holds.
    let manager = app.token_for(MANAGER.0).await;
    let alerts = || async {
        let outbox = app.json("GET", "/api/v1/outbox", Some(&manager), "").await.json();
        let alerts: Vec<serde_json::Value> =
            outbox.as_array().unwrap().iter().filter(|j| j["kind"] == "record_alert").cloned().collect();
        assert!(alerts.iter().all(|j| j["episode_id"] == episode), "{alerts:?}");
        alerts.len()
    };
    let told = alerts().await;
    assert!(told >= 1, "at least the non-responder verdict was told");
    let body = json!({"instrument": "nprs_leg", "answers": {"value": 7}}).to_string();
    let r = app.json("POST", &format!("/api/v1/episodes/{episode}/measures"), Some(&token), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(alerts().await, told, "the same verdict again tells no one");
    let account = app.get_as("/account", &ines).await;
    assert!(account.body.contains(&format!("href=\"/manage/episodes/{episode}\"")), "the alert: {}", account.body);
    assert!(account.body.contains("Not responding"), "{}", account.body);
    let page = app.get_as(&format!("/manage/episodes/{episode}"), &ines).await;
    assert!(page.body.contains("<svg") && page.body.contains("role=\"img\""), "the chart: {}", page.body);
    assert!(page.body.contains("class=\"threshold\""), "the responder threshold: {}", page.body);

    let csrf = app.csrf(&ines).await;
    let drafted = app.form(&format!("/manage/episodes/{episode}/referrals"), Some(&ines), &[("csrf", &csrf)]).await;
    assert_eq!(drafted.status, StatusCode::SEE_OTHER, "{}", drafted.body);
    let path = drafted.location().split('?').next().unwrap().to_string();
    let draft = app.get_as(&path, &ines).await;
    assert!(draft.body.contains("name=\"body\""), "{}", draft.body);
    let mara = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as(&path, &mara).await.status, StatusCode::NOT_FOUND);
    let mut fields: Vec<(String, String)> =
        vec![("recipient".into(), "physician".into()), ("urgency".into(), "routine".into())];
    let reason = textarea(&draft.body, "reason");
    let letter = textarea(&draft.body, "body");
    fields.push(("reason".into(), reason));
    fields.push(("body".into(), letter));
    fields.push(("csrf".into(), csrf.clone()));
    fields.push(("action".into(), "sign".into()));
    fields.push(("confirm".into(), "yes".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signed = app.form(&path, Some(&ines), &pairs).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let printed = app.get_as(&path, &ines).await;
    assert!(printed.body.contains("id=\"signature\"") && printed.body.contains("Ines Carvalho"), "{}", printed.body);
    assert!(printed.body.contains(".pdf\"") && printed.body.contains("/fhir\""), "{}", printed.body);
}

#[tokio::test]
async fn the_manager_loads_an_instrument_and_sets_the_non_response_policy() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let page = app.get_as("/manage/instruments", &manager).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let bad = app.form("/manage/instruments", Some(&manager), &[("csrf", &csrf), ("definition", "{\"key\": ")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("line 1, column"), "{}", bad.body);
    let file = include_str!("../../../../docs/instruments/example-disability-index.json");
    let loaded = app.form("/manage/instruments", Some(&manager), &[("csrf", &csrf), ("definition", file)]).await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.body);
    assert!(app.get_as("/manage/instruments", &manager).await.body.contains("example_index"));
    let therapist = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as("/manage/instruments", &therapist).await.status, StatusCode::FORBIDDEN);

    let settings = app.get_as("/manage/settings", &manager).await;
    assert!(settings.body.contains("Non-response policy (clinic policy)"), "{}", settings.body);
    assert!(settings.body.contains("name=\"response_policy.review_visit\" value=\"6\""), "{}", settings.body);
    // Review before the early warning is refused beside its field, and nothing changes.
    let refused =
        app.form("/manage/settings", Some(&manager), &[("csrf", &csrf), ("response_policy.review_visit", "2")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("href=\"#response_policy_review_visit\""), "{}", refused.body);
    let settings = app.get_as("/manage/settings", &manager).await;
    assert!(settings.body.contains("name=\"response_policy.review_visit\" value=\"6\""), "{}", settings.body);
}

#[tokio::test]
async fn opening_a_record_page_leaves_exactly_one_audit_entry() {
    use crate::intake_api::{audit_mark, audit_since};
    let (app, client, _) = practice().await;
    let ines = app.sign_in(INES).await;
    let episode = open_episode(&app, &ines, client).await;
    let token = app.token_for(INES.0).await;
    let post = |path: String, body: serde_json::Value| {
        let (app, token) = (&app, &token);
        async move {
            let reply = app.json("POST", &path, Some(token), &body.to_string()).await;
            assert!(reply.status.is_success(), "{path}: {}", reply.body);
            reply.json()["id"].as_i64().unwrap_or_default()
        }
    };
    let started = jiff::Timestamp::now().to_string();
    let note = post(
        format!("/api/v1/episodes/{episode}/notes"),
        json!({"subjective": "Audited", "started_at": started, "duration_minutes": 60}),
    )
    .await;
    post(format!("/api/v1/notes/{note}/sign"), json!({})).await;
    let referral = post(format!("/api/v1/episodes/{episode}/referrals"), json!({})).await;
    let draft = post(
        format!("/api/v1/episodes/{episode}/notes"),
        json!({"subjective": "Still a draft", "started_at": started, "duration_minutes": 30}),
    )
    .await;
    let manager = app.token_for(MANAGER.0).await;
    let listed = app.get_as(&format!("/manage/episodes/{episode}"), &ines).await;
    let draft_path = format!("/manage/notes/{draft}?episode={episode}");
    assert!(listed.body.contains(&draft_path.replace('&', "&amp;")), "the episode links to its draft: {}", listed.body);
    for path in [
        format!("/manage/episodes/{episode}"),
        format!("/manage/notes/{note}"),
        format!("/manage/referrals/{referral}"),
        format!("/manage/episodes/{episode}/notes/new"),
        draft_path.clone(),
    ] {
        let mark = audit_mark(&app, &manager).await;
        let page = app.get_as(&path, &ines).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let entries = audit_since(&app, &manager, mark).await;
        assert_eq!(entries.len(), 1, "{path}: {entries:?}");
        assert_eq!(entries[0]["action"], "read", "{path}: {entries:?}");
    }
    let editor = app.get_as(&draft_path, &ines).await;
    assert!(editor.body.contains("Still a draft") && editor.body.contains("Sign the note"), "{}", editor.body);
    // The episode named must hold the note: another's draft is not reached through one's own episode.
    let mara = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as(&draft_path, &mara).await.status, StatusCode::NOT_FOUND);
}
