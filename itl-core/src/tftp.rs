//! A TFTP client for the files phones download (RFC 1350 read requests,
//! octet mode), to collect what a cluster's TFTP servers serve: the
//! `ITLFile.tlv`, `CTLFile.tlv` and `ITLSEP<MAC>.tlv` a phone gets.
//!
//! Every server is treated as hostile: the whole transfer has a deadline
//! ([`Options::deadline`]) that no silence, trickle or flood of packets
//! extends; a lost packet is sent again after [`Options::packet_timeout`],
//! at most [`Options::retries`] times in a row; the file may hold at most
//! [`Options::max_bytes`]; once the server has answered from its transfer
//! port, packets from any other address or port are dropped, and before
//! that only packets from the server's address are taken; a DATA packet
//! longer than 512 bytes of data, an unknown opcode or a truncated packet
//! ends the transfer. An ERROR packet becomes a typed error, *file not
//! found* ([`TftpError::NotFound`]) apart from the others.
//!
//! ```no_run
//! use cisco_itl::tftp::{Options, TftpError, read_file};
//! let server = "192.0.2.10:69".parse().unwrap();
//! match read_file(server, "ITLFile.tlv", &Options::default()) {
//!     Ok(bytes) => println!("{} bytes", bytes.len()),
//!     Err(TftpError::NotFound { .. }) => println!("not served"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Data bytes in a full DATA packet: a shorter one ends the file.
pub const BLOCK_SIZE: usize = 512;

const RRQ: u16 = 1;
const DATA: u16 = 3;
const ACK: u16 = 4;
const ERROR: u16 = 5;

/// The limits of one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The whole transfer, from the request to the last block.
    pub deadline: Duration,
    /// How long to wait for the next packet before sending the last one
    /// again.
    pub packet_timeout: Duration,
    /// How many times in a row the last packet is sent again.
    pub retries: u32,
    /// The largest file taken.
    pub max_bytes: u64,
}

impl Default for Options {
    /// 10 s for the transfer, 1 s per packet, 5 retries, at most
    /// [`fs::MAX_LIST_BYTES`](crate::fs::MAX_LIST_BYTES) (what a phone
    /// downloads at most).
    fn default() -> Self {
        Options {
            deadline: Duration::from_secs(10),
            packet_timeout: Duration::from_secs(1),
            retries: 5,
            max_bytes: crate::fs::MAX_LIST_BYTES,
        }
    }
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TftpError {
    /// The server does not serve the file (TFTP error 1).
    #[error("{file}: not found on the server ({message})")]
    NotFound {
        /// The file asked for.
        file: String,
        /// What the server said.
        message: String,
    },
    /// The server refused with another TFTP error.
    #[error("{file}: the server refused: TFTP error {code} ({message})")]
    Refused {
        /// The file asked for.
        file: String,
        /// The TFTP error code (2 access violation, 4 illegal operation…).
        code: u16,
        /// What the server said.
        message: String,
    },
    /// No answer to a packet sent `retries + 1` times.
    #[error(
        "{file}: no answer from the server after {attempts} attempts ({received} bytes received)"
    )]
    NoAnswer {
        /// The file asked for.
        file: String,
        /// How many times the last packet was sent.
        attempts: u32,
        /// Bytes received before the server fell silent.
        received: u64,
    },
    /// The transfer did not end within the deadline.
    #[error("{file}: the transfer did not end within {deadline:?} ({received} bytes received)")]
    Deadline {
        /// The file asked for.
        file: String,
        /// The deadline.
        deadline: Duration,
        /// Bytes received by then.
        received: u64,
    },
    /// The file is larger than the limit.
    #[error("{file}: larger than {limit} bytes")]
    TooLarge {
        /// The file asked for.
        file: String,
        /// The limit it passed.
        limit: u64,
    },
    /// A packet that is not TFTP as RFC 1350 writes it.
    #[error("{file}: a malformed packet from the server: {what}")]
    Malformed {
        /// The file asked for.
        file: String,
        /// What is wrong with it.
        what: &'static str,
    },
    /// A file name that cannot be asked for (empty, a NUL, over 255 bytes).
    #[error("{0:?} cannot be asked for over TFTP")]
    BadFileName(String),
    /// The socket failed.
    #[error("{file}: {message}")]
    Io {
        /// The file asked for.
        file: String,
        /// The kind of I/O error.
        kind: ErrorKind,
        /// What the system said.
        message: String,
    },
}

fn io(file: &str, e: &std::io::Error) -> TftpError {
    TftpError::Io {
        file: file.into(),
        kind: e.kind(),
        message: e.to_string(),
    }
}

fn u16_at(p: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*p.get(i)?, *p.get(i.checked_add(1)?)?]))
}

