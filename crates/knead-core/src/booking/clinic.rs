//! Clinics and their rooms: what a manager submits (`ClinicInput`, for a new clinic or to replace one),
//! what the store is told to write (`ClinicDraft`) and what it keeps (`Clinic`). A clinic visit needs one
//! of the clinic's rooms free; an archived clinic takes no new bookings, and the bookings made before keep it.

use crate::geo::GeoPoint;
use crate::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomId(pub i64);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: RoomId,
    pub name: String,
}

/// A clinic location with its rooms in the order they were added; a clinic visit needs one of them free.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clinic {
    pub id: ClinicId,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub rooms: Vec<Room>,
    /// Archived: no longer offered to clients and takes no new bookings; bookings made before keep it.
    pub archived: bool,
}

impl Clinic {
    pub fn at(&self) -> GeoPoint {
        GeoPoint { lat: self.lat, lon: self.lon }
    }
}

/// One room of a clinic as submitted: a new room by its name, or a room written out with its `id` when it
/// is one the clinic has (renamed when the name differs; without an id it is new). A room the clinic has
/// that the list leaves out is removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum RoomInput {
    Name(String),
    Room(RoomRef),
}

/// Read by hand rather than untagged, so a room written out with a field it does not take is refused naming
/// that field (`rooms[0].colour`), not as "no variant matched".
impl<'de> Deserialize<'de> for RoomInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RoomInput, D::Error> {
        struct Room;
        impl<'de> serde::de::Visitor<'de> for Room {
            type Value = RoomInput;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a room's name, or a room with its `name` and optional `id`")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RoomInput, E> {
                Ok(RoomInput::Name(name.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RoomInput, A::Error> {
                RoomRef::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(RoomInput::Room)
            }
        }
        d.deserialize_any(Room)
    }
}

/// A room written out: the clinic's room `id` keeps that room (and its bookings) under `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoomRef {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
}

impl From<&str> for RoomInput {
    fn from(name: &str) -> RoomInput {
        RoomInput::Name(name.to_string())
    }
}

/// A clinic as a manager submits it, new or replacing one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClinicInput {
    pub name: String,
    /// Where clients come to; shown with every clinic visit.
    #[serde(default)]
    pub address: String,
    /// The clinic's point, for programs that have it (both or neither); without them the address is looked
    /// up, and an unchanged address keeps the point it has.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// At least one room.
    pub rooms: Vec<RoomInput>,
}

/// A room to write: one the clinic has (`id`) or a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomDraft {
    pub id: Option<RoomId>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClinicDraft {
    pub name: String,
    pub address: String,
    pub at: GeoPoint,
    pub rooms: Vec<RoomDraft>,
}

impl ClinicInput {
    pub const MAX_NAME: usize = 120;
    pub const MAX_ADDRESS: usize = 300;
    pub const MAX_ROOMS: usize = 50;
    pub const MAX_ROOM_NAME: usize = 80;

