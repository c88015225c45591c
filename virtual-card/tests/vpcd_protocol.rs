//! The vpcd transport against a fake vpcd (a loopback listener speaking vpcd's wire protocol:
//! 2-byte big-endian length + payload; 1-byte control messages). No system packages needed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use virtual_card::applet::{JPKI_AID, JPKI_ATR};
use virtual_card::vpcd::{self, Session};
use virtual_card::{issue, Profile};

fn send(stream: &mut TcpStream, payload: &[u8]) {
    let len = (payload.len() as u16).to_be_bytes();
    // Length and payload in two writes, like Debian's vpcd.
    stream.write_all(&len).unwrap();
    stream.write_all(payload).unwrap();
}

fn recv(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).unwrap();
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut payload).unwrap();
    payload
}

fn select_aid() -> Vec<u8> {
    [vec![0x00, 0xA4, 0x04, 0x0C, 0x0A], JPKI_AID.to_vec()].concat()
}

#[test]
fn serves_atr_power_and_apdus_and_reconnects_until_stopped() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: &'static str = Box::leak(listener.local_addr().unwrap().to_string().into_boxed_str());
    let (card, _) = issue(
        Profile::Valid,
        3,
        NaiveDate::from_ymd_opt(2021, 1, 6).unwrap(),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let server = std::thread::spawn(move || {
        let mut card = card;
        vpcd::serve(&mut card, addr, Duration::from_millis(50), &flag, |e| {
            seen.lock().unwrap().push(matches!(e, Session::Ended(_)));
        });
    });

    // First connection: ATR, power on, APDUs, then the link drops (pcscd restart).
    let (mut link, _) = listener.accept().unwrap();
    send(&mut link, &[0x04]);
    assert_eq!(recv(&mut link), JPKI_ATR.to_vec());
    send(&mut link, &[0x01]);
    send(&mut link, &select_aid());
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    send(&mut link, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    send(
        &mut link,
        &[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'],
    );
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    drop(link);

    // The card comes back by itself, powered off (verified state gone), same card.
    let (mut link, _) = listener.accept().unwrap();
    send(&mut link, &[0x04]);
    assert_eq!(recv(&mut link), JPKI_ATR.to_vec());
    send(&mut link, &[0x02]); // reset
    send(&mut link, &select_aid());
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    send(&mut link, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]);
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    send(&mut link, &[0x80, 0x2A, 0x00, 0x80, 0x01, 0xAA, 0x00]);
    assert_eq!(
        recv(&mut link),
        vec![0x69, 0x82],
        "no signature without the PIN again"
    );
    // An APDU mid-way through a poll loop answers in well under vpcd's delayed-ACK 40 ms.
    send(&mut link, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
    assert_eq!(recv(&mut link), vec![0x90, 0x00]);
    let started = std::time::Instant::now();
    for _ in 0..20 {
        send(&mut link, &[0x00, 0x20, 0x00, 0x80]);
        assert_eq!(recv(&mut link), vec![0x63, 0xC3]);
    }
    assert!(started.elapsed() < Duration::from_millis(20 * 20));

    // Stop: takes effect before the next message is read, or right after it is answered.
    stop.store(true, Ordering::Relaxed);
    let _ = link.write_all(&[0x00, 0x01, 0x04]);
    let mut rest = Vec::new();
    let _ = link.read_to_end(&mut rest);
    server.join().unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events.first(), Some(&true), "first link ended by the drop");
    assert!(events.len() >= 2);
}

#[test]
fn waits_for_vpcd_when_it_is_not_there() {
    // A port nobody listens on: the loop reports NotConnected and keeps trying until stopped.
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: &'static str = Box::leak(free.local_addr().unwrap().to_string().into_boxed_str());
    drop(free);
    let (mut card, _) = issue(
        Profile::Valid,
        3,
        NaiveDate::from_ymd_opt(2021, 1, 6).unwrap(),
    )
    .unwrap();
    let stop = AtomicBool::new(false);
    let mut misses = 0;
    vpcd::serve(&mut card, addr, Duration::from_millis(10), &stop, |e| {
        assert!(matches!(e, Session::NotConnected(_)));
        misses += 1;
        if misses == 3 {
            stop.store(true, Ordering::Relaxed);
        }
    });
    assert_eq!(misses, 3);
}
