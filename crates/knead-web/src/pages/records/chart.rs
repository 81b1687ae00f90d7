//! The trend chart of an episode, drawn as SVG on the server: leg and back pain (NPRS, 0-10) over time with
//! the responder threshold as a dashed line (the baseline leg pain less the policy's responder points), and
//! function (PSFS, 0-10) on a small chart of its own. Each chart is an image with a title and a description
//! for screen readers, and the numbers are also a table below it, so nothing depends on seeing the lines.

use jiff::civil::Date;
use knead_core::records::instruments::{NPRS_BACK, NPRS_LEG, PSFS};
use knead_core::records::Measure;
use maud::{html, Markup};

const WIDTH: f64 = 640.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;

/// One instrument's points, oldest first: (day, score).
struct Series {
    label: &'static str,
    class: &'static str,
    points: Vec<(Date, f64)>,
}

fn series(measures: &[Measure], key: &str, label: &'static str, class: &'static str) -> Series {
    let zone = crate::pages::page_locale().zone;
    let mut points: Vec<(Date, f64)> = measures
        .iter()
        .filter(|m| m.instrument == key)
        .map(|m| (m.taken_at.to_zoned(zone.clone()).date(), m.score.number()))
        .collect();
    points.sort_by_key(|(d, _)| *d);
    Series { label, class, points }
}

/// Where the responder threshold lies on leg pain: the first leg score less `responder_points`, when that
/// is still on the scale.
pub(crate) fn responder_line(measures: &[Measure], responder_points: f64) -> Option<f64> {
    let leg = series(measures, NPRS_LEG, "", "");
    let baseline = leg.points.first()?.1;
    let line = baseline - responder_points;
    (line >= 0.0).then_some(line)
}

