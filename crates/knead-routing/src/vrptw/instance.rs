//! A VRPTW instance: the depot and customers, the fleet, and the DIMACS travel matrix; plus the Solomon text parser.
//!
//! Times and distances are whole tenths (`i64`). The DIMACS convention truncates each arc to one decimal, so in
//! tenths every arc is an integer and sums never drift the way floating-point sums do.

use thiserror::Error;

/// One stop: the depot (index 0) or a customer. Times are in tenths of the instance's time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
    pub x: f64,
    pub y: f64,
    pub demand: i64,
    /// Earliest start of service (tenths).
    pub ready: i64,
    /// Latest start of service (tenths); for the depot, the latest return.
    pub due: i64,
    /// Service duration (tenths).
    pub service: i64,
}

/// Why an instance cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstanceError {
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("the instance needs a depot and at least one customer")]
    Empty,
    #[error("stop {stop}: {message}")]
    BadStop { stop: usize, message: String },
    #[error("the fleet must have at least one vehicle with a positive capacity")]
    NoFleet,
}

/// Depot and customers, fleet size and capacity, and the travel matrix in tenths (travel time equals distance).
#[derive(Debug, Clone)]
pub struct Instance {
    name: String,
    vehicles: usize,
    capacity: i64,
    stops: Vec<Stop>,
    travel: Vec<i64>,
}

/// The DIMACS arc length in tenths: floor(10 × Euclidean distance), exact for integer coordinates.
pub fn truncated_tenths(from: (f64, f64), to: (f64, f64)) -> i64 {
    let (dx, dy) = (from.0 - to.0, from.1 - to.1);
    let squared = 100.0 * (dx * dx + dy * dy);
    let mut root = squared.sqrt().floor();
    // sqrt may land one off an integer boundary; integer coordinates make these comparisons exact.
    while (root + 1.0) * (root + 1.0) <= squared {
        root += 1.0;
    }
    while root > 0.0 && root * root > squared {
        root -= 1.0;
    }
    root as i64
}

