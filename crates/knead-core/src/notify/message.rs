//! What each message says, as plain text and HTML, in the practice's name with its contact details.
//!
//! No message carries health information: a booking held for clearance says only that it is held and that
//! there is a message on the booking's page; the reasons stay behind the private link or the sign-in. A
//! safety alert ([`compose_safety`]) says who is on a home visit, where, and since when, so that someone can
//! go and look; never the client's name, email or health.

use super::JobKind;
use crate::practice::PracticeDetails;

/// Who the message is from.
#[derive(Debug, Clone)]
pub struct Sender<'a> {
    /// The practice's name as clients see it.
    pub name: &'a str,
    pub details: &'a PracticeDetails,
}

/// The visit a message is about, already written out in the practice's zone and style.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisitFacts {
    pub service: String,
    /// "Tuesday, March 2, 2027, 9:30–10:30 am".
    pub when: String,
    /// The therapists' names.
    pub therapists: Vec<String>,
    /// The address of a mobile visit, or the clinic's name and address.
    pub place: String,
    /// The client's first name, for the greeting and for a therapist's notice.
    pub first_name: String,
    /// The series the visit starts, when it is the first of one: its confirmation speaks for them all.
    pub series: Option<crate::booking::Repeat>,
}

/// Where the message points.
#[derive(Debug, Clone, PartialEq)]
pub struct Links {
    /// The page the recipient opens: the private manage link for a client, the staff view for a therapist.
    pub page: String,
    /// The visit's `.ics`, for calendars that do not read the attachment.
    pub calendar: Option<String>,
}

