//! The places port over SQL: the imported addresses and roads, and the generation that numbers each import.
//!
//! An import is a million rows for a large city, so rows go in as multi-row inserts of a few fixed sizes
//! (the statement layer takes `&'static str`, so each size is one statement text, built once). A road's
//! points are one text column, `lat,lon;lat,lon` with 6 decimals (about 10 cm): a road is always read
//! whole, and this keeps a city's roads a fraction of the size a row per point would take.

use super::{Locks, Param, Row, Rows, SqlDatabase};
use crate::{PlaceStore, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::places::{Address, Bounds, Road, RoadKind};
use knead_core::GeoPoint;
use std::fmt::Write;
use std::sync::LazyLock;

const GENERATION: &str = "select generation from places_generation where id = 1";
const BUMP_GENERATION: &str = "update places_generation set generation = generation + 1, replaced_at = $1 \
     where id = 1 returning generation";
const DELETE_ADDRESSES: &str = "delete from addresses";
const DELETE_ROADS: &str = "delete from roads";
const ALL_ADDRESSES: &str = "select id, number, street, postcode, city, lat, lon from addresses order by id";
/// Major before minor (`'major' < 'minor'` in every collation), then in the order they were imported.
const ROADS_WITHIN: &str = "select id, kind, points from roads \
     where south <= $3 and north >= $1 and west <= $4 and east >= $2 order by kind, id limit $5";

const ADDRESS_COLUMNS: &str = "insert into addresses (number, street, postcode, city, lat, lon) values ";
const ROAD_COLUMNS: &str = "insert into roads (kind, south, west, north, east, points) values ";
/// Both tables take six values a row.
const WIDTH: usize = 6;

/// Rows per insert statement, largest first; a set of n rows takes at most 9 statements of each smaller size.
/// Not more: SQLite finds each `$n` parameter by its name in a list, so binding a statement costs the square
/// of its parameters: a million addresses took 42 s to store at 1,000 rows a statement, 6.2 s at 100 and
/// 5.0 s at 50 (25 was no faster: then the round trips to the driver's thread dominate).
const BATCH_SIZES: [usize; 3] = [50, 10, 1];

/// `insert ... values ($1, ..., $6), ($7, ...), ...` for `rows` rows.
fn insert_statement(columns: &str, rows: usize) -> String {
    let mut sql = String::from(columns);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..WIDTH {
            let sep = if column == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}${}", row * WIDTH + column + 1);
        }
        sql.push(')');
    }
    sql
}

static INSERT_ADDRESSES: [LazyLock<String>; 3] = [
    LazyLock::new(|| insert_statement(ADDRESS_COLUMNS, BATCH_SIZES[0])),
    LazyLock::new(|| insert_statement(ADDRESS_COLUMNS, BATCH_SIZES[1])),
    LazyLock::new(|| insert_statement(ADDRESS_COLUMNS, BATCH_SIZES[2])),
];

static INSERT_ROADS: [LazyLock<String>; 3] = [
    LazyLock::new(|| insert_statement(ROAD_COLUMNS, BATCH_SIZES[0])),
    LazyLock::new(|| insert_statement(ROAD_COLUMNS, BATCH_SIZES[1])),
    LazyLock::new(|| insert_statement(ROAD_COLUMNS, BATCH_SIZES[2])),
];

fn address_params(a: &Address, params: &mut Vec<Param>) {
    params.extend([
        (&a.number).into(),
        (&a.street).into(),
        (&a.postcode).into(),
        (&a.city).into(),
        a.at.lat.into(),
        a.at.lon.into(),
    ]);
}

fn road_params(r: &Road, params: &mut Vec<Param>) {
    // A road has at least one point (checked before writing), so it has bounds.
    let b = Bounds::around(r.points.iter().copied()).unwrap_or(Bounds { south: 0.0, west: 0.0, north: 0.0, east: 0.0 });
    params.extend([
        r.kind.as_str().into(),
        b.south.into(),
        b.west.into(),
        b.north.into(),
        b.east.into(),
        Param::Text(Some(encode_points(&r.points))),
    ]);
}

/// `lat,lon;lat,lon` with 6 decimals.
fn encode_points(points: &[GeoPoint]) -> String {
    let mut text = String::with_capacity(points.len() * 22);
    for (i, p) in points.iter().enumerate() {
        let sep = if i == 0 { "" } else { ";" };
        let _ = write!(text, "{sep}{:.6},{:.6}", p.lat, p.lon);
    }
    text
}

fn decode_points(text: &str) -> Option<Vec<GeoPoint>> {
    text.split(';')
        .map(|pair| {
            let (lat, lon) = pair.split_once(',')?;
            GeoPoint::parse(lat.parse().ok()?, lon.parse().ok()?).ok()
        })
        .collect()
}

