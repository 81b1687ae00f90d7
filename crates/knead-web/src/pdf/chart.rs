//! The letter's score chart: leg and back pain (NPRS, 0 to 10) over the episode's visits, drawn as vector
//! lines so it prints sharp at any size.

use super::layout::{show, Layout, MARGIN};
use super::text::{width, Face};
use knead_core::records::instruments::{NPRS_BACK, NPRS_LEG};
use knead_core::records::Measure;
use pdf_writer::types::LineCapStyle;

/// The chart's whole height: the plot, the dates under it and the legend.
pub(crate) const HEIGHT: f32 = PLOT + AXIS_BOTTOM + LEGEND;
const PLOT: f32 = 150.0;
/// Room on the left for the axis' numbers and below for the dates.
const AXIS_LEFT: f32 = 22.0;
const AXIS_BOTTOM: f32 = 16.0;
const LEGEND: f32 = 18.0;

/// One line of the chart.
struct Series {
    label: &'static str,
    /// (seconds since the first measure, score), oldest first.
    points: Vec<(f64, f64)>,
    gray: f32,
    dashed: bool,
}

/// Draws the chart when the episode has any NPRS; returns whether it did.
pub(crate) fn nprs_chart(layout: &mut Layout, measures: &[Measure]) -> bool {
    let nprs: Vec<&Measure> =
        measures.iter().filter(|m| m.instrument == NPRS_LEG || m.instrument == NPRS_BACK).collect();
    let (Some(first), Some(last)) = (nprs.iter().map(|m| m.taken_at).min(), nprs.iter().map(|m| m.taken_at).max())
    else {
        return false;
    };
    let span = (last.as_second() - first.as_second()) as f64;
    let series_of = |key: &str| -> Vec<(f64, f64)> {
        nprs.iter()
            .filter(|m| m.instrument == key)
            .map(|m| ((m.taken_at.as_second() - first.as_second()) as f64, m.score.number().clamp(0.0, 10.0)))
            .collect()
    };
    let series = [
        Series { label: "Leg pain (NPRS)", points: series_of(NPRS_LEG), gray: 0.0, dashed: false },
        Series { label: "Back pain (NPRS)", points: series_of(NPRS_BACK), gray: 0.45, dashed: true },
    ];

    let top = layout.take(HEIGHT);
    let left = MARGIN + AXIS_LEFT;
    let right = MARGIN + Layout::text_width();
    let bottom = top - PLOT;
    let x_of = |seconds: f64| -> f32 {
        if span == 0.0 {
            (left + right) / 2.0
        } else {
            left + ((seconds / span) as f32) * (right - left)
        }
    };
    let y_of = |score: f64| -> f32 { bottom + (score as f32 / 10.0) * PLOT };

    let page = layout.page();
    // The grid: a line every two points of pain, numbered.
    page.save_state();
    page.set_line_width(0.4).set_stroke_gray(0.8).set_fill_gray(0.3);
    for score in (0..=10).step_by(2) {
        let y = y_of(f64::from(score));
        page.move_to(left, y).line_to(right, y).stroke();
        let label = score.to_string();
        show(page, Face::Regular, 7.5, left - 6.0 - width(Face::Regular, 7.5, &label), y - 2.5, &label);
    }
    let first_day = first.strftime("%Y-%m-%d").to_string();
    show(page, Face::Regular, 7.5, left, bottom - 11.0, &first_day);
    if span > 0.0 {
        let last_day = last.strftime("%Y-%m-%d").to_string();
        show(page, Face::Regular, 7.5, right - width(Face::Regular, 7.5, &last_day), bottom - 11.0, &last_day);
    }
    page.restore_state();

    let mut legend_x = left;
    let legend_y = bottom - AXIS_BOTTOM - 10.0;
    for line in series.iter().filter(|s| !s.points.is_empty()) {
        page.save_state();
        page.set_line_width(1.6).set_stroke_gray(line.gray).set_fill_gray(line.gray);
        page.set_line_cap(LineCapStyle::RoundCap);
        if line.dashed {
            page.set_dash_pattern([4.0, 3.0], 0.0);
        }
        for (n, &(seconds, score)) in line.points.iter().enumerate() {
            let (x, y) = (x_of(seconds), y_of(score));
            if n == 0 {
                page.move_to(x, y);
            } else {
                page.line_to(x, y);
            }
        }
        if line.points.len() > 1 {
            page.stroke();
        } else {
            page.end_path();
        }
        page.set_dash_pattern([], 0.0);
        for &(seconds, score) in &line.points {
            page.rect(x_of(seconds) - 1.8, y_of(score) - 1.8, 3.6, 3.6);
        }
        page.fill_nonzero();
        // The legend: a short sample of the line and its name.
        if line.dashed {
            page.set_dash_pattern([4.0, 3.0], 0.0);
        }
        page.move_to(legend_x, legend_y + 3.0).line_to(legend_x + 18.0, legend_y + 3.0).stroke();
        page.restore_state();
        show(page, Face::Regular, 8.5, legend_x + 23.0, legend_y, line.label);
        legend_x += 23.0 + width(Face::Regular, 8.5, line.label) + 18.0;
    }
    true
}
