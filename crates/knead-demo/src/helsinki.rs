//! Where the demo practice is: central Helsinki, inside the OpenStreetMap extract the demo imports — its zone,
//! service area and settings, the clinic at a real street number, each therapist's base and working week, and the
//! practice's contact details.

use knead_core::booking::ClinicInput;
use knead_core::calendar::{Locale, PracticeSettings, PracticeSettingsInput, ServiceArea, TimeFormat};
use knead_core::geo::GeoPoint;
use knead_core::places::Bounds;

/// The box the demo's OpenStreetMap extract of central Helsinki covers; the clinic and every base lie inside it.
pub const EXTRACT_BOUNDS: Bounds = Bounds { south: 60.164, west: 24.935, north: 60.179, east: 24.953 };

/// The demo practice's time zone.
pub const TIME_ZONE: &str = "Europe/Helsinki";

/// Where the demo practice makes home visits: 15 km around central Helsinki, which takes in the whole city and its
/// nearest neighbours (Espoo, Vantaa) while the imported extract covers only the centre.
pub const SERVICE_AREA: ServiceArea = ServiceArea { lat: 60.1715, lon: 24.944, radius_km: 15.0 };

/// The demo's booking settings: Helsinki's zone and the service area above, times on a 24-hour clock and dates
/// day first ("Tuesday 1 December 2026"), as people in Helsinki write them; the rest are the product's defaults.
pub fn settings() -> PracticeSettings {
    let input = PracticeSettingsInput {
        time_zone: TIME_ZONE.into(),
        service_area: SERVICE_AREA,
        time_format: TimeFormat::H24,
        locale: Locale::EnGb,
        ..PracticeSettingsInput::default()
    };
    input.validate().expect("the demo practice's settings are valid")
}

/// The clinic's street address as the address index labels it (number first), so a search finds it as written.
pub const CLINIC_ADDRESS: &str = "30 Korkeavuorenkatu, Helsinki";
/// The clinic's point: the extract's address point for Korkeavuorenkatu 30.
pub const CLINIC_AT: GeoPoint = GeoPoint { lat: 60.1660209, lon: 24.9456685 };

/// The demo clinic: two treatment rooms a block south of the Esplanadi park. The street number is real; the clinic
/// is not.
pub fn clinic() -> ClinicInput {
    ClinicInput {
        name: "Korkeavuori Clinic".into(),
        address: CLINIC_ADDRESS.into(),
        lat: Some(CLINIC_AT.lat),
        lon: Some(CLINIC_AT.lon),
        rooms: vec!["Room 1".into(), "Room 2".into()],
    }
}

/// Where each demo therapist starts their day, how far they travel, and when they work.
/// `clinic` and `mobile` say which kinds of service they give. Bases are street corners, never anyone's home.
pub(crate) struct Rota {
    pub(crate) slug: &'static str,
    pub(crate) base: GeoPoint,
    pub(crate) radius_km: f64,
    pub(crate) weekdays: &'static [i8],
    pub(crate) hours: (&'static str, &'static str),
    pub(crate) clinic: bool,
    pub(crate) mobile: bool,
}

pub(crate) const ROTAS: [Rota; 4] = [
    Rota {
        slug: "mara-quill",
        // Korkeavuorenkatu at Ludviginkatu, by the clinic.
        base: GeoPoint { lat: 60.1658, lon: 24.9459 },
        radius_km: 15.0,
        weekdays: &[1, 2, 3, 4, 5],
        hours: ("09:00", "17:00"),
        clinic: true,
        mobile: false,
    },
    Rota {
        slug: "ines-carvalho",
        // Liisankatu at Unioninkatu, Kruununhaka.
        base: GeoPoint { lat: 60.1740, lon: 24.9504 },
        radius_km: 25.0,
        weekdays: &[2, 3, 4, 5, 6, 7],
        hours: ("10:00", "18:00"),
        clinic: true,
        mobile: true,
    },
    Rota {
        slug: "liza-manalo",
        // Annankatu at Eerikinkatu, Kamppi.
        base: GeoPoint { lat: 60.1675, lon: 24.9361 },
        radius_km: 25.0,
        weekdays: &[1, 2, 3, 4, 5, 6],
        hours: ("09:00", "17:00"),
        clinic: false,
        mobile: true,
    },
    Rota {
        slug: "theo-lambert",
        // Siltasaarenkatu at Hakaniemenranta, Hakaniemi.
        base: GeoPoint { lat: 60.1782, lon: 24.9500 },
        radius_km: 25.0,
        weekdays: &[1, 3, 4, 5, 6, 7],
        hours: ("11:00", "19:00"),
        clinic: false,
        mobile: true,
    },
];

/// Each demo therapist's slug and base, for tests and tools that place visits around them.
pub fn bases() -> Vec<(&'static str, GeoPoint)> {
    ROTAS.iter().map(|r| (r.slug, r.base)).collect()
}

/// The demo practice's contact details: a number from the range reserved for fiction, an email on `.test`.
pub fn practice_details() -> knead_core::practice::PracticeDetailsInput {
    knead_core::practice::PracticeDetailsInput {
        name: String::new(),
        phone: "+1 416-555-0100".into(),
        email: "hello@demo.knead.test".into(),
        address: CLINIC_ADDRESS.into(),
    }
}
