//! A day on a map: each therapist's route (base, visits in order, back to base) drawn as SVG on the server,
//! over the roads of the practice's imported extract when there is one, else over a plain grid; a scale bar
//! either way. Each visit links to directions in the phone's own map app. No tiles, no script, nothing sent
//! to a map service.

use knead_core::geo::local_km;
use knead_core::places::{Bounds, Road, RoadKind};
use knead_core::GeoPoint;
use maud::{html, Markup};
use std::fmt::Write;

/// Drawing size in SVG units; the page scales it to the screen's width.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
const PAD: f64 = 28.0;
/// Roads around the route are drawn this far beyond it.
pub const MARGIN_KM: f64 = 0.25;
/// Route colours by therapist, distinguishable and dark enough against the roads (WCAG 3:1 for graphics).
const COLOURS: [&str; 6] = ["#1f5fa8", "#b3401a", "#2e7d32", "#7b3fa0", "#8a6d00", "#00727a"];

/// One visit on the map, numbered in the order of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct MapStop {
    pub at: GeoPoint,
    /// What the visit's marker says to screen readers and on hover: "10:00 · 11 Main Street".
    pub label: String,
}

/// One therapist's day: where they start and end, and the stops between.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRoute {
    pub name: String,
    pub base: Option<GeoPoint>,
    pub stops: Vec<MapStop>,
}

impl MapRoute {
    fn points(&self) -> Vec<GeoPoint> {
        self.base.iter().chain(self.stops.iter().map(|s| &s.at)).chain(self.base.iter()).copied().collect()
    }
}

/// The part of the map the routes need (with a margin), or `None` when there is nothing to draw.
pub fn area(routes: &[MapRoute]) -> Option<Bounds> {
    Bounds::around(routes.iter().flat_map(MapRoute::points)).map(|b| b.grown_km(MARGIN_KM))
}

/// A link that opens directions to `at` in the phone's map app (`geo:` on Android and most others).
pub fn directions_link(at: GeoPoint) -> String {
    format!("geo:{lat:.6},{lon:.6}?q={lat:.6},{lon:.6}", lat = at.lat, lon = at.lon)
}

/// The same for Apple's Maps, which does not read `geo:` links.
pub fn apple_directions_link(at: GeoPoint) -> String {
    format!("https://maps.apple.com/?daddr={:.6},{:.6}", at.lat, at.lon)
}

/// Degrees to drawing units: a flat map at the area's middle latitude, fitted and centred.
struct Projection {
    west: f64,
    north: f64,
    /// Drawing units per degree of longitude and of latitude.
    x_scale: f64,
    y_scale: f64,
    x_offset: f64,
    y_offset: f64,
}

impl Projection {
    fn fit(b: &Bounds) -> Projection {
        let shrink = ((b.south + b.north) / 2.0).to_radians().cos().max(0.01);
        let span_x = ((b.east - b.west) * shrink).max(1e-6);
        let span_y = (b.north - b.south).max(1e-6);
        let unit = ((WIDTH - 2.0 * PAD) / span_x).min((HEIGHT - 2.0 * PAD) / span_y);
        Projection {
            west: b.west,
            north: b.north,
            x_scale: unit * shrink,
            y_scale: unit,
            x_offset: (WIDTH - span_x * unit) / 2.0,
            y_offset: (HEIGHT - span_y * unit) / 2.0,
        }
    }

    fn xy(&self, p: GeoPoint) -> (f64, f64) {
        (self.x_offset + (p.lon - self.west) * self.x_scale, self.y_offset + (self.north - p.lat) * self.y_scale)
    }

    fn path(&self, points: &[GeoPoint]) -> String {
        let mut d = String::new();
        for (i, p) in points.iter().enumerate() {
            let (x, y) = self.xy(*p);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" });
        }
        d
    }
}

/// A round length for the scale bar that takes up to a quarter of the map's width.
fn scale_length_km(km_per_unit: f64) -> f64 {
    let most = km_per_unit * WIDTH / 4.0;
    let steps = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0];
    steps.iter().rev().copied().find(|s| *s <= most).unwrap_or(steps[0])
}

fn scale_text(km: f64) -> String {
    if km < 1.0 {
        format!("{} m", (km * 1000.0).round())
    } else {
        format!("{km} km")
    }
}

