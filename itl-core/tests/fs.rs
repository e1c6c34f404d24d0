//! `fs::read_bounded`: every path an attacker may choose costs a bounded
//! amount of memory and time, and never blocks.
#![cfg(feature = "std")]
#![cfg(test)]

use std::path::{Path, PathBuf};

use cisco_itl::fs::{FileError, MAX_KEY_FILE_BYTES, MAX_LIST_BYTES, read_bounded};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cisco-itl-fs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_limits_are_a_phones() {
    assert_eq!(
        MAX_LIST_BYTES,
        cisco_itl::phone::DEFAULT_MAX_FILE_SIZE as u64
    );
    assert_eq!(MAX_LIST_BYTES, 1 << 20);
    assert_eq!(MAX_KEY_FILE_BYTES, 1 << 20);
}

#[test]
fn a_file_of_exactly_the_limit_is_read_one_byte_more_is_not() {
    let dir = scratch("limit");
    let path = dir.join("list.tlv");
    std::fs::write(&path, vec![7u8; 100]).unwrap();
    assert_eq!(read_bounded(&path, 100).unwrap(), vec![7u8; 100]);
    assert_eq!(
        read_bounded(&path, 99).unwrap_err(),
        FileError::TooLarge {
            path: path.clone(),
            limit: 99
        }
    );
    assert_eq!(
        read_bounded(&path, 99).unwrap_err().to_string(),
        format!("{}: larger than 99 bytes", path.display())
    );
    assert_eq!(
        read_bounded(&path, 99).unwrap_err().reason(),
        "larger than 99 bytes"
    );
    // A sparse file of 4 GiB is refused by its size, not read.
    let huge = dir.join("huge.tlv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    assert!(matches!(
        read_bounded(&huge, MAX_LIST_BYTES),
        Err(FileError::TooLarge {
            limit: MAX_LIST_BYTES,
            ..
        })
    ));
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(read_bounded(&empty, 0).unwrap(), b"");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_and_a_missing_file_are_typed_errors() {
    let dir = scratch("folder");
    assert_eq!(
        read_bounded(&dir, MAX_LIST_BYTES).unwrap_err(),
        FileError::NotAFile {
            path: dir.clone(),
            kind: "a directory"
        }
    );
    let missing = dir.join("missing.tlv");
    let e = read_bounded(&missing, MAX_LIST_BYTES).unwrap_err();
    match &e {
        FileError::Io {
            path,
            kind,
            errno,
            message,
        } => {
            assert_eq!(path, &missing);
            assert_eq!(*kind, std::io::ErrorKind::NotFound);
            #[cfg(unix)]
            assert_eq!(*errno, Some(libc::ENOENT));
            assert_eq!(message, "No such file or directory");
        }
        other => panic!("{other}"),
    }
    assert_eq!(e.path(), missing.as_path());
    assert_eq!(
        e.to_string(),
        format!("{}: No such file or directory", missing.display())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn devices_and_stdin_are_refused_before_a_byte_is_read() {
    for (path, kind) in [
        ("/dev/zero", "a character device"),
        ("/dev/urandom", "a character device"),
        ("/dev/null", "a character device"),
    ] {
        assert_eq!(
            read_bounded(path, MAX_LIST_BYTES).unwrap_err(),
            FileError::NotAFile {
                path: PathBuf::from(path),
                kind
            },
        );
    }
    // Whatever stdin is for this test (a terminal, /dev/null, a pipe).
    match read_bounded("/dev/stdin", MAX_LIST_BYTES).unwrap_err() {
        FileError::NotAFile { kind, .. } => {
            assert!(
                ["a character device", "a FIFO", "a socket"].contains(&kind),
                "{kind}"
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        read_bounded("/dev/zero", MAX_LIST_BYTES)
            .unwrap_err()
            .to_string(),
        "/dev/zero: not a regular file (a character device)"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_proc_file_that_says_it_is_empty_is_read_within_the_limit() {
    // /proc files are regular files of size 0 that hold text.
    let status = read_bounded("/proc/self/status", 1 << 20).unwrap();
    assert!(status.starts_with(b"Name:"));
    assert!(matches!(
        read_bounded("/proc/self/status", 10),
        Err(FileError::TooLarge { limit: 10, .. })
    ));
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_link_to_it_are_refused_without_waiting_for_a_writer() {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = scratch("fifo");
    let fifo = dir.join("ITLFile.tlv");
    mkfifo(&fifo);
    let link = dir.join("link.tlv");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    // A writer that would feed the reader if the FIFO were ever opened.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let _ = f.write_all(b"not a list");
        })
    };
    for path in [&fifo, &link] {
        assert_eq!(
            read_bounded(path, MAX_LIST_BYTES).unwrap_err(),
            FileError::NotAFile {
                path: path.clone(),
                kind: "a FIFO"
            }
        );
    }
    assert!(!writer.is_finished(), "the FIFO was opened");
    let _reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    writer.join().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_real_list_reads_whole() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors/cucm-ITLFile.tlv"
    ));
    let bytes = read_bounded(path, MAX_LIST_BYTES).unwrap();
    assert_eq!(bytes, std::fs::read(path).unwrap());
    assert_eq!(cisco_itl::TrustList::parse(&bytes).unwrap().len(), 6);
}