/// Reads `file` from the TFTP server at `server` (port 69 usually).
pub fn read_file(server: SocketAddr, file: &str, options: &Options) -> Result<Vec<u8>, TftpError> {
    if file.is_empty() || file.len() > 255 || file.contains('\0') {
        return Err(TftpError::BadFileName(file.into()));
    }
    let start = Instant::now();
    let local: IpAddr = match server {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((local, 0)).map_err(|e| io(file, &e))?;
    let mut request = Vec::with_capacity(file.len().saturating_add(10));
    request.extend_from_slice(&RRQ.to_be_bytes());
    request.extend_from_slice(file.as_bytes());
    request.push(0);
    request.extend_from_slice(b"octet\0");
    socket.send_to(&request, server).map_err(|e| io(file, &e))?;

    let mut last: Vec<u8> = request;
    let mut peer: Option<SocketAddr> = None;
    let mut expected: u16 = 1;
    let mut data: Vec<u8> = Vec::new();
    let mut resent: u32 = 0;
    let mut buf = [0u8; 2048];
    let received = |d: &Vec<u8>| u64::try_from(d.len()).unwrap_or(u64::MAX);
    loop {
        let elapsed = start.elapsed();
        let Some(left) = options
            .deadline
            .checked_sub(elapsed)
            .filter(|l| !l.is_zero())
        else {
            return Err(TftpError::Deadline {
                file: file.into(),
                deadline: options.deadline,
                received: received(&data),
            });
        };
        let wait = left
            .min(options.packet_timeout)
            .max(Duration::from_millis(1));
        socket
            .set_read_timeout(Some(wait))
            .map_err(|e| io(file, &e))?;
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if start.elapsed() >= options.deadline {
                    continue; // the deadline error, above
                }
                if resent >= options.retries {
                    return Err(TftpError::NoAnswer {
                        file: file.into(),
                        attempts: resent.saturating_add(1),
                        received: received(&data),
                    });
                }
                resent = resent.saturating_add(1);
                socket
                    .send_to(&last, peer.unwrap_or(server))
                    .map_err(|e| io(file, &e))?;
                continue;
            }
            // An ICMP port unreachable from an earlier send, on some
            // systems: nothing listens there; the server stays silent.
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => continue,
            Err(e) => return Err(io(file, &e)),
        };
        // Only the server's transfer port, once known; before, only the
        // server's address.
        let ours = match peer {
            Some(p) => from == p,
            None => from.ip() == server.ip(),
        };
        if !ours {
            continue;
        }
        let packet = buf.get(..n).unwrap_or_default();
        let malformed = |what| TftpError::Malformed {
            file: file.into(),
            what,
        };
        let opcode = u16_at(packet, 0).ok_or_else(|| malformed("shorter than an opcode"))?;
        match opcode {
            DATA => {
                let block = u16_at(packet, 2)
                    .ok_or_else(|| malformed("a DATA packet without a block number"))?;
                let payload = packet.get(4..).unwrap_or_default();
                if payload.len() > BLOCK_SIZE {
                    return Err(malformed("a DATA packet of more than 512 bytes"));
                }
                peer = Some(from);
                if block == expected {
                    let total = received(&data)
                        .saturating_add(u64::try_from(payload.len()).unwrap_or(u64::MAX));
                    if total > options.max_bytes {
                        let mut error = Vec::from(ERROR.to_be_bytes());
                        error.extend_from_slice(&3u16.to_be_bytes());
                        error.extend_from_slice(b"file too large\0");
                        // Best effort: the transfer ends either way.
                        let _ = socket.send_to(&error, from);
                        return Err(TftpError::TooLarge {
                            file: file.into(),
                            limit: options.max_bytes,
                        });
                    }
                    data.extend_from_slice(payload);
                    last = Vec::from(ACK.to_be_bytes());
                    last.extend_from_slice(&block.to_be_bytes());
                    socket.send_to(&last, from).map_err(|e| io(file, &e))?;
                    resent = 0;
                    if payload.len() < BLOCK_SIZE {
                        return Ok(data);
                    }
                    expected = expected.wrapping_add(1);
                } else if block == expected.wrapping_sub(1) {
                    // Our ACK was lost: acknowledge again (never resend on
                    // anything else: no sorcerer's apprentice).
                    socket.send_to(&last, from).map_err(|e| io(file, &e))?;
                }
            }
            ERROR => {
                let code =
                    u16_at(packet, 2).ok_or_else(|| malformed("an ERROR packet without a code"))?;
                let text = packet.get(4..).unwrap_or_default();
                let text = text.split(|&b| b == 0).next().unwrap_or_default();
                let message: String = String::from_utf8_lossy(text.get(..200).unwrap_or(text))
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect();
                return Err(if code == 1 {
                    TftpError::NotFound {
                        file: file.into(),
                        message,
                    }
                } else {
                    TftpError::Refused {
                        file: file.into(),
                        code,
                        message,
                    }
                });
            }
            _ => return Err(malformed("an opcode a server does not send to a reader")),
        }
    }
}