    /// The point given with the clinic: both `lat` and `lon`, or neither (`None`: look the address up).
    pub fn given_point(&self) -> Result<Option<GeoPoint>, FieldError> {
        let both = |field| {
            FieldError::new("required", field, "give lat and lon together, or neither to have the address looked up")
        };
        match (self.lat, self.lon) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => GeoPoint::parse(lat, lon).map(Some),
            (None, Some(_)) => Err(both("lat")),
            (Some(_), None) => Err(both("lon")),
        }
    }

    /// Checks a clinic whose point is given with it, as the demo and programs with coordinates send it.
    pub fn validate(&self) -> Result<ClinicDraft, ValidationErrors> {
        let at = self
            .given_point()
            .and_then(|given| given.ok_or_else(|| FieldError::new("required", "lat", "give the clinic's lat and lon")));
        self.validate_at(at)
    }

    /// Checks every field, with `at` the clinic's point (given, or where its address was found) or why it is
    /// not known; every problem is named at once.
    pub fn validate_at(&self, at: Result<GeoPoint, FieldError>) -> Result<ClinicDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.text("name", &self.name, 1, Self::MAX_NAME);
        if name.contains(['\n', '\r']) {
            e.push(FieldError::new("invalid", "name", "must be on one line"));
        }
        let address = e.text("address", &self.address, 1, Self::MAX_ADDRESS);
        let at = match at {
            Ok(at) => Some(at),
            // An address that is missing is said once, not also as one that cannot be found.
            Err(why) if e.for_field(&why.field).is_some() => None,
            Err(why) => e.take(Err(why)),
        };
        let rooms = self.validate_rooms(&mut e);
        e.finish(|| Some(ClinicDraft { name, address, at: at?, rooms }))
    }

    fn validate_rooms(&self, e: &mut ValidationErrors) -> Vec<RoomDraft> {
        if self.rooms.is_empty() {
            e.push(FieldError::new("required", "rooms", "must name at least one room"));
            return Vec::new();
        }
        if self.rooms.len() > Self::MAX_ROOMS {
            e.push(FieldError::new(
                "too_many",
                "rooms",
                format!("must have at most {} rooms (got {})", Self::MAX_ROOMS, self.rooms.len()),
            ));
            return Vec::new();
        }
        let mut drafts: Vec<RoomDraft> = Vec::with_capacity(self.rooms.len());
        for (i, room) in self.rooms.iter().enumerate() {
            let (id, typed, field) = match room {
                RoomInput::Name(name) => (None, name, format!("rooms[{i}]")),
                RoomInput::Room(r) => (r.id.map(RoomId), &r.name, format!("rooms[{i}].name")),
            };
            let name = e.text(&field, typed, 1, Self::MAX_ROOM_NAME);
            // Case apart, two rooms of one name could not be told apart by a client or a therapist.
            let lower = name.to_lowercase();
            if !name.is_empty() && drafts.iter().any(|d| d.name.to_lowercase() == lower) {
                e.push(FieldError::new(
                    "duplicate",
                    field,
                    "is the name of another room in the list; give each room its own name",
                ));
            }
            if id.is_some() && drafts.iter().any(|d| d.id == id) {
                e.push(FieldError::new("duplicate", format!("rooms[{i}].id"), "names a room already in the list"));
            }
            drafts.push(RoomDraft { id, name });
        }
        drafts
    }
}