/// The SVG of `routes` over `roads` (empty: a schematic grid). `title` names the map for screen readers.
pub fn day_map(title: &str, routes: &[MapRoute], roads: &[Road]) -> Markup {
    let Some(bounds) = area(routes) else {
        return html! {};
    };
    let proj = Projection::fit(&bounds);
    // Kilometres per drawing unit, measured along the middle of the map.
    let mid_lat = (bounds.south + bounds.north) / 2.0;
    let km_per_unit =
        local_km(GeoPoint { lat: mid_lat, lon: bounds.west }, GeoPoint { lat: mid_lat, lon: bounds.east })
            / ((bounds.east - bounds.west) * proj.x_scale).max(1e-9);
    let bar_km = scale_length_km(km_per_unit);
    let bar_units = bar_km / km_per_unit;
    let mut described = String::new();
    for r in routes {
        let _ = write!(described, "{}: {} visit(s). ", r.name, r.stops.len());
    }
    html! {
        figure.day-map {
            // A group, not an image: the visits' markers are links, and an image's parts are not reachable.
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="group" aria-labelledby="day-map-title day-map-desc"
                preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" {
                title #day-map-title { (title) }
                desc #day-map-desc { (described) }
                rect.map-ground x="0" y="0" width=(WIDTH) height=(HEIGHT) {}
                @if roads.is_empty() {
                    // No extract imported: a grid stands in for streets, so distances still read from the bar.
                    @for i in 1..8 { line.map-grid x1=(f64::from(i) * WIDTH / 8.0) y1="0" x2=(f64::from(i) * WIDTH / 8.0) y2=(HEIGHT) {} }
                    @for i in 1..6 { line.map-grid x1="0" y1=(f64::from(i) * HEIGHT / 6.0) x2=(WIDTH) y2=(f64::from(i) * HEIGHT / 6.0) {} }
                } @else {
                    @for kind in [RoadKind::Minor, RoadKind::Major] {
                        path class={ "map-road " (kind.as_str()) } d=(roads_path(&proj, roads, kind)) {}
                    }
                }
                @for (i, r) in routes.iter().enumerate() {
                    @let colour = COLOURS[i % COLOURS.len()];
                    path.map-route d=(proj.path(&r.points())) stroke=(colour) {}
                    @if let Some(base) = r.base {
                        @let (x, y) = proj.xy(base);
                        rect.map-base x=(format!("{:.1}", x - 7.0)) y=(format!("{:.1}", y - 7.0)) width="14" height="14" fill=(colour) {
                            title { (r.name) ": base" }
                        }
                    }
                    @for (n, stop) in r.stops.iter().enumerate() {
                        @let (x, y) = proj.xy(stop.at);
                        // The name starts with the number the marker shows, as a spoken name must.
                        a href=(directions_link(stop.at)) aria-label={ (n + 1) ". " (stop.label) ", " (r.name) ": directions" } {
                            circle.map-stop cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="11" fill=(colour) {}
                            text.map-stop-number x=(format!("{x:.1}")) y=(format!("{:.1}", y + 4.0)) text-anchor="middle" { (n + 1) }
                        }
                    }
                }
                g.map-scale transform={ "translate(" (PAD) "," (HEIGHT - PAD / 2.0) ")" } {
                    line x1="0" y1="0" x2=(format!("{bar_units:.1}")) y2="0" {}
                    line x1="0" y1="-5" x2="0" y2="0" {}
                    line x1=(format!("{bar_units:.1}")) y1="-5" x2=(format!("{bar_units:.1}")) y2="0" {}
                    text x=(format!("{:.1}", bar_units + 6.0)) y="4" { (scale_text(bar_km)) }
                }
            }
            figcaption {
                @if routes.len() > 1 {
                    ul.map-legend {
                        @for (i, r) in routes.iter().enumerate() {
                            // Classes, not a style attribute: the pages' policy forbids inline style.
                            li { span class={ "swatch swatch-" (i % COLOURS.len()) } {} " " (r.name) }
                        }
                    }
                }
                @if roads.is_empty() { "Straight lines between stops; import the area's map to draw its streets. " }
                "Map data © OpenStreetMap contributors."
            }
        }
    }
}

/// All roads of one kind as one path (one element, not thousands).
fn roads_path(proj: &Projection, roads: &[Road], kind: RoadKind) -> String {
    let mut d = String::new();
    for road in roads.iter().filter(|r| r.kind == kind && r.points.len() > 1) {
        d.push_str(&proj.path(&road.points));
        d.push(' ');
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    fn route() -> MapRoute {
        MapRoute {
            name: "Ada".into(),
            base: Some(at(60.170, 24.940)),
            stops: vec![
                MapStop { at: at(60.165, 24.935), label: "10:00 · 1 First Street".into() },
                MapStop { at: at(60.175, 24.950), label: "13:00 · 2 Second Street".into() },
            ],
        }
    }

    #[test]
    fn every_point_is_drawn_inside_the_picture() {
        let routes = [route()];
        let proj = Projection::fit(&area(&routes).unwrap());
        for p in routes[0].points() {
            let (x, y) = proj.xy(p);
            assert!((PAD..=WIDTH - PAD).contains(&x) && (PAD..=HEIGHT - PAD).contains(&y), "{p:?} at {x},{y}");
        }
    }

    #[test]
    fn the_route_goes_from_base_through_the_stops_and_home() {
        let points = route().points();
        assert_eq!(points.len(), 4);
        assert_eq!(points.first(), points.last());
    }

    #[test]
    fn a_map_links_each_stop_to_directions_and_says_when_it_has_no_roads() {
        let svg = day_map("Ada's day", &[route()], &[]).into_string();
        assert_eq!(svg.matches("href=\"geo:").count(), 2);
        assert!(svg.contains("Straight lines between stops"));
        let road = Road { kind: RoadKind::Major, points: vec![at(60.168, 24.930), at(60.172, 24.955)] };
        let svg = day_map("Ada's day", &[route()], &[road]).into_string();
        assert!(svg.contains("map-road major") && !svg.contains("Straight lines between stops"));
        assert_eq!(day_map("Nothing", &[], &[]).into_string(), "");
    }

    #[test]
    fn the_scale_bar_is_a_round_length() {
        assert_eq!(scale_length_km(0.01), 1.0);
        assert_eq!(scale_text(0.5), "500 m");
        assert_eq!(scale_text(2.0), "2 km");
    }
}
