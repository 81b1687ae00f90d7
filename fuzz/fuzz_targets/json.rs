//! JSON bodies of the API, through its body parser into each input type knead reads. A malformed body is a
//! 400 (a key the type does not take, a 422 `unknown_field`) in our shape naming the field at fault; a well-formed one validates without a panic, and what
//! validation accepts holds only values in range.
#![no_main]

use knead_core::booking::{BookingInput, ClinicInput, Location};
use knead_core::calendar::{PracticeSettingsInput, ScheduleInput};
use knead_core::{ArticleInput, ServiceInput, TherapistInput};
use knead_web::fuzzing::parse_json;
use libfuzzer_sys::fuzz_target;

fn parsed<T: serde::de::DeserializeOwned>(data: &[u8]) -> Option<T> {
    parse_json::<T>(data).map_err(|e| knead_fuzz::assert_bad_request(&e)).ok()
}

fn on_the_earth(p: knead_core::GeoPoint) -> bool {
    (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)
}

fuzz_target!(|data: &[u8]| {
    if let Some(Ok(booking)) = parsed::<BookingInput>(data).map(|b| b.validate()) {
        if let Location::Point(p) = booking.place.location() {
            assert!(on_the_earth(p), "{p:?}");
        }
    }
    if let Some(Ok(schedule)) = parsed::<ScheduleInput>(data).map(|s| s.validate()) {
        assert!(on_the_earth(schedule.base));
        for w in &schedule.weekly {
            assert!((1..=7).contains(&w.weekday) && 0 <= w.start_minute && w.start_minute < w.end_minute);
            assert!(w.end_minute <= 24 * 60, "{w:?}");
        }
    }
    if let Some(Ok(clinic)) = parsed::<ClinicInput>(data).map(|c| c.validate()) {
        assert!(on_the_earth(clinic.at));
    }
    if let Some(Ok(settings)) = parsed::<PracticeSettingsInput>(data).map(|s| s.validate()) {
        assert!(on_the_earth(knead_core::GeoPoint { lat: settings.service_area.lat, lon: settings.service_area.lon }));
    }
    if let Some(Ok(service)) = parsed::<ServiceInput>(data).map(|s| s.validate()) {
        assert!((5..=600).contains(&service.duration_minutes), "{service:?}");
    }
    if let Some(input) = parsed::<ArticleInput>(data) {
        let _ = input.validate();
    }
    if let Some(input) = parsed::<TherapistInput>(data) {
        let _ = input.validate();
    }
});