impl ClinicDraft {
    /// The first room given by id, which a new clinic cannot have: `rooms[i].id` is refused.
    pub fn check_new(&self) -> Result<(), FieldError> {
        match self.rooms.iter().position(|r| r.id.is_some()) {
            None => Ok(()),
            Some(i) => Err(FieldError::new(
                "invalid",
                format!("rooms[{i}].id"),
                "a new clinic has no rooms yet: give its rooms by name only",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rooms: &[&str]) -> ClinicInput {
        ClinicInput {
            name: "Queen West Clinic".into(),
            address: "700 Queen St W, Toronto".into(),
            lat: Some(43.6465),
            lon: Some(-79.4110),
            rooms: rooms.iter().map(|r| RoomInput::from(*r)).collect(),
        }
    }

    fn fields(result: Result<ClinicDraft, ValidationErrors>) -> Vec<(&'static str, String)> {
        result.unwrap_err().0.into_iter().map(|e| (e.code, e.field)).collect()
    }

    #[test]
    fn a_clinic_with_its_point_and_rooms_is_a_draft() {
        let draft = input(&[" Room 1 ", "Room 2"]).validate().unwrap();
        assert_eq!(draft.at, GeoPoint { lat: 43.6465, lon: -79.4110 });
        assert_eq!(
            draft.rooms,
            [RoomDraft { id: None, name: "Room 1".into() }, RoomDraft { id: None, name: "Room 2".into() }]
        );
        assert_eq!(draft.check_new(), Ok(()));
    }

    #[test]
    fn rooms_are_names_or_written_out_with_their_ids() {
        let body = serde_json::json!({
            "name": "Annex", "address": "1 Side St", "rooms": ["New room", {"id": 4, "name": "Blue room"}, {"name": "Also new"}]
        });
        let input: ClinicInput = serde_json::from_value(body).unwrap();
        let draft = input.validate_at(Ok(GeoPoint { lat: 43.6, lon: -79.4 })).unwrap();
        let rooms: Vec<_> = draft.rooms.iter().map(|r| (r.id, r.name.as_str())).collect();
        assert_eq!(rooms, [(None, "New room"), (Some(RoomId(4)), "Blue room"), (None, "Also new")]);
        assert_eq!(draft.check_new().unwrap_err().field, "rooms[1].id", "a new clinic has no rooms to keep");
        let unknown = serde_json::json!({"name": "A", "address": "B", "rooms": [{"id": 1, "name": "R", "floor": 2}]});
        assert!(serde_json::from_value::<ClinicInput>(unknown).is_err(), "an unknown field in a room is refused");
    }

    #[test]
    fn a_point_is_given_whole_or_looked_up() {
        assert_eq!(ClinicInput { lat: None, lon: None, ..input(&["R"]) }.given_point(), Ok(None));
        let half = ClinicInput { lat: None, ..input(&["R"]) };
        assert_eq!(half.given_point().unwrap_err().field, "lat");
        assert_eq!(fields(half.validate()), [("required", "lat".to_string())]);
        let other_half = ClinicInput { lon: None, ..input(&["R"]) };
        assert_eq!(other_half.given_point().unwrap_err().field, "lon");
        let off_the_map = ClinicInput { lat: Some(91.0), ..input(&["R"]) };
        assert_eq!(fields(off_the_map.validate()), [("out_of_range", "lat".to_string())]);
        let neither = ClinicInput { lat: None, lon: None, ..input(&["R"]) };
        assert_eq!(fields(neither.validate()), [("required", "lat".to_string())], "validate needs the point given");
        let not_found = FieldError::new("address_not_found", "address", "no such address");
        assert_eq!(fields(neither.validate_at(Err(not_found.clone()))), [("address_not_found", "address".to_string())]);
        let blank = ClinicInput { address: " ".into(), ..neither };
        assert_eq!(fields(blank.validate_at(Err(not_found))), [("required", "address".to_string())], "said once");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ClinicInput { name: "".into(), address: "x".repeat(301), ..input(&["Room 1", " ", "room 1"]) };
        assert_eq!(
            fields(bad.validate()),
            [
                ("required", "name".to_string()),
                ("too_long", "address".into()),
                ("required", "rooms[1]".into()),
                ("duplicate", "rooms[2]".into())
            ]
        );
        assert_eq!(fields(input(&[]).validate()), [("required", "rooms".to_string())]);
        let many: Vec<String> = (0..51).map(|i| format!("Room {i}")).collect();
        let many = ClinicInput { rooms: many.iter().map(|r| RoomInput::from(r.as_str())).collect(), ..input(&[]) };
        assert_eq!(fields(many.validate()), [("too_many", "rooms".to_string())]);
        let twice = ClinicInput {
            rooms: vec![
                RoomInput::Room(RoomRef { id: Some(3), name: "Blue".into() }),
                RoomInput::Room(RoomRef { id: Some(3), name: "Green".into() }),
                RoomInput::Room(RoomRef { id: None, name: "x".repeat(81) }),
            ],
            ..input(&[])
        };
        assert_eq!(
            fields(twice.validate()),
            [("duplicate", "rooms[1].id".to_string()), ("too_long", "rooms[2].name".into())]
        );
        let two_lines = ClinicInput { name: "Queen\nWest".into(), ..input(&["R"]) };
        assert_eq!(fields(two_lines.validate()), [("invalid", "name".to_string())]);
    }
}