impl Instance {
    /// An instance from its stops (the depot first); checks that every number makes sense.
    pub fn new(name: &str, vehicles: usize, capacity: i64, stops: Vec<Stop>) -> Result<Instance, InstanceError> {
        if stops.len() < 2 {
            return Err(InstanceError::Empty);
        }
        if vehicles == 0 || capacity <= 0 {
            return Err(InstanceError::NoFleet);
        }
        for (index, stop) in stops.iter().enumerate() {
            let bad = |message: &str| Err(InstanceError::BadStop { stop: index, message: message.to_string() });
            if !(stop.x.is_finite() && stop.y.is_finite()) {
                return bad("coordinates must be finite numbers");
            }
            if stop.demand < 0 || stop.service < 0 {
                return bad("demand and service time must not be negative");
            }
            if stop.ready > stop.due {
                return bad("the time window closes before it opens");
            }
        }
        let n = stops.len();
        let mut travel = vec![0; n * n];
        for (i, a) in stops.iter().enumerate() {
            for (j, b) in stops.iter().enumerate() {
                travel[i * n + j] = truncated_tenths((a.x, a.y), (b.x, b.y));
            }
        }
        Ok(Instance { name: name.to_string(), vehicles, capacity, stops, travel })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The most vehicles a plan may use.
    pub fn vehicles(&self) -> usize {
        self.vehicles
    }

    pub fn capacity(&self) -> i64 {
        self.capacity
    }

    /// The depot (index 0) and the customers (1..).
    pub fn stops(&self) -> &[Stop] {
        &self.stops
    }

    /// Customers are numbered 1 to this.
    pub fn customers(&self) -> usize {
        self.stops.len() - 1
    }

    /// Travel distance and time from stop `from` to stop `to`, in tenths.
    #[inline]
    pub fn travel(&self, from: usize, to: usize) -> i64 {
        self.travel[from * self.stops.len() + to]
    }
}

/// A number of the text as tenths; the Solomon files hold whole numbers, but a decimal is read to the tenth.
fn tenths(value: f64) -> i64 {
    (value * 10.0).round() as i64
}

/// Reads the original Solomon text format: a name line, the `VEHICLE` section (count, capacity), the `CUSTOMER`
/// section with one line per stop (number, x, y, demand, ready, due, service), the depot numbered 0.
pub fn parse_solomon(text: &str) -> Result<Instance, InstanceError> {
    let syntax = |line: usize, message: &str| InstanceError::Syntax { line, message: message.to_string() };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty());
    let (_, name) = lines.next().ok_or_else(|| syntax(1, "the file is empty"))?;
    let mut numeric = lines.filter(|(_, l)| l.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.'));
    let (fleet_line, fleet) = numeric.next().ok_or_else(|| syntax(1, "no vehicle count and capacity"))?;
    let fleet: Vec<f64> = fleet
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| syntax(fleet_line, "the vehicle line must hold two numbers"))?;
    let [vehicles, capacity] = fleet[..] else {
        return Err(syntax(fleet_line, "the vehicle line must hold two numbers"));
    };
    if vehicles.fract() != 0.0 || vehicles < 1.0 {
        return Err(syntax(fleet_line, "the vehicle count must be a positive whole number"));
    }
    let mut stops = Vec::new();
    for (line, text) in numeric {
        let fields: Vec<f64> = text
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| syntax(line, "a customer line must hold seven numbers"))?;
        let [number, x, y, demand, ready, due, service] = fields[..] else {
            return Err(syntax(line, "a customer line must hold seven numbers"));
        };
        if number != stops.len() as f64 {
            return Err(syntax(line, "customers must be numbered 0, 1, 2, … in order"));
        }
        stops.push(Stop {
            x,
            y,
            demand: demand.round() as i64,
            ready: tenths(ready),
            due: tenths(due),
            service: tenths(service),
        });
    }
    Instance::new(name, vehicles as usize, capacity.round() as i64, stops)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "TINY\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2         10\r\n\r\nCUSTOMER\r\n\
        CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n\
        0 0 0 0 0 100 0\r\n1 3 4 5 0 50 1\r\n2 1 1 5 10 20 2\r\n";

    #[test]
    fn reads_the_solomon_text_in_tenths() {
        let instance = parse_solomon(TINY).unwrap();
        assert_eq!(instance.name(), "TINY");
        assert_eq!((instance.vehicles(), instance.capacity(), instance.customers()), (2, 10, 2));
        assert_eq!(instance.stops()[2].ready, 100);
        assert_eq!(instance.stops()[2].service, 20);
        assert_eq!(instance.travel(0, 1), 50);
        // sqrt(2) = 1.414… truncates to 1.4.
        assert_eq!(instance.travel(0, 2), 14);
    }

    #[test]
    fn truncation_is_exact_on_boundaries() {
        assert_eq!(truncated_tenths((0.0, 0.0), (0.3, 0.4)), 5);
        assert_eq!(truncated_tenths((0.0, 0.0), (6.0, 8.0)), 100);
        assert_eq!(truncated_tenths((0.0, 0.0), (1.0, 2.0)), 22);
    }

    #[test]
    fn rejects_broken_text() {
        assert!(matches!(parse_solomon(""), Err(InstanceError::Syntax { .. })));
        let missing_field = TINY.replace("2 1 1 5 10 20 2", "2 1 1 5 10 20");
        assert!(matches!(parse_solomon(&missing_field), Err(InstanceError::Syntax { .. })));
        let out_of_order = TINY.replace("2 1 1 5 10 20 2", "3 1 1 5 10 20 2");
        assert!(matches!(parse_solomon(&out_of_order), Err(InstanceError::Syntax { .. })));
        let closed_window = TINY.replace("2 1 1 5 10 20 2", "2 1 1 5 30 20 2");
        assert!(matches!(parse_solomon(&closed_window), Err(InstanceError::BadStop { stop: 2, .. })));
    }
}
