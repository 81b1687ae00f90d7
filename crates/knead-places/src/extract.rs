//! Reads an OpenStreetMap extract (`.osm.pbf`) into the addresses and the drivable roads a practice keeps.
//!
//! Addresses come from nodes and from ways (buildings, mostly) tagged with `addr:housenumber` and
//! `addr:street` (`addr:postcode` and `addr:city` when present). One address gets one point: an entrance
//! (`entrance=*`, the building's main one first) where the map has one, else the address node, else the
//! building's centroid. Addresses are the same when their street, number and postcode are, compared without
//! case or extra spaces. Multipolygon relations carrying an address (large buildings drawn as several rings)
//! are skipped: their members are ways whose own tags rarely hold the address.
//!
//! Roads are the drivable ways (motorway down to service roads and living streets, with their links), kept
//! when any of their points lies within 2 km of the box around the kept addresses, so a day's map has the
//! roads between its stops and none from the far end of a province.
//!
//! Memory grows with the extract's addresses and drivable ways, not with its nodes: the file is read twice.
//! The first pass keeps the tagged nodes (addresses and entrances) and the ways it wants, as node ids; the
//! second keeps the coordinates of exactly the nodes those ways name (and stops once it has them all). A
//! province's hundreds of millions of other nodes are never in memory at once.

mod merge;

use knead_core::places::{Address, Bounds, Road, RoadKind};
use knead_core::GeoPoint;
use merge::{centroid, merge, AddressTags, Candidate, Names, Source};
use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How far around the kept addresses roads are kept, in km.
pub const ROAD_MARGIN_KM: f64 = 2.0;

/// What an extract holds for the practice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extract {
    /// One per distinct address, in the order the extract first names them.
    pub addresses: Vec<Address>,
    pub roads: Vec<Road>,
    /// Distinct addresses the `keep` test refused (outside the service area).
    pub outside: usize,
}

/// Why an extract could not be read. Nothing is kept from an extract that fails part way.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    /// The first bytes are not a PBF file's header block (a text file, an XML `.osm` file, an empty file).
    #[error("not an OpenStreetMap PBF extract ({0}); download the `.osm.pbf` file of your region")]
    NotPbf(String),
    /// A block past the header could not be read: the file was cut short or is corrupted.
    #[error("the extract is damaged near byte {offset} ({detail}); it may have been cut short while downloading")]
    Damaged { offset: u64, detail: String },
    /// The header asks for a feature this reader does not have (e.g. a history file's `HistoricalInformation`).
    #[error("the extract needs the feature `{0}`, which knead cannot read; use a current (not history) extract")]
    Unsupported(String),
    #[error("reading the extract failed: {0}")]
    Io(#[source] io::Error),
}

