//! The catalog: services the practice sells (with add-ons) and the therapists who give them.

use crate::slug::Slug;
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TherapistId(pub i64);

/// Where a service is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// At the client's home or office.
    Mobile,
    /// At one of the practice's clinics.
    Clinic,
    /// Either, as the client chooses.
    Both,
}

impl Place {
    pub const ALL: [Place; 3] = [Place::Mobile, Place::Clinic, Place::Both];

    pub fn as_str(self) -> &'static str {
        match self {
            Place::Mobile => "mobile",
            Place::Clinic => "clinic",
            Place::Both => "both",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Place::Mobile => "At your home or office",
            Place::Clinic => "At the clinic",
            Place::Both => "At home, office or clinic",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Place, FieldError> {
        Place::ALL
            .into_iter()
            .find(|p| p.as_str() == text.trim())
            .ok_or_else(|| FieldError::new("invalid", field, "must be one of: mobile, clinic, both"))
    }
}

/// How many people a booking of the service serves, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One client, one therapist.
    Individual,
    /// Two clients side by side, two therapists at the same place and time.
    Couples,
    /// Short chair massages at a workplace, in a block of slots.
    Chair,
    /// A group of guests with several therapists.
    Party,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Individual, Kind::Couples, Kind::Chair, Kind::Party];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Individual => "individual",
            Kind::Couples => "couples",
            Kind::Chair => "chair",
            Kind::Party => "party",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Individual => "Individual",
            Kind::Couples => "Couples",
            Kind::Chair => "Office chair massage",
            Kind::Party => "Spa party",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Kind, FieldError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| FieldError::new("invalid", field, "must be one of: individual, couples, chair, party"))
    }
}

/// An optional extra sold with a service (aromatherapy oil, a face mask...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddOn {
    pub name: String,
    /// Whole cents, 0 or more.
    pub price_cents: i64,
    /// Minutes the add-on adds to the visit.
    pub extra_minutes: i64,
}

/// An add-on as submitted; checked by `ServiceInput::validate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddOnInput {
    pub name: String,
    pub price_cents: i64,
    #[serde(default)]
    pub extra_minutes: i64,
}

/// A service as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub id: ServiceId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub duration_minutes: i64,
    pub price_cents: i64,
    pub modality: String,
    pub place: Place,
    pub kind: Kind,
    /// Minutes to set up before and pack up after the visit.
    pub buffer_minutes: i64,
    pub add_ons: Vec<AddOn>,
    pub archived: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// A service as submitted by a manager (API body or form), before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// Derived from the name when absent.
    #[serde(default)]
    pub slug: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub duration_minutes: i64,
    pub price_cents: i64,
    #[serde(default)]
    pub modality: String,
    pub place: Place,
    pub kind: Kind,
    #[serde(default)]
    pub buffer_minutes: i64,
    #[serde(default)]
    pub add_ons: Vec<AddOnInput>,
}

/// A validated service, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDraft {
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub duration_minutes: i64,
    pub price_cents: i64,
    pub modality: String,
    pub place: Place,
    pub kind: Kind,
    pub buffer_minutes: i64,
    pub add_ons: Vec<AddOn>,
}

impl ServiceInput {
    pub const MAX_ADD_ONS: usize = 20;
    pub const MAX_PRICE_CENTS: i64 = 10_000_000;

    pub fn validate(&self) -> Result<ServiceDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.text("name", &self.name, 1, 120);
        let slug = Slug::given_or_derived(&mut e, self.slug.as_deref(), &name);
        let description = e.text("description", &self.description, 0, 4000);
        let duration_minutes = e.range("duration_minutes", self.duration_minutes, 5, 600, " minutes");
        let price_cents = e.range("price_cents", self.price_cents, 0, Self::MAX_PRICE_CENTS, " cents");
        let modality = e.text("modality", &self.modality, 0, 80);
        let buffer_minutes = e.range("buffer_minutes", self.buffer_minutes, 0, 240, " minutes");
        if self.add_ons.len() > Self::MAX_ADD_ONS {
            e.push(FieldError::new(
                "too_many",
                "add_ons",
                format!("must have at most {} entries (got {})", Self::MAX_ADD_ONS, self.add_ons.len()),
            ));
        }
        let mut add_ons = Vec::new();
        for (i, a) in self.add_ons.iter().take(Self::MAX_ADD_ONS).enumerate() {
            let name = e.text(&format!("add_ons[{i}].name"), &a.name, 1, 80);
            let price_cents =
                e.range(&format!("add_ons[{i}].price_cents"), a.price_cents, 0, Self::MAX_PRICE_CENTS, " cents");
            let extra_minutes = e.range(&format!("add_ons[{i}].extra_minutes"), a.extra_minutes, 0, 240, " minutes");
            add_ons.push(AddOn { name, price_cents, extra_minutes });
        }
        let (place, kind) = (self.place, self.kind);
        e.finish(|| {
            Some(ServiceDraft {
                slug,
                name,
                description,
                duration_minutes,
                price_cents,
                modality,
                place,
                kind,
                buffer_minutes,
                add_ons,
            })
        })
    }
}

