//! The TFTP client (`cisco_itl::tftp`, feature `tftp`) against fake servers
//! on loopback: a good one, one that is silent, one that trickles blocks,
//! one that answers from another port or address, one that sends too much,
//! and ERROR packets. The deadline checks use bounds of seconds, far above
//! the deadlines (CONTRIBUTING.md, "No timing in tests").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use cisco_itl::tftp::{Options, TftpError, read_file};

/// A fake server on 127.0.0.1: `serve` gets the listening socket, the
/// client's address and the request's file name.
fn server(serve: impl FnOnce(UdpSocket, SocketAddr, String) + Send + 'static) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        socket
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut buf = [0u8; 600];
        let Ok((n, client)) = socket.recv_from(&mut buf) else {
            return;
        };
        assert_eq!(&buf[..2], &[0, 1], "a read request");
        let fields: Vec<&[u8]> = buf[2..n].split(|&b| b == 0).collect();
        assert_eq!(fields[1], b"octet");
        let name = String::from_utf8(fields[0].to_vec()).unwrap();
        serve(socket, client, name);
    });
    addr
}

fn data(block: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0, 3];
    p.extend_from_slice(&block.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// A transfer socket that sends `content` block by block, waiting for
/// each ACK.
fn send_file(transfer: &UdpSocket, client: SocketAddr, content: &[u8]) {
    transfer
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut chunks: Vec<&[u8]> = content.chunks(512).collect();
    if content.len().is_multiple_of(512) {
        chunks.push(&[]);
    }
    for (block, chunk) in (1u16..).zip(chunks) {
        transfer.send_to(&data(block, chunk), client).unwrap();
        let mut ack = [0u8; 16];
        let (n, _) = transfer.recv_from(&mut ack).unwrap();
        assert_eq!(&ack[..n], &[0, 4, (block >> 8) as u8, block as u8]);
    }
}

fn quick(deadline_ms: u64) -> Options {
    Options {
        deadline: Duration::from_millis(deadline_ms),
        packet_timeout: Duration::from_millis(100),
        retries: 1_000,
        ..Options::default()
    }
}

#[test]
fn a_file_of_whole_blocks_and_one_of_a_partial_block() {
    for len in [0usize, 100, 1024, 1500] {
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sent = content.clone();
        let addr = server(move |_, client, name| {
            assert_eq!(name, "ITLFile.tlv");
            let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
            send_file(&transfer, client, &sent);
        });
        assert_eq!(
            read_file(addr, "ITLFile.tlv", &Options::default()).unwrap(),
            content
        );
    }
}

#[test]
fn a_silent_server_ends_at_the_deadline() {
    let (keep, kept) = mpsc::channel::<()>();
    let addr = server(move |_socket, _, _| {
        // Hold the socket open, say nothing.
        let _ = kept.recv_timeout(Duration::from_secs(20));
    });
    let start = Instant::now();
    let err = read_file(addr, "ITLFile.tlv", &quick(800)).unwrap_err();
    assert_eq!(
        err,
        TftpError::Deadline {
            file: "ITLFile.tlv".into(),
            deadline: Duration::from_millis(800),
            received: 0
        }
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    drop(keep);
    // With few retries: no answer after them.
    let addr = server(|_socket, _, _| thread::sleep(Duration::from_secs(3)));
    let options = Options {
        retries: 2,
        packet_timeout: Duration::from_millis(100),
        ..Options::default()
    };
    assert_eq!(
        read_file(addr, "CTLFile.tlv", &options).unwrap_err(),
        TftpError::NoAnswer {
            file: "CTLFile.tlv".into(),
            attempts: 3,
            received: 0
        }
    );
}

#[test]
fn a_trickling_server_does_not_extend_the_deadline() {
    let addr = server(|_, client, _| {
        let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
        transfer
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        // Full blocks, each a little before the client would resend.
        for block in 1..=200u16 {
            if transfer.send_to(&data(block, &[7; 512]), client).is_err() {
                return;
            }
            let mut ack = [0u8; 16];
            if transfer.recv_from(&mut ack).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(60));
        }
    });
    let start = Instant::now();
    match read_file(addr, "ITLFile.tlv", &quick(700)).unwrap_err() {
        TftpError::Deadline { received, .. } => {
            assert!(received > 0 && received % 512 == 0, "{received}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn packets_from_another_port_or_address_are_dropped() {
    let addr = server(|_, client, _| {
        // Another address first (127.0.0.2, also loopback on Linux), then
        // the server's transfer port, then a stranger port of the server.
        if let Ok(other) = UdpSocket::bind("127.0.0.2:0") {
            other.send_to(&data(1, b"forged"), client).unwrap();
        }
        let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
        transfer
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        transfer.send_to(&data(1, &[1; 512]), client).unwrap();
        let mut ack = [0u8; 16];
        transfer.recv_from(&mut ack).unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
        stranger.send_to(&data(2, b"forged"), client).unwrap();
        transfer.send_to(&data(2, b"genuine"), client).unwrap();
        transfer.recv_from(&mut ack).unwrap();
    });
    let got = read_file(addr, "ITLFile.tlv", &Options::default()).unwrap();
    assert_eq!(got.len(), 512 + 7);
    assert_eq!(&got[512..], b"genuine");
}

#[test]
fn oversized_packets_and_files_are_refused() {
    let addr = server(|_, client, _| {
        let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
        transfer.send_to(&data(1, &[0; 600]), client).unwrap();
    });
    assert_eq!(
        read_file(addr, "ITLFile.tlv", &Options::default()).unwrap_err(),
        TftpError::Malformed {
            file: "ITLFile.tlv".into(),
            what: "a DATA packet of more than 512 bytes"
        }
    );
    let addr = server(|_, client, _| {
        let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
        transfer
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        for block in 1..=100u16 {
            transfer.send_to(&data(block, &[0; 512]), client).unwrap();
            let mut ack = [0u8; 16];
            if transfer.recv_from(&mut ack).is_err() || ack[1] == 5 {
                return;
            }
        }
    });
    let options = Options {
        max_bytes: 2048,
        ..Options::default()
    };
    assert_eq!(
        read_file(addr, "ITLFile.tlv", &options).unwrap_err(),
        TftpError::TooLarge {
            file: "ITLFile.tlv".into(),
            limit: 2048
        }
    );
}

#[test]
fn error_packets_are_typed() {
    for (code, expected) in [
        (
            1u16,
            TftpError::NotFound {
                file: "ITLSEP001122334455.tlv".into(),
                message: "File not found".into(),
            },
        ),
        (
            2,
            TftpError::Refused {
                file: "ITLSEP001122334455.tlv".into(),
                code: 2,
                message: "Permission denied".into(),
            },
        ),
    ] {
        let message: &'static [u8] = if code == 1 {
            b"File not found\0"
        } else {
            b"Permission denied\0"
        };
        let addr = server(move |_, client, _| {
            let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
            let mut p = vec![0, 5];
            p.extend_from_slice(&code.to_be_bytes());
            p.extend_from_slice(message);
            transfer.send_to(&p, client).unwrap();
        });
        assert_eq!(
            read_file(addr, "ITLSEP001122334455.tlv", &Options::default()).unwrap_err(),
            expected
        );
    }
    assert_eq!(
        read_file("127.0.0.1:9".parse().unwrap(), "a\0b", &Options::default()).unwrap_err(),
        TftpError::BadFileName("a\0b".into())
    );
}
