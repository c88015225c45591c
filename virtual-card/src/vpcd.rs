//! The vpcd transport: presents a [`Card`] to pcscd through vsmartcard's virtual reader.
//!
//! The card side is a TCP client of vpcd (default `127.0.0.1:35963`, pcscd's reader
//! "Virtual PCD 00 00"; port 35964 is "Virtual PCD 00 01"). The wire protocol is the `vpicc`
//! crate's. vpcd writes a message's length and payload in two segments; without TCP_QUICKACK on
//! our socket before each read, delayed ACKs cost ~40 ms per APDU, with it ~0.1–0.3 ms.
//! The connection drops whenever pcscd restarts: [`serve`] reconnects until told to stop.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::Card;

/// vpcd's first slot.
pub const DEFAULT_VPCD: &str = "127.0.0.1:35963";
/// The PC/SC reader name of vpcd's first slot (port 35963).
pub const VPCD_READER_0: &str = "Virtual PCD 00 00";
/// The PC/SC reader name of vpcd's second slot (port 35964).
pub const VPCD_READER_1: &str = "Virtual PCD 00 01";

/// Adapts a [`Card`] to vpicc's card trait.
struct Adapter<'a> {
    card: &'a mut dyn Card,
    atr: Vec<u8>,
}

impl vpicc::VSmartCard for Adapter<'_> {
    fn atr(&self) -> &[u8] {
        &self.atr
    }
    fn power_on(&mut self) {
        self.atr = self.card.power_on();
    }
    fn power_off(&mut self) {
        self.card.power_off();
    }
    fn reset(&mut self) {
        self.atr = self.card.power_on();
    }
    fn execute(&mut self, msg: &[u8]) -> Vec<u8> {
        self.card.process(msg)
    }
}

/// What happened to one vpcd connection.
#[derive(Debug)]
pub enum Session {
    /// Could not connect (vpcd not listening yet).
    NotConnected(std::io::Error),
    /// Connected, then the link dropped (pcscd restarted) or `stop` was set.
    Ended(std::io::Error),
}

fn resolve(addr: &str) -> std::io::Result<SocketAddr> {
    addr.to_socket_addrs()?.next().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("no address for {addr}"),
        )
    })
}

/// Serves `card` on one vpcd connection until it drops or `stop` is set (checked between
/// messages; vpcd polls about every 400 ms, so a stop takes effect within a second).
pub fn serve_once(card: &mut dyn Card, addr: &str, stop: &AtomicBool) -> Session {
    let stream =
        match resolve(addr).and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2))) {
            Ok(s) => s,
            Err(e) => return Session::NotConnected(e),
        };
    let _ = stream.set_nodelay(true);
    let control = match stream.try_clone() {
        Ok(c) => c,
        Err(e) => return Session::Ended(e),
    };
    let atr = card.power_on();
    let mut adapter = Adapter { card, atr };
    let mut connection = vpicc::Connection::from(stream);
    let end = loop {
        if stop.load(Ordering::Relaxed) {
            break std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped");
        }
        // Quick-ACK is not sticky in Linux: re-arm it before every read.
        #[cfg(target_os = "linux")]
        let _ = socket2::SockRef::from(&control).set_tcp_quickack(true);
        if let Err(e) = connection.poll(&mut adapter) {
            break e;
        }
    };
    let _ = control.shutdown(std::net::Shutdown::Both);
    adapter.card.power_off();
    Session::Ended(end)
}

/// Serves `card` through vpcd at `addr`, reconnecting after `retry` whenever vpcd is not there
/// or the link drops, until `stop` is set. `on_event` hears about every connection attempt.
pub fn serve(
    card: &mut dyn Card,
    addr: &str,
    retry: Duration,
    stop: &AtomicBool,
    mut on_event: impl FnMut(&Session),
) {
    while !stop.load(Ordering::Relaxed) {
        let session = serve_once(card, addr, stop);
        on_event(&session);
        if !stop.load(Ordering::Relaxed) {
            std::thread::sleep(retry);
        }
    }
}

/// A card served over vpcd on a background thread (tests, benchmarks, the simulator).
/// Dropping it stops the thread and waits for it (within about one vpcd poll, ≤ 0.5 s).
///
/// vpcd only notices a card that went away on its next poll: before serving another card on the
/// same port, wait until the reader reports no card and about a second more
/// (`pcsc_reader::wait_until_empty` does both).
pub struct ServedCard {
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for ServedCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedCard").finish_non_exhaustive()
    }
}

impl ServedCard {
    /// Starts serving `card` through vpcd at `addr` (e.g. [`DEFAULT_VPCD`]), reconnecting
    /// every 200 ms while vpcd is not there.
    pub fn spawn(card: impl Card + 'static, addr: impl Into<String>) -> Self {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let addr = addr.into();
        let thread = std::thread::spawn(move || {
            let mut card = card;
            serve(&mut card, &addr, Duration::from_millis(200), &flag, |_| {});
        });
        ServedCard {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ServedCard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