/// The pain chart and, when PSFS was measured, the function chart, with their data table; `id` keeps the
/// elements' ids apart when a page shows more than one.
pub(crate) fn trend(id: &str, title: &str, measures: &[Measure], responder_points: f64) -> Markup {
    let leg = series(measures, NPRS_LEG, "Leg pain", "leg");
    let back = series(measures, NPRS_BACK, "Back pain", "back");
    let psfs = series(measures, PSFS, "Function (PSFS)", "psfs");
    let threshold = responder_line(measures, responder_points);
    if leg.points.is_empty() && back.points.is_empty() && psfs.points.is_empty() {
        return html! { p.meta #{ (id) "-empty" } { "No scores recorded yet: the chart starts with the first." } };
    }
    let mut days: Vec<Date> = leg.points.iter().chain(&back.points).chain(&psfs.points).map(|(d, _)| *d).collect();
    days.sort();
    days.dedup();
    let pain_desc = describe(&[&leg, &back], threshold, "lower is better");
    let function_desc = describe(&[&psfs], None, "higher is better");
    html! {
        figure.chart #(id) {
            (svg(&format!("{id}-pain"), &format!("{title}: pain, 0 to 10"), &pain_desc, &days, &[&leg, &back], threshold, 220.0))
            @if !psfs.points.is_empty() {
                (svg(&format!("{id}-function"), &format!("{title}: function (PSFS), 0 to 10"), &function_desc, &days, &[&psfs], None, 140.0))
            }
            figcaption {
                span.key.leg { "Leg pain" } " " span.key.back { "Back pain" }
                @if !psfs.points.is_empty() { " " span.key.psfs { "Function (PSFS)" } }
                @if let Some(t) = threshold { " " span.key.threshold { "Responder threshold: leg pain " (fmt(t)) " or lower" } }
            }
            details.chart-data {
                summary { "The scores as a table" }
                div.table-scroll tabindex="0" role="region" aria-label=(format!("{title}: scores by date")) {
                    table.list {
                        caption.visually-hidden { (title) ": scores by date" }
                        thead { tr { th scope="col" { "Date" } th scope="col" { "Leg pain" } th scope="col" { "Back pain" } th scope="col" { "Function (PSFS)" } } }
                        tbody {
                            @for d in &days {
                                tr {
                                    th scope="row" { (crate::ui::full_date(*d)) }
                                    td { (cell(&leg, *d)) } td { (cell(&back, *d)) } td { (cell(&psfs, *d)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A score with at most one decimal: "4", "6.3".
pub(crate) fn fmt(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn cell(s: &Series, day: Date) -> String {
    let on: Vec<String> = s.points.iter().filter(|(d, _)| *d == day).map(|(_, v)| fmt(*v)).collect();
    if on.is_empty() {
        "–".into()
    } else {
        on.join(", ")
    }
}

/// The text alternative: each series from first to last, and the threshold.
fn describe(all: &[&Series], threshold: Option<f64>, better: &str) -> String {
    let mut parts = Vec::new();
    for s in all {
        if let (Some(first), Some(last)) = (s.points.first(), s.points.last()) {
            parts.push(format!(
                "{} from {} on {} to {} on {}, {} scores",
                s.label,
                fmt(first.1),
                first.0,
                fmt(last.1),
                last.0,
                s.points.len()
            ));
        }
    }
    if let Some(t) = threshold {
        parts.push(format!("responder threshold at {}", fmt(t)));
    }
    format!("{} ({better}).", parts.join("; "))
}

fn svg(
    id: &str,
    title: &str,
    desc: &str,
    days: &[Date],
    all: &[&Series],
    threshold: Option<f64>,
    height: f64,
) -> Markup {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = height - TOP - BOTTOM;
    let first = days.first().copied().unwrap_or_default();
    let span = days.last().map_or(0, |d| (*d - first).get_days()).max(1) as f64;
    let x = |d: Date| LEFT + plot_w * f64::from((d - first).get_days()) / span;
    let y = |v: f64| TOP + plot_h * (1.0 - v.clamp(0.0, 10.0) / 10.0);
    let one_day = days.len() == 1;
    let x_of = |d: Date| if one_day { LEFT + plot_w / 2.0 } else { x(d) };
    let path = |s: &Series| -> String {
        s.points.iter().map(|(d, v)| format!("{:.1},{:.1}", x_of(*d), y(*v))).collect::<Vec<_>>().join(" ")
    };
    let view_box = format!("0 0 {WIDTH} {height}");
    html! {
        svg.trend xmlns="http://www.w3.org/2000/svg" viewBox=(view_box) role="img"
            aria-labelledby={ (id) "-title " (id) "-desc" } preserveAspectRatio="xMidYMid meet" {
            title #{ (id) "-title" } { (title) }
            desc #{ (id) "-desc" } { (desc) }
            @for tick in [0.0, 2.0, 4.0, 6.0, 8.0, 10.0] {
                line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(tick)) y2=(y(tick)) {}
                text.axis x=(LEFT - 6.0) y=(y(tick) + 4.0) text-anchor="end" { (fmt(tick)) }
            }
            @if let (Some(a), Some(b)) = (days.first(), days.last()) {
                text.axis x=(x_of(*a)) y=(height - 8.0) text-anchor="start" { (a.to_string()) }
                @if a != b { text.axis x=(x(*b)) y=(height - 8.0) text-anchor="end" { (b.to_string()) } }
            }
            @if let Some(t) = threshold {
                line.threshold x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(t)) y2=(y(t)) {}
            }
            @for s in all {
                @if s.points.len() > 1 { polyline class={ "series " (s.class) } points=(path(s)) {} }
                @for (d, v) in &s.points {
                    circle class={ "dot " (s.class) } cx=(format!("{:.1}", x_of(*d))) cy=(format!("{:.1}", y(*v))) r="4" {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::records::{EpisodeId, MeasureId, Score};

    fn nprs(day: &str, value: f64) -> Measure {
        let at: jiff::Timestamp = format!("{day}T12:00:00Z").parse().unwrap();
        Measure {
            id: MeasureId(1),
            episode_id: EpisodeId(1),
            instrument: NPRS_LEG.into(),
            answers: serde_json::json!({"value": value}),
            score: Score::Value { value, answered: None },
            taken_at: at,
            recorded_by: None,
            created_at: at,
        }
    }

    #[test]
    fn the_chart_marks_the_responder_threshold_and_has_a_text_alternative() {
        let measures = [nprs("2026-11-02", 7.0), nprs("2026-11-09", 6.0), nprs("2026-11-16", 6.0)];
        let html = trend("c", "Sciatica", &measures, 2.0).into_string();
        assert!(html.contains("role=\"img\""), "{html}");
        assert!(html.contains("<title id=\"c-pain-title\">Sciatica: pain, 0 to 10</title>"), "{html}");
        assert!(html.contains("Leg pain from 7 on 2026-11-02 to 6 on 2026-11-16, 3 scores"), "{html}");
        assert!(html.contains("class=\"threshold\""), "the threshold line: {html}");
        assert!(html.contains("leg pain 5 or lower"), "baseline 7 less 2 points: {html}");
        assert!(html.contains("<th scope=\"row\">"), "the data table: {html}");
        assert_eq!(responder_line(&measures, 2.0), Some(5.0));
    }

    #[test]
    fn no_scores_say_so_instead_of_an_empty_chart() {
        let html = trend("c", "Sciatica", &[], 2.0).into_string();
        assert!(html.contains("No scores recorded yet") && !html.contains("<svg"), "{html}");
    }
}
