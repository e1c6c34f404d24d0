//! `tftp_read`: one file from a TFTP server (`cisco_itl::tftp`), for
//! `itl collect tftp`.

use std::net::ToSocketAddrs;
use std::time::Duration;

use cisco_itl::tftp::{Options, TftpError, read_file};
use pyo3::exceptions::{
    PyConnectionError, PyFileNotFoundError, PyOSError, PyTimeoutError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            PyValueError::new_err(format!("{what} must be a positive number of seconds"))
        })
}

/// Reads ``filename`` from the TFTP server at ``host``:``port`` (RFC 1350,
/// octet mode) and returns its bytes. The whole transfer ends within
/// ``deadline`` seconds; a packet unanswered for ``packet_timeout`` seconds
/// is sent again, at most ``retries`` times in a row; the file may hold at
/// most ``max_bytes`` (default ``MAX_LIST_BYTES``); packets from any other
/// address or port than the server's transfer port are dropped.
///
/// Raises ``FileNotFoundError`` when the server does not serve the file,
/// ``TimeoutError`` when it is silent or the deadline passes,
/// ``ConnectionError`` when it refuses, sends a malformed packet or too
/// much, ``OSError`` when the host does not resolve or the socket fails,
/// ``ValueError`` for a file name TFTP cannot carry.
#[pyfunction]
#[pyo3(signature = (host, port, filename, *, deadline = 10.0, packet_timeout = 1.0, retries = 5, max_bytes = cisco_itl::fs::MAX_LIST_BYTES))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn tftp_read<'py>(
    py: Python<'py>,
    host: &str,
    port: u16,
    filename: &str,
    deadline: f64,
    packet_timeout: f64,
    retries: u32,
    max_bytes: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = Options {
        deadline: seconds(deadline, "deadline")?,
        packet_timeout: seconds(packet_timeout, "packet_timeout")?,
        retries,
        max_bytes,
    };
    let host_owned = host.to_owned();
    let name = filename.to_owned();
    let result = py.detach(
        move || -> Result<Result<Vec<u8>, TftpError>, std::io::Error> {
            let server = (host_owned.as_str(), port)
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
            Ok(read_file(server, &name, &options))
        },
    );
    let data = match result {
        Err(e) => {
            return Err(PyOSError::new_err(format!("{host}: does not resolve: {e}")));
        }
        Ok(Ok(data)) => data,
        Ok(Err(e)) => {
            let message = e.to_string();
            return Err(match e {
                TftpError::NotFound { .. } => PyFileNotFoundError::new_err(message),
                TftpError::NoAnswer { .. } | TftpError::Deadline { .. } => {
                    PyTimeoutError::new_err(message)
                }
                TftpError::BadFileName(_) => PyValueError::new_err(message),
                TftpError::Io { .. } => PyOSError::new_err(message),
                _ => PyConnectionError::new_err(message),
            });
        }
    };
    Ok(PyBytes::new(py, &data))
}