/// Writes `items` in as few multi-row inserts as the batch sizes allow.
async fn insert_all<T>(
    tx: &mut Box<dyn super::SqlTransaction>,
    statements: &'static [LazyLock<String>; 3],
    items: &[T],
    params_of: fn(&T, &mut Vec<Param>),
) -> StoreResult<()> {
    let mut rest = items;
    let mut params = Vec::with_capacity(BATCH_SIZES[0] * WIDTH);
    for (size, statement) in BATCH_SIZES.iter().zip(statements) {
        let sql: &'static str = statement.as_str();
        while rest.len() >= *size {
            let (batch, after) = rest.split_at(*size);
            params.clear();
            batch.iter().for_each(|item| params_of(item, &mut params));
            tx.execute(sql, &params).await?;
            rest = after;
        }
    }
    Ok(())
}

fn read_address(r: &mut Row<'_>) -> StoreResult<Address> {
    r.id("id")?;
    let (number, street, postcode, city) = (r.text("number")?, r.text("street")?, r.text("postcode")?, r.text("city")?);
    let (lat, lon) = (r.float("lat")?, r.float("lon")?);
    let at = GeoPoint::parse(lat, lon).map_err(|_| r.corrupt("columns lat, lon: not a place on earth"))?;
    Ok(Address { number, street, postcode, city, at })
}

fn read_roads(mut rows: Rows) -> StoreResult<Vec<Road>> {
    rows.read("roads")
        .map(|mut r| {
            r.id("id")?;
            let kind = r.parsed("kind", "a road kind", RoadKind::parse)?;
            let points = r.parsed("points", "a list of points", |text| decode_points(text).filter(|p| p.len() >= 2))?;
            Ok(Road { kind, points })
        })
        .collect()
}

/// The one row `GENERATION` or `BUMP_GENERATION` returns.
fn read_generation(mut rows: Rows) -> StoreResult<i64> {
    let mut row =
        rows.first("places_generation").ok_or_else(|| StoreError::corrupt("places_generation", 1, "missing"))?;
    row.int("generation")
}

#[async_trait]
impl<D: SqlDatabase> PlaceStore for D {
    async fn replace_places(&self, addresses: &[Address], roads: &[Road], now: Timestamp) -> StoreResult<i64> {
        if let Some(i) = roads.iter().position(|r| r.points.len() < 2) {
            return Err(StoreError::other(std::io::Error::other(format!("road {i} has fewer than two points"))));
        }
        let mut tx = self.write(&Locks::none()).await?;
        tx.execute(DELETE_ADDRESSES, &[]).await?;
        tx.execute(DELETE_ROADS, &[]).await?;
        insert_all(&mut tx, &INSERT_ADDRESSES, addresses, address_params).await?;
        insert_all(&mut tx, &INSERT_ROADS, roads, road_params).await?;
        let generation = read_generation(tx.query(BUMP_GENERATION, &[now.into()]).await?)?;
        tx.commit().await?;
        Ok(generation)
    }

    async fn places_generation(&self) -> StoreResult<i64> {
        read_generation(self.query(GENERATION, &[]).await?)
    }

    async fn all_addresses(&self) -> StoreResult<(i64, Vec<Address>)> {
        let mut tx = self.snapshot().await?;
        let current = tx.query(GENERATION, &[]).await?;
        let mut rows = tx.query(ALL_ADDRESSES, &[]).await?;
        tx.commit().await?;
        let addresses = rows.read("addresses").map(|mut r| read_address(&mut r)).collect::<StoreResult<_>>()?;
        Ok((read_generation(current)?, addresses))
    }

    async fn roads_within(&self, area: Bounds, limit: usize) -> StoreResult<Vec<Road>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let params = [area.south.into(), area.west.into(), area.north.into(), area.east.into(), limit.into()];
        read_roads(self.query(ROADS_WITHIN, &params).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_statement_numbers_its_parameters_row_by_row() {
        assert_eq!(
            insert_statement("insert into t (a, b, c, d, e, f) values ", 2),
            "insert into t (a, b, c, d, e, f) values ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12)"
        );
    }

    #[test]
    fn points_read_back_as_written_to_six_decimals() {
        let points = [GeoPoint { lat: 60.1699, lon: 24.9384 }, GeoPoint { lat: -33.8688197, lon: 151.2092957 }];
        let text = encode_points(&points);
        assert_eq!(text, "60.169900,24.938400;-33.868820,151.209296");
        assert_eq!(decode_points(&text).unwrap()[0], points[0]);
        for bad in ["", "60.1", "60.1,24.9;", "91,0;0,0", "a,b;0,0"] {
            assert!(decode_points(bad).is_none_or(|p| p.len() < 2), "{bad:?}");
        }
    }
}