/// Reads an extract from a stream. The stream is copied to an anonymous temporary file as it is read, for
/// the second pass; `progress` is told how many bytes have been read so far, over both passes (so twice the
/// extract's length in all, reached when it is done).
pub fn read_extract(
    reader: impl Read + Send,
    keep: &dyn Fn(GeoPoint) -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Extract, ExtractError> {
    let mut copy = tempfile::tempfile().map_err(ExtractError::Io)?;
    let mut tee = Tee { from: reader, to: io::BufWriter::new(&mut copy) };
    let scan = first_pass(&mut tee, progress)?;
    tee.to.flush().map_err(ExtractError::Io)?;
    drop(tee);
    copy.seek(SeekFrom::Start(0)).map_err(ExtractError::Io)?;
    finish(scan, BufReader::new(copy), keep, progress)
}

/// Reads the extract at `path`; `progress` as for [`read_extract`].
pub fn read_extract_file(
    path: &Path,
    keep: &dyn Fn(GeoPoint) -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Extract, ExtractError> {
    let open = || File::open(path).map_err(|source| ExtractError::Open { path: path.to_path_buf(), source });
    let scan = first_pass(BufReader::new(open()?), progress)?;
    finish(scan, BufReader::new(open()?), keep, progress)
}

/// The second pass, then the addresses merged and kept, and the roads near them.
fn finish(
    scan: Scan,
    second: impl Read + Send,
    keep: &dyn Fn(GeoPoint) -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Extract, ExtractError> {
    let length = scan.bytes;
    let mut nodes = NeededNodes::new(&scan.refs);
    if !nodes.is_complete() {
        let sorted = scan.sorted;
        read_blocks(second, length, progress, |block| {
            nodes.fill(block);
            // A sorted file has every node before its first way: once a block has ways, no node follows.
            let past_nodes = sorted && block.groups().any(|g| g.ways().len() > 0 || g.relations().len() > 0);
            !(nodes.is_complete() || past_nodes)
        })?;
    }
    progress(2 * length);
    Ok(scan.into_extract(&nodes, keep))
}

/// Passes everything it reads on to a writer as well: the stream's copy for the second pass.
struct Tee<R, W> {
    from: R,
    to: W,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.from.read(buf)?;
        self.to.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Counts the bytes a reader hands out, for progress; shared with the reading loop because the blob reader
/// owns the reader.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Header features this reader understands; any other required one makes the file unreadable here.
const UNDERSTOOD_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

/// Reads every data block in order, `on_block` returning whether to go on. `base` is added to the bytes
/// reported to `progress` (the first pass's length, during the second). Returns the bytes read and whether
/// the header says the file is sorted by type then id.
fn read_blocks(
    reader: impl Read + Send,
    base: u64,
    progress: &mut dyn FnMut(u64),
    mut on_block: impl FnMut(&PrimitiveBlock) -> bool,
) -> Result<(u64, bool), ExtractError> {
    let count = Arc::new(AtomicU64::new(0));
    let blobs = BlobReader::new(Counted { inner: reader, count: count.clone() });
    let mut sorted = false;
    let mut offset = 0;
    let mut stopped = false;
    for (index, blob) in blobs.enumerate() {
        let decoded = blob.and_then(|b| match b.decode()? {
            BlobDecode::OsmHeader(h) => Ok(Some(Block::Header(h))),
            BlobDecode::OsmData(d) => Ok(Some(Block::Data(d))),
            BlobDecode::Unknown(_) => Ok(None),
        });
        let block = match (index, decoded) {
            (0, Ok(Some(Block::Header(h)))) => {
                if let Some(f) = h.required_features().iter().find(|f| !UNDERSTOOD_FEATURES.contains(&f.as_str())) {
                    return Err(ExtractError::Unsupported(f.clone()));
                }
                sorted = h.optional_features().iter().any(|f| f == "Sort.Type_then_ID");
                None
            }
            (0, Ok(_)) => return Err(ExtractError::NotPbf("it does not start with a header block".into())),
            (0, Err(e)) => return Err(not_pbf(e)),
            (_, Ok(Some(Block::Data(d)))) => Some(d),
            (_, Ok(_)) => None,
            (_, Err(e)) => return Err(damaged(e, offset)),
        };
        offset = count.load(Ordering::Relaxed);
        progress(base + offset);
        if let Some(block) = block {
            if !on_block(&block) {
                stopped = true;
                break;
            }
        }
    }
    if count.load(Ordering::Relaxed) == 0 {
        return Err(ExtractError::NotPbf("the file is empty".into()));
    }
    if offset == 0 {
        // The blob reader ends quietly on a file shorter than a block's length prefix.
        return Err(ExtractError::NotPbf("it is shorter than one block".into()));
    }
    if !stopped && count.load(Ordering::Relaxed) > offset {
        // ... and on one cut inside the next block's length prefix.
        return Err(ExtractError::Damaged { offset, detail: "the file ends inside a block".into() });
    }
    Ok((offset, sorted))
}

enum Block {
    Header(Box<osmpbf::HeaderBlock>),
    Data(PrimitiveBlock),
}

fn io_error(e: &osmpbf::Error) -> Option<&io::Error> {
    match e.kind() {
        osmpbf::ErrorKind::Io(io) => Some(io),
        _ => None,
    }
}

fn not_pbf(e: osmpbf::Error) -> ExtractError {
    match io_error(&e) {
        Some(io) if io.kind() != io::ErrorKind::UnexpectedEof => ExtractError::Io(io::Error::new(io.kind(), e)),
        _ => ExtractError::NotPbf(describe(&e)),
    }
}

fn damaged(e: osmpbf::Error, offset: u64) -> ExtractError {
    match io_error(&e) {
        Some(io) if io.kind() != io::ErrorKind::UnexpectedEof => ExtractError::Io(io::Error::new(io.kind(), e)),
        _ => ExtractError::Damaged { offset, detail: describe(&e) },
    }
}

/// The reader's error in a few words, without the protobuf decoder's internals.
fn describe(e: &osmpbf::Error) -> String {
    use osmpbf::{BlobError, ErrorKind};
    match e.kind() {
        ErrorKind::Blob(BlobError::HeaderTooBig { .. }) => "a block header longer than the format allows".into(),
        ErrorKind::Blob(BlobError::MessageTooBig { .. }) => "a block longer than the format allows".into(),
        ErrorKind::Blob(BlobError::Empty) => "a block with no data, or compressed in a way knead cannot read".into(),
        ErrorKind::Blob(_) => "an unreadable block header".into(),
        ErrorKind::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => "the file ends inside a block".into(),
        ErrorKind::Protobuf { location, .. } => format!("unreadable {location}"),
        _ => e.to_string(),
    }
}

/// A way waiting for its nodes' coordinates: its node ids are `refs[start..end]` of the scan.
#[derive(Debug, Clone, Copy)]
struct PendingWay {
    start: usize,
    end: usize,
}

/// What the first pass keeps.
#[derive(Default)]
struct Scan {
    names: Names,
    /// Address nodes, with their point.
    points: Vec<Candidate>,
    /// Entrances that carry no address of their own, by node id: they lend their point to their building.
    entrances: HashMap<i64, (GeoPoint, Source)>,
    buildings: Vec<(AddressTags, PendingWay)>,
    roads: Vec<(RoadKind, PendingWay)>,
    /// The node ids of every pending way, end to end.
    refs: Vec<i64>,
    bytes: u64,
    sorted: bool,
}

fn first_pass(reader: impl Read + Send, progress: &mut dyn FnMut(u64)) -> Result<Scan, ExtractError> {
    let mut scan = Scan::default();
    let (bytes, sorted) = read_blocks(reader, 0, progress, |block| {
        scan.block(block);
        true
    })?;
    scan.bytes = bytes;
    scan.sorted = sorted;
    Ok(scan)
}

/// The tags a node or way is kept for, read in one pass over its tags.
#[derive(Default)]
struct Tags<'a> {
    number: Option<&'a str>,
    street: Option<&'a str>,
    postcode: Option<&'a str>,
    city: Option<&'a str>,
    entrance: Option<&'a str>,
    highway: Option<&'a str>,
    area: bool,
}

impl<'a> Tags<'a> {
    fn read(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Tags<'a> {
        let mut t = Tags::default();
        for (key, value) in tags {
            let value = Some(value.trim()).filter(|v| !v.is_empty());
            match key {
                "addr:housenumber" => t.number = value.map(door_number).filter(|n| !n.is_empty()),
                "addr:street" => t.street = value,
                "addr:postcode" => t.postcode = value,
                "addr:city" => t.city = value,
                "entrance" => t.entrance = value,
                "highway" => t.highway = value,
                "area" => t.area = value == Some("yes"),
                _ => {}
            }
        }
        t
    }

    fn address(&self, names: &mut Names) -> Option<AddressTags> {
        Some(AddressTags {
            number: self.number?.to_string(),
            street: names.id(self.street?),
            postcode: names.id(self.postcode.unwrap_or("")),
            city: names.id(self.city.unwrap_or("")),
        })
    }

    fn entrance(&self) -> Option<Source> {
        match self.entrance? {
            "main" => Some(Source::MainEntrance),
            // Doors a visitor is not meant to use.
            "no" | "service" | "emergency" | "exit" | "garage" | "fire_exit" => None,
            _ => Some(Source::Entrance),
        }
    }
}

/// The door's number from a house-number tag: mappers sometimes add a floor or suite after a comma
/// (`2, 2. krs./Floor 2`), which names no other door and would show in every label.
fn door_number(tag: &str) -> &str {
    tag.split(',').next().unwrap_or(tag).trim()
}

/// The kind of road a `highway` value is, if cars drive on it.
fn road_kind(highway: &str) -> Option<RoadKind> {
    match highway {
        "motorway" | "trunk" | "primary" | "secondary" | "motorway_link" | "trunk_link" | "primary_link"
        | "secondary_link" => Some(RoadKind::Major),
        "tertiary" | "tertiary_link" | "unclassified" | "residential" | "living_street" | "service" => {
            Some(RoadKind::Minor)
        }
        _ => None,
    }
}

impl Scan {
    fn block(&mut self, block: &PrimitiveBlock) {
        for group in block.groups() {
            for node in group.dense_nodes() {
                if let (true, Ok(at)) = (node.raw_tags().len() > 0, GeoPoint::parse(node.lat(), node.lon())) {
                    self.node(node.id(), at, Tags::read(node.tags()));
                }
            }
            for node in group.nodes() {
                if let (true, Ok(at)) = (node.raw_tags().len() > 0, GeoPoint::parse(node.lat(), node.lon())) {
                    self.node(node.id(), at, Tags::read(node.tags()));
                }
            }
            for way in group.ways() {
                if way.raw_tags().len() > 0 {
                    self.way(way.refs(), Tags::read(way.tags()));
                }
            }
        }
    }

    fn node(&mut self, id: i64, at: GeoPoint, tags: Tags<'_>) {
        let entrance = tags.entrance();
        match (tags.address(&mut self.names), entrance) {
            (Some(tags), source) => self.points.push(Candidate { tags, at, source: source.unwrap_or(Source::Node) }),
            (None, Some(source)) => {
                self.entrances.insert(id, (at, source));
            }
            (None, None) => {}
        }
    }

    fn way(&mut self, refs: impl Iterator<Item = i64>, tags: Tags<'_>) {
        let address = tags.address(&mut self.names);
        let road = tags.highway.and_then(road_kind).filter(|_| !tags.area);
        if address.is_none() && road.is_none() {
            return;
        }
        let start = self.refs.len();
        self.refs.extend(refs);
        let way = PendingWay { start, end: self.refs.len() };
        if let Some(address) = address {
            self.buildings.push((address, way));
        }
        if let Some(kind) = road {
            self.roads.push((kind, way));
        }
    }

    fn into_extract(mut self, nodes: &NeededNodes, keep: &dyn Fn(GeoPoint) -> bool) -> Extract {
        let mut candidates = std::mem::take(&mut self.points);
        for (tags, way) in std::mem::take(&mut self.buildings) {
            let refs = &self.refs[way.start..way.end];
            let entrance =
                refs.iter().filter_map(|id| self.entrances.get(id)).min_by_key(|(_, source)| *source).copied();
            let found = entrance
                .or_else(|| centroid(refs.iter().filter_map(|&id| nodes.get(id))).map(|at| (at, Source::Building)));
            if let Some((at, source)) = found {
                candidates.push(Candidate { tags, at, source });
            }
        }
        let mut outside = 0;
        let mut addresses = Vec::new();
        for address in merge(candidates, &mut self.names) {
            if !keep(address.at) {
                outside += 1;
                continue;
            }
            let name = |id: u32| self.names.get(id).to_string();
            let AddressTags { number, street, postcode, city } = address.tags;
            addresses.push(Address {
                number,
                street: name(street),
                postcode: name(postcode),
                city: name(city),
                at: address.at,
            });
        }
        addresses.shrink_to_fit();

        let area = Bounds::around(addresses.iter().map(|a| a.at)).map(|b| b.grown_km(ROAD_MARGIN_KM));
        let roads = match area {
            None => Vec::new(),
            Some(area) => self
                .roads
                .iter()
                .filter_map(|&(kind, way)| {
                    let points: Vec<GeoPoint> =
                        self.refs[way.start..way.end].iter().filter_map(|&id| nodes.get(id)).collect();
                    (points.len() >= 2 && points.iter().any(|&p| area.contains(p))).then_some(Road { kind, points })
                })
                .collect(),
        };
        Extract { addresses, roads, outside }
    }
}

/// The coordinates of the nodes the pending ways name, and nothing else: ids sorted for binary search,
/// points stored as the file's own 100-nanodegree integers.
struct NeededNodes {
    ids: Vec<i64>,
    points: Vec<(i32, i32)>,
    found: usize,
}

/// A needed node the extract does not hold (an extract cut at its border keeps ways whose far ends it lacks).
const MISSING: (i32, i32) = (i32::MIN, i32::MIN);

impl NeededNodes {
    fn new(refs: &[i64]) -> NeededNodes {
        let mut ids = refs.to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.shrink_to_fit();
        let points = vec![MISSING; ids.len()];
        NeededNodes { ids, points, found: 0 }
    }

    fn is_complete(&self) -> bool {
        self.found == self.ids.len()
    }

    fn set(&mut self, id: i64, lat: i32, lon: i32) {
        // A node off the earth (only a damaged or made-up file has one) stays missing: everything stored must
        // read back as a place.
        let on_earth = lat.unsigned_abs() <= 900_000_000 && lon.unsigned_abs() <= 1_800_000_000;
        if let (true, Ok(i)) = (on_earth, self.ids.binary_search(&id)) {
            if self.points[i] == MISSING {
                self.found += 1;
            }
            self.points[i] = (lat, lon);
        }
    }

    fn fill(&mut self, block: &PrimitiveBlock) {
        for group in block.groups() {
            for node in group.dense_nodes() {
                self.set(node.id(), node.decimicro_lat(), node.decimicro_lon());
            }
            for node in group.nodes() {
                self.set(node.id(), node.decimicro_lat(), node.decimicro_lon());
            }
        }
    }

    fn get(&self, id: i64) -> Option<GeoPoint> {
        let i = self.ids.binary_search(&id).ok()?;
        let (lat, lon) = self.points[i];
        (self.points[i] != MISSING).then(|| GeoPoint { lat: f64::from(lat) * 1e-7, lon: f64::from(lon) * 1e-7 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_after_the_number_is_not_part_of_the_door() {
        assert_eq!(door_number("2, 2. krs./Floor 2"), "2");
        assert_eq!(door_number("11a"), "11a");
        assert_eq!(door_number("11-13"), "11-13");
    }

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn drivable_roads_are_major_or_minor_and_paths_are_not_roads() {
        assert_eq!(road_kind("primary_link"), Some(RoadKind::Major));
        assert_eq!(road_kind("living_street"), Some(RoadKind::Minor));
        assert_eq!(road_kind("footway"), None);
        assert_eq!(road_kind("cycleway"), None);
    }

    #[test]
    fn needed_nodes_know_only_what_was_asked_for() {
        let mut nodes = NeededNodes::new(&[5, 3, 5, 9]);
        assert!(!nodes.is_complete());
        nodes.set(3, 600_000_000, 240_000_000);
        nodes.set(4, 1, 1);
        assert_eq!(nodes.get(3), Some(at(60.0, 24.0)));
        assert_eq!((nodes.get(4), nodes.get(5)), (None, None));
        nodes.set(5, 0, 0);
        nodes.set(9, 900_000_001, 0);
        assert!(!nodes.is_complete(), "a node off the earth is no coordinate");
        nodes.set(9, -900_000_000, -1_800_000_000);
        assert!(nodes.is_complete());
    }
}
