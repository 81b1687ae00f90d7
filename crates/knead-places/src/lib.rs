//! knead's adapters to the map, each behind a port the application defines:
//!
//! - [`extract`]: reads an OpenStreetMap extract (`.osm.pbf`) into the addresses and roads inside the
//!   practice's service area (`knead places import`).
//! - [`osrm`]: road travel times from an OSRM server's `/table` service.
//! - [`nominatim`]: a Nominatim-compatible geocoder, for a practice that sets `geocoder_url`.

pub mod extract;
pub mod nominatim;
pub mod osrm;
