//! Files read with a bound: a regular file, at most so many bytes.
//!
//! Every file this crate (and the C library, the Python package and a
//! cluster description) reads goes through [`read_bounded`]: a FIFO, a
//! terminal, `/dev/zero`, `/dev/stdin` or a directory is refused before a
//! byte is read and without waiting for a writer, and a file larger than
//! the limit is refused after reading at most one byte past it, so that a
//! path an attacker chooses costs a bounded amount of memory and time.
//!
//! ```
//! use cisco_itl::fs::{FileError, MAX_LIST_BYTES, read_bounded};
//! let itl = read_bounded("tests/data/vectors/cucm-ITLFile.tlv", MAX_LIST_BYTES)?;
//! assert!(cisco_itl::TrustList::parse(&itl).is_ok());
//! # #[cfg(unix)]
//! assert!(matches!(read_bounded("/dev/zero", MAX_LIST_BYTES), Err(FileError::NotAFile { .. })));
//! assert!(matches!(read_bounded("tests/data", MAX_LIST_BYTES), Err(FileError::NotAFile { .. })));
//! # Ok::<(), FileError>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest trust list or signed file read from a path: what a phone
/// downloads at most ([`phone::DEFAULT_MAX_FILE_SIZE`](crate::phone::DEFAULT_MAX_FILE_SIZE), 1 MiB).
pub const MAX_LIST_BYTES: u64 = crate::phone::DEFAULT_MAX_FILE_SIZE as u64;

/// The largest key, certificate or PKCS#12 file read from a path (a PEM
/// key and certificate take a few kilobytes; a pool of keys some tens).
pub const MAX_KEY_FILE_BYTES: u64 = 1 << 20;

/// The largest report (a CSV of phones, one line each) read from a path:
/// 128 MiB, some million phones.
pub const MAX_REPORT_BYTES: u64 = 128 << 20;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// It could not be opened or read (missing, no permission…).
    #[error("{}: {message}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// The system's error number, when there is one (`ENOENT`…).
        errno: Option<i32>,
        /// What the system said (`"No such file or directory"`).
        message: String,
    },
    /// It is not a regular file: a directory, a FIFO, a device, a socket.
    #[error("{}: not a regular file ({kind})", path.display())]
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What it is: `"a directory"`, `"a FIFO"`, `"a character device"`…
        kind: &'static str,
    },
    /// It holds more than the limit.
    #[error("{}: larger than {limit} bytes", path.display())]
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// The limit it passed.
        limit: u64,
    },
}

impl FileError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            FileError::Io { path, .. }
            | FileError::NotAFile { path, .. }
            | FileError::TooLarge { path, .. } => path,
        }
    }

    /// What went wrong, without the path (`"larger than 1048576 bytes"`).
    pub fn reason(&self) -> String {
        match self {
            FileError::Io { message, .. } => message.clone(),
            FileError::NotAFile { kind, .. } => alloc::format!("not a regular file ({kind})"),
            FileError::TooLarge { limit, .. } => alloc::format!("larger than {limit} bytes"),
        }
    }
}

/// An I/O error's text without Rust's `" (os error N)"`.
fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// What a file that is not regular is, in words.
fn kind_of(t: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

fn check(path: &Path, m: &Metadata, limit: u64) -> Result<(), FileError> {
    if !m.is_file() {
        return Err(FileError::NotAFile {
            path: path.to_path_buf(),
            kind: kind_of(m.file_type()),
        });
    }
    if m.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(())
}

/// Opens without waiting: a FIFO with no writer would block `open` itself.
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Reads the regular file `path`, refusing anything else and anything
/// larger than `limit` bytes.
///
/// The path is checked before it is opened (a device named by the path is
/// not opened; one swapped in between is opened without blocking, and
/// refused), the open handle is checked again (so nothing but a regular
/// file is ever read), and at most `limit + 1` bytes are read (a file that
/// grows, or a `/proc` file that says it is empty, cannot exceed the
/// limit). A regular file on a network file system can still be slow to
/// read: the size is bounded, the time is the file system's.
pub fn read_bounded(path: impl AsRef<Path>, limit: u64) -> Result<Vec<u8>, FileError> {
    let path = path.as_ref();
    let io = |e: std::io::Error| FileError::Io {
        path: path.to_path_buf(),
        kind: e.kind(),
        errno: e.raw_os_error(),
        message: io_text(&e),
    };
    check(path, &std::fs::metadata(path).map_err(io)?, limit)?;
    let file = open(path).map_err(io)?;
    let m = file.metadata().map_err(io)?;
    check(path, &m, limit)?;
    // Capacity from the size the file says it has (at most the limit).
    let mut bytes = Vec::with_capacity(usize::try_from(m.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}
