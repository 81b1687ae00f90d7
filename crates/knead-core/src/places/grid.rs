//! Addresses by place: square cells of about 200 m, so the nearest address to a point is found by
//! looking at the cells around it, ring by ring, not at every address.

use super::Address;
use crate::geo::{local_km, GeoPoint};

/// Address ids by cell of about [`Grid::CELL_M`] metres a side.
#[derive(Debug)]
pub(super) struct Grid {
    cell_lat: f64,
    cell_lon: f64,
    /// Occupied cells, sorted (row, then column): a row's cells are one run.
    cells: Vec<u64>,
    /// `members[starts[c]..starts[c + 1]]` are cell `c`'s addresses.
    starts: Vec<u32>,
    members: Vec<u32>,
    rows: (i32, i32),
    cols: (i32, i32),
}

/// Metres per degree of latitude on the mean earth radius `local_km` uses.
const M_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

impl Grid {
    const CELL_M: f64 = 200.0;

    pub fn new(addresses: &[Address]) -> Grid {
        let finite = |p: GeoPoint| p.lat.is_finite() && p.lon.is_finite();
        let (sum, n) =
            addresses.iter().filter(|a| finite(a.at)).fold((0.0, 0usize), |(sum, n), a| (sum + a.at.lat, n + 1));
        let mean_lat = if n == 0 { 0.0 } else { sum / n as f64 };
        let cell_lat = Grid::CELL_M / M_PER_DEGREE;
        // Square at the addresses' mean latitude; `nearest` measures the real cell width where it looks.
        let cell_lon = cell_lat / mean_lat.to_radians().cos().max(0.05);
        let mut grid = Grid {
            cell_lat,
            cell_lon,
            cells: Vec::new(),
            starts: vec![0],
            members: Vec::new(),
            rows: (0, -1),
            cols: (0, -1),
        };
        let mut keyed: Vec<(u64, u32)> = addresses
            .iter()
            .enumerate()
            .filter(|(_, a)| finite(a.at))
            .map(|(i, a)| {
                let (row, col) = grid.cell_of(a.at);
                (key(row, col), i as u32)
            })
            .collect();
        keyed.sort_unstable();
        for (k, i) in keyed {
            if grid.cells.last() != Some(&k) {
                if !grid.cells.is_empty() {
                    grid.starts.push(grid.members.len() as u32);
                }
                grid.cells.push(k);
            }
            grid.members.push(i);
        }
        grid.starts.push(grid.members.len() as u32);
        if let (Some(&first), Some(&last)) = (grid.cells.first(), grid.cells.last()) {
            grid.rows = (unkey(first).0, unkey(last).0);
            let cols = grid.cells.iter().map(|&k| unkey(k).1);
            grid.cols = (cols.clone().min().unwrap_or(0), cols.max().unwrap_or(-1));
        }
        grid
    }

    pub fn heap_bytes(&self) -> usize {
        self.cells.capacity() * 8 + (self.starts.capacity() + self.members.capacity()) * 4
    }

    fn cell_of(&self, p: GeoPoint) -> (i32, i32) {
        // Saturating casts: a point far outside the data lands in an edge cell, which the ring search
        // handles like any other.
        ((p.lat / self.cell_lat).floor() as i32, (p.lon / self.cell_lon).floor() as i32)
    }

    pub fn nearest(&self, addresses: &[Address], at: GeoPoint, within_m: f64) -> Option<u32> {
        if self.cells.is_empty() || !at.lat.is_finite() || !at.lon.is_finite() || within_m.is_nan() || within_m < 0.0 {
            return None;
        }
        let (row, col) = self.cell_of(at);
        let mut best: Option<(f64, u32)> = None;
        let visit = |cell: usize, best: &mut Option<(f64, u32)>| {
            for &i in &self.members[self.starts[cell] as usize..self.starts[cell + 1] as usize] {
                let d = local_km(at, addresses[i as usize].at) * 1000.0;
                if d <= within_m && best.is_none_or(|(bd, bi)| d < bd || (d == bd && i < bi)) {
                    *best = Some((d, i));
                }
            }
        };
        for ring in 0i32.. {
            let (top, bottom) = (row.saturating_sub(ring), row.saturating_add(ring));
            let (left, right) = (col.saturating_sub(ring), col.saturating_add(ring));
            let area = (2.0 * f64::from(ring) + 1.0).powi(2);
            if area > 4.0 * self.cells.len() as f64 {
                // A wide search far from the addresses: reading every cell is cheaper than more rings.
                (0..self.cells.len()).for_each(|c| visit(c, &mut best));
                break;
            }
            for r in top.max(self.rows.0)..=bottom.min(self.rows.1) {
                if r == top || r == bottom {
                    self.visit_run(r, left, right, &mut |c| visit(c, &mut best));
                } else {
                    self.visit_run(r, left, left, &mut |c| visit(c, &mut best));
                    self.visit_run(r, right, right, &mut |c| visit(c, &mut best));
                }
            }
            if top <= self.rows.0 && bottom >= self.rows.1 && left <= self.cols.0 && right >= self.cols.1 {
                break;
            }
            // Every address outside the square is more than `ring` cell sides away; the narrowest side is
            // the longitude width at the square's polar edge.
            let edge_lat = (at.lat.abs() + f64::from(ring + 1) * self.cell_lat).min(89.9);
            let side_m = (self.cell_lat * M_PER_DEGREE).min(self.cell_lon * M_PER_DEGREE * edge_lat.to_radians().cos());
            let reach = f64::from(ring) * side_m;
            if reach > within_m || best.is_some_and(|(d, _)| d < reach) {
                break;
            }
        }
        best.map(|(_, i)| i)
    }

    /// Visits the occupied cells of row `row` from column `from` to `to`.
    fn visit_run(&self, row: i32, from: i32, to: i32, visit: &mut impl FnMut(usize)) {
        let (from, to) = (from.max(self.cols.0), to.min(self.cols.1));
        if from > to {
            return;
        }
        let (lo, hi) = (key(row, from), key(row, to));
        let first = self.cells.partition_point(|&k| k < lo);
        for (c, &k) in self.cells.iter().enumerate().skip(first) {
            if k > hi {
                break;
            }
            visit(c);
        }
    }
}

/// Orders by row, then column, for signed rows and columns.
fn key(row: i32, col: i32) -> u64 {
    (u64::from(row as u32 ^ 0x8000_0000) << 32) | u64::from(col as u32 ^ 0x8000_0000)
}

fn unkey(k: u64) -> (i32, i32) {
    (((k >> 32) as u32 ^ 0x8000_0000) as i32, (k as u32 ^ 0x8000_0000) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_keys_order_by_row_then_column_across_zero() {
        let cells = [(-2, 5), (-1, -7), (-1, 3), (0, -1), (0, 0), (4, -9)];
        let keys: Vec<u64> = cells.iter().map(|&(r, c)| key(r, c)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(cells.iter().all(|&(r, c)| unkey(key(r, c)) == (r, c)));
    }
}