/// A message's subject and bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The message of `kind` about `visit`. `hours_before` is a reminder's lead.
pub fn compose(
    kind: JobKind,
    from: &Sender<'_>,
    visit: &VisitFacts,
    links: &Links,
    hours_before: Option<i64>,
) -> Composed {
    let practice = from.name;
    let (subject, lead, action) = match kind {
        JobKind::BookingConfirmed => (
            format!("You're booked: {} with {practice}", visit.service),
            "Your booking is confirmed.".to_string(),
            "See, move or cancel your booking",
        ),
        JobKind::AwaitingClearance => (
            format!("Your booking with {practice} is held"),
            "We are holding this time for you. There is a message about your booking on its page: please read it \
             before the visit."
                .to_string(),
            "Read the message and see your booking",
        ),
        JobKind::ClearanceGiven => (
            format!("Your booking with {practice} is confirmed"),
            "Good news: your booking is now confirmed.".to_string(),
            "See your booking",
        ),
        JobKind::BookingChanged => (
            format!("Your booking with {practice} has changed"),
            "Your booking has changed. Here it is as it stands now.".to_string(),
            "See, move or cancel your booking",
        ),
        JobKind::BookingCancelled => (
            format!("Cancelled: {} with {practice}", visit.service),
            "Your booking is cancelled. The calendar file attached removes it from your calendar.".to_string(),
            "See the booking",
        ),
        JobKind::Reminder => (
            format!("Reminder: {} with {practice}, {}", visit.service, visit.when),
            match hours_before {
                Some(h) if h >= 24 && h % 24 == 0 => {
                    format!("A reminder of your visit in {} day{}.", h / 24, if h == 24 { "" } else { "s" })
                }
                Some(h) => format!("A reminder of your visit in {h} hour{}.", if h == 1 { "" } else { "s" }),
                None => "A reminder of your visit.".to_string(),
            },
            "See, move or cancel your booking",
        ),
        JobKind::ManageLink => (
            format!("Your booking with {practice}"),
            "Here is the private link to your booking, as you asked. Anyone with it can change the booking, so \
             keep it to yourself."
                .to_string(),
            "See, move or cancel your booking",
        ),
        JobKind::TherapistNewBooking => (
            format!("New booking: {}, {}", visit.service, visit.when),
            format!("{} booked a visit with you.", visit.first_name),
            "Open the visit",
        ),
        JobKind::WaitlistJoined => (
            format!("You're on the waitlist for {} with {practice}", visit.service),
            "You're on our waitlist. When a time that suits you frees up, we'll email you and hold it for you for \
             a while. You can leave the list at any time from its page."
                .to_string(),
            "See or leave your place on the waitlist",
        ),
        JobKind::WaitlistOffer => (
            format!("A time is free: {}, {}", visit.service, visit.when),
            match hours_before {
                Some(h) => format!(
                    "A time you were waiting for has come free, and we're holding it for you for {h} hour{}. Book \
                     it from the link below; after that it goes to the next person waiting.",
                    if h == 1 { "" } else { "s" }
                ),
                None => "A time you were waiting for has come free. Book it from the link below.".to_string(),
            },
            "Book this time",
        ),
        JobKind::PasswordReset => (
            format!("Choose a new password for {practice}"),
            "Someone asked to reset the password of your account. If it was you, choose a new password from the \
             link below within an hour; it works once. If it was not you, ignore this message: your password stays \
             as it is."
                .to_string(),
            "Choose a new password",
        ),
        // No health information: which client, and why, are behind the sign-in.
        JobKind::RecordAlert => (
            format!("An episode needs your review ({practice})"),
            "The practice's outcome policy now asks for action on one of your clients' treatment episodes. \
             Sign in to see which, and what the policy suggests."
                .to_string(),
            "Open the episode",
        ),
        // Written by compose_safety, which knows the check-in; this is only what the visit alone tells.
        JobKind::SafetyAlert | JobKind::SafetyEscalation => (
            format!("Safety alert: a home visit is not checked out ({practice})"),
            "A therapist checked in at a home visit and has not checked out.".to_string(),
            "Open the safety log",
        ),
        JobKind::GroupBooked => (
            format!("Booked: {} with {practice}", visit.service),
            "Your group booking is confirmed. Its private page shows how it is going: for a chair-massage day, the \
             sign-up link to share with your colleagues and the sheet as it fills; for a party, each guest's time and \
             the link each guest uses for their own short health check. Keep the page's link to yourself."
                .to_string(),
            "Open your group's page",
        ),
        JobKind::SignupConfirmed => (
            format!("Your chair massage: {}", visit.when),
            "You have a seat. Come a minute or two early, dressed as you are; the massage is through your clothes. \
             If you can no longer come, please cancel so a colleague can take the time."
                .to_string(),
            "Cancel my seat",
        ),
        // Never sent: the check writes offers, which are.
        JobKind::WaitlistScan => ("Waitlist check".to_string(), String::new(), "Open knead"),
    };
    let lead = match (kind, visit.series) {
        (JobKind::BookingConfirmed | JobKind::AwaitingClearance, Some(repeat)) => {
            let every = match repeat.every_weeks {
                1 => "every week".to_string(),
                n => format!("every {n} weeks"),
            };
            // Said as asked: the rest of the series may still be booking when this is sent, and a week
            // whose time was taken was reported when the series was booked.
            format!(
                "{lead} It starts your series of visits {every} at the same time ({} asked for); each booked \
                 visit's reminder brings its own link.",
                repeat.visits
            )
        }
        _ => lead,
    };
    let greeting = match kind {
        JobKind::TherapistNewBooking | JobKind::RecordAlert | JobKind::SafetyAlert | JobKind::SafetyEscalation => {
            "Hello,".to_string()
        }
        _ => format!("Hello {},", visit.first_name),
    };
    // A message about an account or a record has no visit to describe.
    let facts = match kind {
        JobKind::PasswordReset | JobKind::RecordAlert => Vec::new(),
        _ => vec![
            ("What", visit.service.clone()),
            ("When", visit.when.clone()),
            ("With", visit.therapists.join(" and ")),
            ("Where", visit.place.clone()),
        ],
    };
    write(from, &greeting, &lead, &facts, (action, &links.page), links.calendar.as_deref(), subject)
}

