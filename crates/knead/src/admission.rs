//! Which connections the server takes: at most so many from one client and so many in all, so a client
//! holding connections open cannot use up the server's file descriptors or starve everyone else.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// Counts the connections being served, in all and by client.
#[derive(Clone)]
pub struct Admission {
    inner: Arc<Inner>,
}

struct Inner {
    per_client: usize,
    total: usize,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_client: HashMap<Client, usize>,
}

/// One client as far as the limit is concerned: an IPv4 address, or an IPv6 /64 (one host or home network
/// usually holds a whole /64, so counting single IPv6 addresses would be no limit at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    V4([u8; 4]),
    V6Prefix([u8; 8]),
}

impl Client {
    fn of(ip: IpAddr) -> Client {
        // An IPv4 client of a dual-stack socket shows up as ::ffff:a.b.c.d; count it as a.b.c.d.
        match ip.to_canonical() {
            IpAddr::V4(v4) => Client::V4(v4.octets()),
            IpAddr::V6(v6) => Client::V6Prefix(prefix_64(v6)),
        }
    }
}

fn prefix_64(ip: Ipv6Addr) -> [u8; 8] {
    let octets = ip.octets();
    let mut prefix = [0; 8];
    prefix.copy_from_slice(&octets[..8]);
    prefix
}

/// Why a connection was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// That client already holds as many connections as one client may.
    ClientFull,
    /// The server holds as many connections as it may in all.
    ServerFull,
}

/// A taken connection's place in the counts, given back when dropped (when the connection ends).
pub struct Ticket {
    inner: Arc<Inner>,
    client: Client,
}

impl Admission {
    /// At most `per_client` connections from one client and `total` in all (each at least 1).
    pub fn new(per_client: usize, total: usize) -> Admission {
        Admission {
            inner: Arc::new(Inner { per_client: per_client.max(1), total: total.max(1), counts: Mutex::default() }),
        }
    }

    /// Takes a connection from `ip`, or says why not.
    pub fn admit(&self, ip: IpAddr) -> Result<Ticket, Refusal> {
        let client = Client::of(ip);
        let mut counts = self.inner.lock();
        if counts.total >= self.inner.total {
            return Err(Refusal::ServerFull);
        }
        let held = counts.by_client.entry(client).or_insert(0);
        if *held >= self.inner.per_client {
            return Err(Refusal::ClientFull);
        }
        *held += 1;
        counts.total += 1;
        Ok(Ticket { inner: self.inner.clone(), client })
    }

    /// How many connections are being served now.
    pub fn open(&self) -> usize {
        self.inner.lock().total
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: every change is made whole under the lock.
        self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut counts = self.inner.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(held) = counts.by_client.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                counts.by_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn one_client_gets_its_share_and_others_still_get_in() {
        let admission = Admission::new(2, 10);
        let first = admission.admit(ip("127.0.0.2")).unwrap();
        let _second = admission.admit(ip("127.0.0.2")).unwrap();
        assert_eq!(admission.admit(ip("127.0.0.2")).err(), Some(Refusal::ClientFull));
        assert_eq!(admission.admit(ip("::ffff:127.0.0.2")).err(), Some(Refusal::ClientFull), "the same client");
        let _other = admission.admit(ip("127.0.0.1")).unwrap();
        assert_eq!(admission.open(), 3);
        drop(first);
        assert!(admission.admit(ip("127.0.0.2")).is_ok(), "a closed connection frees its place");
    }

    #[test]
    fn the_server_takes_no_more_than_its_total() {
        let admission = Admission::new(5, 2);
        let _a = admission.admit(ip("10.0.0.1")).unwrap();
        let b = admission.admit(ip("10.0.0.2")).unwrap();
        assert_eq!(admission.admit(ip("10.0.0.3")).err(), Some(Refusal::ServerFull));
        drop(b);
        assert!(admission.admit(ip("10.0.0.3")).is_ok());
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let admission = Admission::new(1, 10);
        let _a = admission.admit(ip("2001:db8:1:2::1")).unwrap();
        assert_eq!(admission.admit(ip("2001:db8:1:2::ffff")).err(), Some(Refusal::ClientFull));
        assert!(admission.admit(ip("2001:db8:1:3::1")).is_ok(), "another /64");
    }

    #[test]
    fn counts_are_forgotten_when_a_clients_last_connection_ends() {
        let admission = Admission::new(3, 10);
        let tickets: Vec<_> = (0..3).map(|_| admission.admit(ip("192.0.2.7")).unwrap()).collect();
        drop(tickets);
        assert_eq!(admission.open(), 0);
        assert!(admission.inner.lock().by_client.is_empty());
    }
}