impl Service {
    /// The service as booked with the add-ons named in `names`: their minutes and prices added. An unknown
    /// name is an error naming `field` and the add-ons there are.
    pub fn with_add_ons(&self, field: &str, names: &[String]) -> Result<Service, crate::FieldError> {
        let mut booked = self.clone();
        for name in names {
            let Some(add_on) = self.add_ons.iter().find(|a| a.name.eq_ignore_ascii_case(name.trim())) else {
                let offered: Vec<&str> = self.add_ons.iter().map(|a| a.name.as_str()).collect();
                let detail = if offered.is_empty() {
                    "this service has no add-ons".to_string()
                } else {
                    format!("\"{name}\" is not an add-on of this service; it has: {}", offered.join(", "))
                };
                return Err(crate::FieldError::new("unknown", field, detail));
            };
            booked.duration_minutes += add_on.extra_minutes;
            booked.price_cents += add_on.price_cents;
        }
        Ok(booked)
    }

    /// Whether a client books it alone online: individual and couples visits are; chair days and spa
    /// parties are planned with the practice.
    pub fn bookable_online(&self) -> bool {
        !self.archived && matches!(self.kind, Kind::Individual | Kind::Couples)
    }

    /// Therapists needed at once: two for a couples massage, one otherwise (groups are staffed per event).
    pub fn therapists_needed(&self) -> usize {
        match self.kind {
            Kind::Couples => 2,
            _ => 1,
        }
    }
}

/// A therapist's gender as they state it on their profile; clients who feel more at ease with a woman or a man
/// can ask for one. Optional on the profile: a therapist who leaves it blank is never picked for such a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    NonBinary,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::NonBinary];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::NonBinary => "non_binary",
        }
    }

    /// How a client's choice reads: "a woman", "a man", "a non-binary therapist".
    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "a woman",
            Gender::Male => "a man",
            Gender::NonBinary => "a non-binary therapist",
        }
    }

    pub fn parse(text: &str) -> Option<Gender> {
        Gender::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// `text` as a gender, or an error naming `field` and the values allowed; blank is `None`.
    pub fn parse_field(field: &str, text: Option<&str>) -> Result<Option<Gender>, FieldError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => Gender::parse(t)
                .map(Some)
                .ok_or_else(|| FieldError::new("invalid", field, "must be female, male or non_binary (or left out)")),
        }
    }

    /// Whether a therapist of `therapist` gender meets a client's `preference` (none: anyone does).
    pub fn meets(preference: Option<Gender>, therapist: Option<Gender>) -> bool {
        preference.is_none_or(|wanted| therapist == Some(wanted))
    }
}

/// A therapist's public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Therapist {
    pub id: TherapistId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub slug: Slug,
    pub name: String,
    /// E.g. "RMT, Diploma in Massage Therapy".
    pub credentials: String,
    /// The regulator's registration number, shown on receipts; empty when not registered.
    pub registration_number: String,
    pub bio: String,
    pub modalities: Vec<String>,
    pub conditions: Vec<String>,
    pub languages: Vec<String>,
    /// As the therapist states it; null when not stated.
    pub gender: Option<Gender>,
    pub archived: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// A therapist profile as submitted, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TherapistInput {
    #[serde(default)]
    pub slug: Option<String>,
    pub name: String,
    #[serde(default)]
    pub credentials: String,
    #[serde(default)]
    pub registration_number: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub modalities: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// `female`, `male` or `non_binary`, for clients who ask for a woman or a man; left out, the therapist
    /// is not matched to such requests.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Gender>))]
    pub gender: Option<String>,
}

