//! Printable documents as PDF: the referral letter.
//!
//! Written with `pdf-writer` (the Typst project's PDF writer: maintained, MIT/Apache-2.0, four small
//! dependencies and no C). It writes PDF objects step by step and leaves the layout to us, which a letter
//! of wrapped paragraphs and one line chart barely needs. We use the PDF standard's built-in Helvetica in
//! the WinAnsi encoding, so no font file is embedded and `pdftotext` extracts the text exactly as written
//! (accented Latin letters, dashes and quotes included). `printpdf` was set aside for its much larger tree
//! (it parses and renders HTML), `krilla` because it needs a font file for every text.

mod chart;
mod layout;
mod text;

use knead_app::records::ReferralFile;
use knead_core::records::instruments::{InstrumentDefinition, NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::{Measure, ReferralStatus, Score};
use layout::Layout;
use text::Face;

/// The referral letter as a PDF: the practice's header, the recipient, the client, the reason and urgency,
/// the body (red-flag results, score history, treatment so far), the score chart, and the signature line.
pub(crate) fn referral_pdf(file: &ReferralFile) -> Vec<u8> {
    let referral = &file.referral;
    let mut layout = Layout::new();

    layout.paragraphs(Face::Bold, 16.0, &file.practice_name);
    layout.paragraphs(Face::Regular, 9.5, &file.practice_contact);
    layout.gap(14.0);

    let dated = referral.signed_at.unwrap_or(referral.created_at);
    layout.field("Date:", &dated.strftime("%Y-%m-%d").to_string());
    let to = if referral.recipient_name.trim().is_empty() {
        referral.recipient.label().to_owned()
    } else {
        format!("{} ({})", referral.recipient_name.trim(), referral.recipient.as_str())
    };
    layout.field("To:", &to);
    let client = match &file.client_date_of_birth {
        Some(born) => format!("{}, born {born}", file.client_name),
        None => file.client_name.clone(),
    };
    layout.field("Client:", &client);
    let episode = &file.episode;
    let condition = match episode.side {
        Some(side) => format!("{} ({}), since {}", episode.condition, side.as_str(), episode.started_on),
        None => format!("{}, since {}", episode.condition, episode.started_on),
    };
    layout.field("Condition:", &condition);
    layout.field("Urgency:", referral.urgency.as_str());
    layout.field("Reason:", &referral.reason);
    layout.gap(10.0);

    layout.paragraphs(Face::Regular, 10.5, &referral.body);
    layout.gap(12.0);

    if file.measures.iter().any(|m| m.instrument == NPRS_LEG || m.instrument == NPRS_BACK) {
        // The heading stays on the chart's page.
        layout.keep(11.0 * 1.35 + 4.0 + chart::HEIGHT);
        layout.line(Face::Bold, 11.0, "Pain over the episode");
        layout.gap(4.0);
        chart::nprs_chart(&mut layout, &file.measures);
        layout.gap(8.0);
    }
    if !file.measures.is_empty() {
        layout.keep(11.0 * 1.35 * 3.0);
        layout.line(Face::Bold, 11.0, "Scores recorded");
        for measure in &file.measures {
            let line = format!(
                "{}  {}: {}",
                measure.taken_at.strftime("%Y-%m-%d"),
                instrument_name(&measure.instrument, &file.loaded),
                score_text(measure)
            );
            layout.paragraphs(Face::Regular, 9.5, &line);
        }
        layout.gap(12.0);
    }

    let signature = match (referral.status, &referral.signed_name, referral.signed_at) {
        (ReferralStatus::Signed, Some(name), Some(at)) => format!("Signed: {name}, {}", at.strftime("%Y-%m-%d")),
        _ => "Draft \u{2014} not signed".to_owned(),
    };
    layout.take(10.0);
    layout.paragraphs(Face::Bold, 11.0, &signature);

    layout.finish("Referral letter", &file.practice_name)
}

/// How the letter names an instrument: the built-ins in words, a loaded one by the name the clinic gave it.
fn instrument_name<'a>(key: &'a str, loaded: &'a [InstrumentDefinition]) -> &'a str {
    match key {
        NPRS_LEG => "leg pain (NPRS)",
        NPRS_BACK => "back pain (NPRS)",
        PSFS => "function (PSFS)",
        STARTBACK => "STarT Back",
        other => loaded.iter().find(|d| d.key == other).map_or(other, |d| d.name.as_str()),
    }
}

fn score_text(measure: &Measure) -> String {
    match (&measure.score, measure.instrument.as_str()) {
        (Score::Value { value, .. }, NPRS_LEG | NPRS_BACK) => format!("{}/10", number(*value)),
        (Score::Value { value, .. }, PSFS) => format!("{} of 10 (mean)", number(*value)),
        (Score::Value { value, .. }, _) => number(*value),
        (Score::StartBack { total, distress, risk }, _) => {
            let risk = serde_json::to_value(risk).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            format!("total {total}, distress {distress}, {risk} risk")
        }
    }
}

/// A score without a trailing `.0`, and at most one decimal.
fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::account::UserId;
    use knead_core::intake::ClientId;
    use knead_core::records::instruments::StartBackRisk;
    use knead_core::records::{
        Episode, EpisodeId, EpisodeStatus, MeasureId, Recipient, Referral, ReferralId, Side, Urgency,
    };
    use std::process::Command;

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("a test instant")
    }

    fn nprs(id: i64, key: &str, value: f64, taken_at: &str) -> Measure {
        Measure {
            id: MeasureId(id),
            episode_id: EpisodeId(1),
            instrument: key.to_owned(),
            answers: serde_json::json!({ "value": value }),
            score: Score::Value { value, answered: None },
            taken_at: at(taken_at),
            recorded_by: Some(UserId(2)),
            created_at: at(taken_at),
        }
    }

    fn file(body: &str, signed: bool) -> ReferralFile {
        let mut measures: Vec<Measure> = [7.0, 7.0, 8.0, 7.0, 7.0, 8.0]
            .into_iter()
            .enumerate()
            .map(|(n, value)| {
                let weekly = at("2026-03-02T10:00:00Z") + jiff::SignedDuration::from_hours(24 * 7 * n as i64);
                nprs(n as i64 + 1, NPRS_LEG, value, &weekly.to_string())
            })
            .collect();
        measures.push(nprs(7, NPRS_BACK, 4.0, "2026-03-02T10:05:00Z"));
        measures.push(nprs(8, NPRS_BACK, 5.0, "2026-04-06T10:05:00Z"));
        measures.push(Measure {
            instrument: STARTBACK.to_owned(),
            score: Score::StartBack { total: 5, distress: 2, risk: StartBackRisk::Medium },
            ..nprs(9, STARTBACK, 0.0, "2026-03-02T10:10:00Z")
        });
        ReferralFile {
            referral: Referral {
                id: ReferralId(3),
                episode_id: EpisodeId(1),
                recipient: Recipient::Physician,
                recipient_name: "Dr. Aino Mäkelä, Kallio Health Centre".to_owned(),
                urgency: Urgency::Routine,
                reason: "Leg pain has not improved over six visits of massage.".to_owned(),
                body: body.to_owned(),
                status: if signed { ReferralStatus::Signed } else { ReferralStatus::Draft },
                created_by: UserId(2),
                created_at: at("2026-04-06T12:00:00Z"),
                signed_by: signed.then_some(UserId(2)),
                signed_at: signed.then(|| at("2026-04-07T09:00:00Z")),
                signed_name: signed.then(|| "Mia Therapist".to_owned()),
            },
            episode: Episode {
                id: EpisodeId(1),
                client_id: ClientId(5),
                condition: "Sciatica".to_owned(),
                side: Some(Side::Right),
                started_on: jiff::civil::date(2026, 3, 2),
                status: EpisodeStatus::Active,
                other_care: Default::default(),
                therapist_id: None,
                created_by: UserId(2),
                created_at: at("2026-03-02T09:00:00Z"),
            },
            client_name: "Otto Example".to_owned(),
            client_date_of_birth: Some("1971-05-14".to_owned()),
            measures,
            loaded: Vec::new(),
            practice_name: "Kallio Massage".to_owned(),
            practice_contact: "Fleminginkatu 1, 00530 Helsinki\n+358 40 000 0000 · hello@example.org".to_owned(),
        }
    }

    /// The PDF's text as `pdftotext` extracts it, or `None` after saying why the check is skipped (in CI a
    /// missing `pdftotext` fails).
    fn extracted(pdf: &[u8]) -> Option<String> {
        let tool = std::env::var("KNEAD_TEST_PDFTOTEXT").unwrap_or_else(|_| "pdftotext".to_owned());
        let dir = std::env::temp_dir().join(format!("knead-pdf-test-{}-{}", std::process::id(), pdf.len()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let path = dir.join("letter.pdf");
        std::fs::write(&path, pdf).expect("the PDF written");
        let output = Command::new(&tool).arg("-layout").arg(&path).arg("-").output();
        let _ = std::fs::remove_dir_all(&dir);
        match output {
            Ok(output) => {
                assert!(output.status.success(), "{tool} fails: {}", String::from_utf8_lossy(&output.stderr));
                Some(String::from_utf8(output.stdout).expect("UTF-8 text"))
            }
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!(
                    "SKIPPED: the PDF's text was not checked: no {tool} ({e}); scripts/test installs poppler-utils"
                );
                None
            }
            Err(e) => panic!("{tool} is needed in CI: {e}"),
        }
    }

    fn page_count(pdf: &[u8]) -> usize {
        let text = String::from_utf8_lossy(pdf);
        text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
    }

    #[test]
    fn the_letter_holds_its_header_reason_scores_and_signature() {
        let pdf = referral_pdf(&file("Red-flag screening: all clear.\n\nSix visits of massage since March.", true));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
        let Some(text) = extracted(&pdf) else { return };
        for expected in [
            "Kallio Massage",
            "Fleminginkatu 1, 00530 Helsinki",
            "Dr. Aino Mäkelä, Kallio Health Centre (physician)",
            "Otto Example, born 1971-05-14",
            "Sciatica (right), since 2026-03-02",
            "Urgency: routine",
            "Leg pain has not improved over six visits of massage.",
            "Red-flag screening: all clear.",
            "2026-03-02 leg pain (NPRS): 7/10",
            "2026-04-06 leg pain (NPRS): 8/10",
            "2026-04-06 back pain (NPRS): 5/10",
            "STarT Back: total 5, distress 2, medium risk",
            "Leg pain (NPRS)",
            "Back pain (NPRS)",
            "Signed: Mia Therapist, 2026-04-07",
            "page 1 of 1",
        ] {
            let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(squeezed.contains(expected), "{expected:?} is not in:\n{text}");
        }
        assert!(!text.contains("not signed"));
    }

    #[test]
    fn a_draft_says_so_on_its_signature_line() {
        let pdf = referral_pdf(&file("Body.", false));
        let Some(text) = extracted(&pdf) else { return };
        assert!(text.contains("Draft — not signed"), "{text}");
        assert!(!text.contains("Signed:"));
    }

    #[test]
    fn a_long_body_runs_onto_more_pages_with_every_word_kept() {
        let paragraph = "The client reports that sitting for more than twenty minutes brings the leg pain back, \
                         and that the stretches ease it for an hour or two.";
        let body: String = (1..=60).map(|n| format!("{n}. {paragraph}\n")).collect();
        let pdf = referral_pdf(&file(&body, true));
        assert!(page_count(&pdf) >= 3, "{} pages", page_count(&pdf));
        let Some(text) = extracted(&pdf) else { return };
        let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for n in [1, 30, 60] {
            assert!(squeezed.contains(&format!("{n}. {}", paragraph.split_whitespace().collect::<Vec<_>>().join(" "))));
        }
        let pages = page_count(&pdf);
        assert!(squeezed.contains(&format!("page {pages} of {pages}")));
        assert!(squeezed.contains("Signed: Mia Therapist, 2026-04-07"));
    }

    #[test]
    fn the_chart_draws_one_path_per_nprs_line() {
        let pdf = referral_pdf(&file("Body.", true));
        let text = String::from_utf8_lossy(&pdf);
        // Line segments: five joining the six leg scores, one joining the two back scores, six grid lines
        // and the legend's two samples.
        assert_eq!(text.matches(" l\n").count(), 5 + 1 + 6 + 2);
        let without_nprs = {
            let mut f = file("Body.", true);
            f.measures.retain(|m| m.instrument == STARTBACK);
            referral_pdf(&f)
        };
        assert!(!String::from_utf8_lossy(&without_nprs).contains("Pain over the episode"));
    }

    #[test]
    fn scores_print_without_needless_decimals() {
        assert_eq!(number(7.0), "7");
        assert_eq!(number(4.333), "4.3");
    }
}
