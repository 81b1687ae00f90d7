//! `knead places import`: the Helsinki test extract into a fresh SQLite database, imported again (replacing
//! the set), cut to the practice's service area, and files that are not extracts (which change nothing).

use crate::support::*;
use knead_core::calendar::{PracticeSettingsInput, ServiceArea};
use knead_core::places::Address;
use knead_store::{PlaceStore, SchedulingStore};
use knead_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::process::Output;

fn test_extract() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/osm/helsinki-centre.osm.pbf");
    path.to_str().unwrap().to_string()
}

fn import(db: &TempDb, file: &str, extra: &[&str]) -> Output {
    let mut args = vec!["places", "import", file, "--database-url", &db.url];
    args.extend_from_slice(extra);
    run(&args, "")
}

/// `kept N addresses and M roads (...)`: N and M.
fn kept(out: &Output) -> (usize, usize) {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("kept ")).unwrap_or_else(|| panic!("no count in {stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!((words[2], words[5]), ("addresses", "roads"), "{line}");
    (words[1].parse().unwrap(), words[4].parse().unwrap())
}

fn failed(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure: {}", text(&out.stdout));
    text(&out.stderr)
}

async fn stored(db: &TempDb) -> (i64, Vec<Address>) {
    let store = SqliteStore::connect(&db.url).await.unwrap();
    store.all_addresses().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extract_is_imported_replaced_and_left_alone_by_a_bad_file() {
    let db = TempDb::new();
    let out = import(&db, &test_extract(), &["--whole-extract"]);
    let (addresses, roads) = kept(&out);
    assert!(text(&out.stdout).contains("(the whole extract)"), "{}", text(&out.stdout));
    // The file has 1,445 address-tagged nodes and ways (shops repeat their building's address) on 600 distinct
    // doors; one point per address lands between 600 and the 740 distinct street, number and postcode.
    assert!((600..=740).contains(&addresses), "{addresses} addresses");
    assert!(roads > 500, "{roads} roads");
    let (generation, stored_first) = stored(&db).await;
    assert_eq!((generation, stored_first.len()), (1, addresses));
    let yrjonkatu: Vec<&str> =
        stored_first.iter().filter(|a| a.street == "Yrjönkatu").map(|a| a.number.as_str()).collect();
    for number in ["5", "11", "21a", "26", "36 A"] {
        assert!(yrjonkatu.contains(&number), "Yrjönkatu {number} is missing: {yrjonkatu:?}");
    }
    let twenty_six = stored_first.iter().find(|a| a.street == "Yrjönkatu" && a.number == "26").unwrap();
    assert_eq!(twenty_six.label(), "26 Yrjönkatu, 00100 Helsinki");

    // Importing again replaces the set: the same addresses, a new generation.
    assert_eq!(kept(&import(&db, &test_extract(), &["--whole-extract"])), (addresses, roads));
    let (generation, stored_again) = stored(&db).await;
    assert_eq!(generation, 2);
    assert_eq!(stored_again, stored_first);

    // A cut-short download, a text file and a missing file each fail with a clear message, changing nothing.
    let bytes = std::fs::read(test_extract()).unwrap();
    let cut = db.dir.path().join("cut.osm.pbf");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = failed(&import(&db, cut.to_str().unwrap(), &["--whole-extract"]));
    assert!(err.contains("the extract is damaged") && err.contains("nothing was changed"), "{err}");
    let notes = db.dir.path().join("notes.osm.pbf");
    std::fs::write(&notes, "Remember to download the extract.\n").unwrap();
    let err = failed(&import(&db, notes.to_str().unwrap(), &["--whole-extract"]));
    assert!(err.contains("not an OpenStreetMap PBF extract"), "{err}");
    let missing = db.dir.path().join("missing.osm.pbf");
    let err = failed(&import(&db, missing.to_str().unwrap(), &["--whole-extract"]));
    assert!(err.contains("cannot read the extract") && err.contains("missing.osm.pbf"), "{err}");
    assert_eq!(stored(&db).await, (2, stored_first));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_service_area_is_kept_and_an_area_with_nothing_in_it_says_how_to_move_it() {
    let db = TempDb::new();
    // The default service area is Toronto's: nothing in Helsinki is inside it.
    let err = failed(&import(&db, &test_extract(), &[]));
    assert!(err.contains("none of the extract's") && err.contains("within 30 km of 43.65320, -79.38320"), "{err}");
    assert!(err.contains("/manage/settings") && err.contains("--whole-extract"), "{err}");
    assert_eq!(stored(&db).await, (0, vec![]));

    let (whole, _) = kept(&import(&db, &test_extract(), &["--whole-extract"]));
    let area = ServiceArea { lat: 60.1699, lon: 24.9384, radius_km: 0.5 };
    let settings = PracticeSettingsInput { service_area: area, ..Default::default() }.validate().unwrap();
    let store = SqliteStore::connect(&db.url).await.unwrap();
    store.save_practice_settings(&settings).await.unwrap();

    let out = import(&db, &test_extract(), &[]);
    let (inside, roads) = kept(&out);
    let stdout = text(&out.stdout);
    let outside = whole - inside;
    assert!(inside > 0 && outside > 0, "{stdout}");
    assert!(stdout.contains(&format!("({outside} outside the service area)")), "{stdout}");
    assert!(roads > 0);
    let (generation, addresses) = store.all_addresses().await.unwrap();
    assert_eq!((generation, addresses.len()), (2, inside));
    assert!(addresses.iter().all(|a| area.contains(a.at)));
}

#[test]
fn places_import_has_help() {
    let out = run(&["places", "import", "--help"], "");
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(help.contains("--whole-extract") && help.contains("--database-url"), "{help}");
}