/// A validated therapist profile, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TherapistDraft {
    pub slug: Slug,
    pub name: String,
    pub credentials: String,
    pub registration_number: String,
    pub bio: String,
    pub modalities: Vec<String>,
    pub conditions: Vec<String>,
    pub languages: Vec<String>,
    pub gender: Option<Gender>,
}

impl TherapistInput {
    pub fn validate(&self) -> Result<TherapistDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.text("name", &self.name, 1, 120);
        let slug = Slug::given_or_derived(&mut e, self.slug.as_deref(), &name);
        let credentials = e.text("credentials", &self.credentials, 0, 200);
        let registration_number = e.text("registration_number", &self.registration_number, 0, 40);
        let bio = e.text("bio", &self.bio, 0, 4000);
        let modalities = e.labels("modalities", &self.modalities, 30, 80);
        let conditions = e.labels("conditions", &self.conditions, 30, 80);
        let languages = e.labels("languages", &self.languages, 30, 80);
        let gender = e.take(Gender::parse_field("gender", self.gender.as_deref()));
        e.finish(|| {
            Some(TherapistDraft {
                slug,
                name,
                credentials,
                registration_number,
                bio,
                modalities,
                conditions,
                languages,
                gender: gender?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ServiceInput {
        ServiceInput {
            slug: None,
            name: "Massage with oil at home".into(),
            description: "Relaxing.".into(),
            duration_minutes: 60,
            price_cents: 12000,
            modality: "Swedish".into(),
            place: Place::Mobile,
            kind: Kind::Individual,
            buffer_minutes: 15,
            add_ons: vec![AddOnInput { name: "Aromatherapy oil".into(), price_cents: 1500, extra_minutes: 0 }],
        }
    }

    #[test]
    fn a_valid_service_gets_a_slug_from_its_name() {
        let d = input().validate().unwrap();
        assert_eq!(d.slug.as_str(), "massage-with-oil-at-home");
        assert_eq!(d.add_ons.len(), 1);
    }

    #[test]
    fn a_negative_price_is_refused_naming_the_field() {
        let mut i = input();
        i.price_cents = -1;
        i.add_ons[0].price_cents = -5;
        let errs = i.validate().unwrap_err();
        assert!(errs.for_field("price_cents").unwrap().contains("between 0"));
        assert!(errs.for_field("add_ons[0].price_cents").is_some());
    }

    #[test]
    fn over_long_names_are_refused() {
        let mut i = input();
        i.name = "x".repeat(121);
        let errs = i.validate().unwrap_err();
        assert_eq!(errs.0[0].code, "too_long");
        assert_eq!(errs.0[0].field, "name");
    }

    #[test]
    fn therapist_labels_are_trimmed_and_deduplicated() {
        let t = TherapistInput {
            name: "Mara Quill".into(),
            modalities: vec![" Swedish massage ".into(), "swedish massage".into(), "Myofascial release".into()],
            ..Default::default()
        };
        assert_eq!(t.validate().unwrap().modalities, ["Swedish massage", "Myofascial release"]);
    }

    #[test]
    fn a_stated_gender_is_one_of_three_and_a_preference_only_meets_its_own() {
        let stated = |g: &str| TherapistInput { name: "Nia".into(), gender: Some(g.into()), ..Default::default() };
        assert_eq!(stated("male").validate().unwrap().gender, Some(Gender::Male));
        assert_eq!(stated(" ").validate().unwrap().gender, None, "blank is not stated");
        let e = stated("woman").validate().unwrap_err();
        assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("invalid", "gender"));
        assert!(e.0[0].detail.contains("female, male or non_binary"), "{}", e.0[0].detail);
        assert!(Gender::meets(None, None), "no preference: anyone");
        assert!(Gender::meets(Some(Gender::Female), Some(Gender::Female)));
        assert!(!Gender::meets(Some(Gender::Female), Some(Gender::Male)));
        assert!(!Gender::meets(Some(Gender::Female), None), "not stated never meets a preference");
        for g in Gender::ALL {
            assert_eq!(Gender::parse(g.as_str()), Some(g));
        }
    }
}