/// The message's bodies: the greeting, the lead, the facts as a table, the link, and the practice's name and
/// contact details.
fn write(
    from: &Sender<'_>,
    greeting: &str,
    lead: &str,
    facts: &[(&str, String)],
    (action, page): (&str, &str),
    calendar: Option<&str>,
    subject: String,
) -> Composed {
    let practice = from.name;
    let contact = contact_lines(from);
    let mut text = format!("{greeting}\n\n{lead}\n\n");
    for (label, value) in facts {
        text.push_str(&format!("{label}: {value}\n"));
    }
    if !facts.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("{action}: {page}\n"));
    if let Some(ics) = calendar {
        text.push_str(&format!("Add it to your calendar: {ics}\n"));
    }
    text.push_str(&format!("\n{practice}\n"));
    for line in &contact {
        text.push_str(line);
        text.push('\n');
    }

    let mut html = String::from("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">");
    html.push_str(&format!("<p>{}</p><p>{}</p>", escape(greeting), escape(lead)));
    if !facts.is_empty() {
        html.push_str("<table>");
        for (label, value) in facts {
            html.push_str(&format!("<tr><th align=\"left\">{label}</th><td>{}</td></tr>", escape(value)));
        }
        html.push_str("</table>");
    }
    html.push_str(&format!("<p><a href=\"{}\">{action}</a></p>", escape(page)));
    if let Some(ics) = calendar {
        html.push_str(&format!("<p><a href=\"{}\">Add it to your calendar</a></p>", escape(ics)));
    }
    html.push_str(&format!("<p>{}", escape(practice)));
    for line in &contact {
        html.push_str(&format!("<br>{}", escape(line)));
    }
    html.push_str("</p></body></html>");
    Composed { subject, text, html }
}

/// What a safety alert says about the visit, already written out in the practice's zone and style.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SafetyFacts {
    /// The therapist's name.
    pub therapist: String,
    /// The visit's address: where someone would go to look.
    pub place: String,
    /// When the therapist checked in ("Tuesday 2 March 2027 14:02").
    pub checked_in: String,
    /// When the visit was due to end.
    pub due_to_end: String,
    /// The grace period, in minutes.
    pub grace_minutes: i64,
    /// The emergency contact's name: to greet them (an escalation to them), or to say who is next (the
    /// managers' alert). `None` when the practice has none.
    pub contact: Option<String>,
    /// When the next alert goes, if the therapist has not checked out by then (the managers' alert only).
    pub next_alert: Option<String>,
}

/// A safety alert (`SafetyAlert` to the managers, `SafetyEscalation` to the emergency contact or, without one,
/// to the managers again): who checked in where and when, that they have not checked out, and what to do.
/// `page` is the managers' safety log.
pub fn compose_safety(kind: JobKind, from: &Sender<'_>, facts: &SafetyFacts, page: &str) -> Composed {
    let practice = from.name;
    let who = &facts.therapist;
    let grace = match facts.grace_minutes {
        1 => "1 minute".to_string(),
        m => format!("{m} minutes"),
    };
    let to_contact = kind == JobKind::SafetyEscalation && facts.contact.is_some();
    let greeting = match (&facts.contact, to_contact) {
        (Some(name), true) => format!("Hello {name},"),
        _ => "Hello,".to_string(),
    };
    let (subject, mut lead) = if kind == JobKind::SafetyEscalation {
        (
            format!("URGENT safety alert: {who} has not checked out of a home visit ({practice})"),
            format!(
                "{who} checked in at a home visit for {practice} and has still not checked out, {grace} after the                  practice's managers were alerted. Please try to reach {who} now. If you cannot reach them,                  consider calling the emergency services and giving them the address below."
            ),
        )
    } else {
        (
            format!("Safety alert: {who} has not checked out of a home visit ({practice})"),
            format!(
                "{who} checked in at a home visit and has not checked out, {grace} after the visit was due to end.                  Please contact them now."
            ),
        )
    };
    if to_contact {
        lead = format!("You are {practice}'s emergency contact. {lead}");
    }
    match (kind, &facts.contact, &facts.next_alert) {
        (JobKind::SafetyAlert, Some(contact), Some(next)) => lead.push_str(&format!(
            " If {who} has not checked out by {next}, the practice's emergency contact, {contact}, will be alerted."
        )),
        (JobKind::SafetyAlert, None, Some(next)) => lead.push_str(&format!(
            " No emergency contact is set for the practice: if {who} has not checked out by {next}, this alert              comes to you again. Set an emergency contact in the practice's settings."
        )),
        (JobKind::SafetyEscalation, None, _) => lead.push_str(
            " No emergency contact is set for the practice, so this second alert comes to you again. Set one in              the practice's settings.",
        ),
        _ => {}
    }
    let rows = vec![
        ("Therapist", who.clone()),
        ("Where", facts.place.clone()),
        ("Checked in", facts.checked_in.clone()),
        ("Due to end", facts.due_to_end.clone()),
    ];
    // The emergency contact has no sign-in: the link is for staff only.
    let action = if to_contact { ("Staff's safety log (sign-in needed)", page) } else { ("Open the safety log", page) };
    write(from, &greeting, &lead, &rows, action, None, subject)
}

/// The practice's phone, email and address, as lines.
fn contact_lines(from: &Sender<'_>) -> Vec<String> {
    let d = from.details;
    let mut lines = Vec::new();
    if let Some(phone) = &d.phone {
        lines.push(format!("Phone: {}", phone.as_str()));
    }
    if let Some(email) = &d.email {
        lines.push(format!("Email: {email}"));
    }
    if let Some(address) = &d.address {
        lines.extend(address.lines().map(str::to_string));
    }
    lines
}

/// Text made safe inside HTML, attribute values included.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practice::PracticeDetailsInput;

    fn details() -> PracticeDetails {
        PracticeDetailsInput {
            name: String::new(),
            phone: "416-555-0100".into(),
            email: "hello@example.com".into(),
            address: "1 Example Street\nToronto".into(),
        }
        .validate()
        .unwrap()
    }

    fn visit() -> VisitFacts {
        VisitFacts {
            service: "Swedish massage".into(),
            when: "Tuesday, March 2, 2027, 9:30–10:30 am".into(),
            therapists: vec!["Liza".into()],
            place: "12 <Main> Street".into(),
            first_name: "Ana".into(),
            series: None,
        }
    }

    fn links() -> Links {
        Links { page: "https://spa.example/bookings/1/manage?token=abc".into(), calendar: None }
    }

    #[test]
    fn a_confirmation_names_the_visit_the_link_and_the_practice_in_both_bodies() {
        let d = details();
        let m = compose(
            JobKind::BookingConfirmed,
            &Sender { name: "Lakeshore Spa", details: &d },
            &visit(),
            &links(),
            None,
        );
        assert_eq!(m.subject, "You're booked: Swedish massage with Lakeshore Spa");
        for needle in ["Hello Ana,", "Tuesday, March 2, 2027", "Liza", "token=abc", "Phone: 416-555-0100", "Toronto"] {
            assert!(m.text.contains(needle), "{needle} in {}", m.text);
        }
        assert!(m.html.contains("12 &lt;Main&gt; Street"), "escaped: {}", m.html);
        assert!(!m.html.contains("<Main>"));
    }

    #[test]
    fn a_held_booking_says_there_is_a_message_and_nothing_about_health() {
        let d = details();
        let m = compose(JobKind::AwaitingClearance, &Sender { name: "Spa", details: &d }, &visit(), &links(), None);
        let all = format!("{} {} {}", m.subject, m.text, m.html).to_lowercase();
        assert!(all.contains("there is a message"));
        for word in ["clearance", "physician", "doctor", "health", "pain", "pregnan", "screening"] {
            assert!(!all.contains(word), "{word} in {all}");
        }
    }

    #[test]
    fn the_first_visit_of_a_series_confirms_the_whole_series() {
        let d = details();
        let first = VisitFacts { series: Some(crate::booking::Repeat { every_weeks: 2, visits: 8 }), ..visit() };
        let m = compose(JobKind::BookingConfirmed, &Sender { name: "Spa", details: &d }, &first, &links(), None);
        assert!(m.text.contains("series of visits every 2 weeks at the same time (8 asked for)"), "{}", m.text);
        let reminder = compose(JobKind::Reminder, &Sender { name: "Spa", details: &d }, &first, &links(), Some(24));
        assert!(!reminder.text.contains("series"), "{}", reminder.text);
    }

    #[test]
    fn a_reminder_says_how_far_ahead_the_visit_is() {
        let d = details();
        let from = Sender { name: "Spa", details: &d };
        let day = compose(JobKind::Reminder, &from, &visit(), &links(), Some(24));
        assert!(day.text.contains("in 1 day."), "{}", day.text);
        let two = compose(JobKind::Reminder, &from, &visit(), &links(), Some(2));
        assert!(two.text.contains("in 2 hours."), "{}", two.text);
    }

    fn safety() -> SafetyFacts {
        SafetyFacts {
            therapist: "Ines Carvalho".into(),
            place: "17 Example Crescent, Helsinki".into(),
            checked_in: "Tuesday 2 March 2027 14:02".into(),
            due_to_end: "Tuesday 2 March 2027 15:00".into(),
            grace_minutes: 30,
            contact: Some("Alex Owner".into()),
            next_alert: Some("16:00".into()),
        }
    }

    #[test]
    fn a_safety_alert_says_who_is_where_since_when_and_who_is_next() {
        let d = details();
        let from = Sender { name: "Spa", details: &d };
        let page = "https://spa.example/manage/safety?date=2027-03-02";
        let m = compose_safety(JobKind::SafetyAlert, &from, &safety(), page);
        assert_eq!(m.subject, "Safety alert: Ines Carvalho has not checked out of a home visit (Spa)");
        for needle in [
            "Hello,\n",
            "30 minutes after the visit was due to end",
            "Where: 17 Example Crescent, Helsinki",
            "Checked in: Tuesday 2 March 2027 14:02",
            "Due to end: Tuesday 2 March 2027 15:00",
            "by 16:00, the practice's emergency contact, Alex Owner, will be alerted",
            "Open the safety log: https://spa.example/manage/safety?date=2027-03-02",
            "Phone: 416-555-0100",
        ] {
            assert!(m.text.contains(needle), "{needle} in {}", m.text);
        }
        let none = SafetyFacts { contact: None, ..safety() };
        let m = compose_safety(JobKind::SafetyAlert, &from, &none, page);
        assert!(m.text.contains("No emergency contact is set"), "{}", m.text);
    }

    #[test]
    fn an_escalation_greets_the_emergency_contact_or_tells_the_managers_none_is_set() {
        let d = details();
        let from = Sender { name: "Spa", details: &d };
        let page = "https://spa.example/manage/safety";
        let m = compose_safety(JobKind::SafetyEscalation, &from, &safety(), page);
        assert!(m.subject.starts_with("URGENT safety alert: Ines Carvalho"), "{}", m.subject);
        assert!(m.text.starts_with("Hello Alex Owner,\n\nYou are Spa's emergency contact."), "{}", m.text);
        assert!(m.text.contains("emergency services") && m.text.contains("17 Example Crescent"), "{}", m.text);
        let none = SafetyFacts { contact: None, next_alert: None, ..safety() };
        let again = compose_safety(JobKind::SafetyEscalation, &from, &none, page);
        assert!(again.text.starts_with("Hello,\n"), "{}", again.text);
        assert!(again
            .text
            .contains("No emergency contact is set for the practice, so this second alert comes to you again"));
        assert!(!again.text.contains("You are Spa's emergency contact"), "{}", again.text);
    }

    #[test]
    fn a_records_alert_names_no_client_and_no_condition() {
        let d = details();
        let facts = VisitFacts::default();
        let link = Links { page: "https://spa.example/manage/episodes/7".into(), calendar: None };
        let m = compose(JobKind::RecordAlert, &Sender { name: "Spa", details: &d }, &facts, &link, None);
        assert!(m.text.starts_with("Hello,\n"), "{}", m.text);
        assert!(m.text.contains("Open the episode: https://spa.example/manage/episodes/7"), "{}", m.text);
        let all = format!("{} {} {}", m.subject, m.text, m.html).to_lowercase();
        for word in ["sciatica", "pain", "nprs", "non-responder", "deteriorat", "What:", "When:"] {
            assert!(!all.contains(&word.to_lowercase()), "{word} in {all}");
        }
    }
}
