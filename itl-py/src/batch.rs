//! `verify_many`: a batch verified on several cores with the GIL released,
//! one outcome per input; and `show`, the `show itl` text of any file.

use std::path::PathBuf;

use cisco_itl::verifier::Verifier;
use cisco_itl::verify::Verified;
use cisco_itl::{Error, ListKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use crate::args::{bytes_arg, is_path, path_arg, policy, type_name};
use crate::errors::ItlError;
use crate::list::{Anchors, LIST_SIGNERS};

/// One input of a batch: bytes from Python, a file read, or a file that
/// could not be.
enum Input {
    Memory(PyBackedBytes),
    File(PathBuf, Result<Vec<u8>, cisco_itl::fs::FileError>),
}

impl AsRef<[u8]> for Input {
    fn as_ref(&self) -> &[u8] {
        match self {
            Input::Memory(b) => b,
            Input::File(_, Ok(b)) => b,
            Input::File(_, Err(_)) => &[],
        }
    }
}

/// Reads the files of `inputs` on `threads` threads (0: one per core).
fn read_files(inputs: &mut [Input], threads: usize) {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let chunk = inputs.len().div_ceil(threads).max(1);
    let read = |part: &mut [Input]| {
        for input in part {
            if let Input::File(path, data) = input {
                *data = cisco_itl::fs::read_bounded(&*path, cisco_itl::fs::MAX_LIST_BYTES);
            }
        }
    };
    if threads == 1 {
        read(inputs);
        return;
    }
    std::thread::scope(|scope| {
        for part in inputs.chunks_mut(chunk) {
            scope.spawn(move || read(part));
        }
    });
}

/// The outcome of one input of ``verify_many``: ``ok`` when it parsed and
/// verified; otherwise ``error`` holds the exception it would have raised
/// (``ParseError``, ``VerificationError``, ``PolicyError``, or an
/// ``OSError`` for a file that could not be read). ``bool(outcome)`` is
/// ``ok``.
#[pyclass(frozen, module = "cisco_itl", name = "VerifyOutcome", get_all)]
pub(crate) struct PyVerifyOutcome {
    /// The input's position in the batch.
    index: usize,
    /// The file's path as given, ``None`` for bytes.
    path: Option<String>,
    /// Whether it parsed and verified.
    ok: bool,
    /// The index of its signing record (when checked against its own
    /// records), ``None`` otherwise.
    signer_index: Option<usize>,
    /// The digest of its signature, ``None`` when it did not verify.
    digest: Option<&'static str>,
    /// The size of the signer's key in bits, ``None`` when it did not verify.
    key_bits: Option<usize>,
    /// Why it did not verify: an exception instance, ``None`` when ``ok``.
    error: Option<Py<PyAny>>,
}

#[pymethods]
impl PyVerifyOutcome {
    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let what = match &self.path {
            Some(p) => format!("{p:?}"),
            None => format!("#{}", self.index),
        };
        match &self.error {
            None => format!(
                "<VerifyOutcome {what}: ok, signer {}>",
                self.signer_index
                    .map_or_else(|| "trusted".to_string(), |i| format!("record {i}"))
            ),
            Some(e) => {
                let e = e.bind(py);
                let text = e.str().map(|s| s.to_string()).unwrap_or_default();
                format!("<VerifyOutcome {what}: {}: {text}>", type_name(e))
            }
        }
    }
}

/// Parses and verifies every item of ``items`` (bytes, or paths as
/// ``str``/``os.PathLike``, read here) with the GIL released, on
/// ``workers`` threads (``None``: one per core; 1: the calling thread).
/// Returns one ``VerifyOutcome`` per item, in input order; a bad or
/// unreadable file is an outcome, never an exception.
///
/// Each list is verified against its own signing record, or, when
/// ``trusted`` is given (a ``TrustList`` whose SAST, CCM+TFTP and TFTP
/// records are trusted, certificate bytes, or a sequence of these),
/// against those keys. Signers' keys are decoded once per batch.
#[pyfunction]
#[pyo3(signature = (items, trusted = None, workers = None, *, strict = false))]
pub(crate) fn verify_many(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    trusted: Option<&Bound<'_, PyAny>>,
    workers: Option<usize>,
    strict: bool,
) -> PyResult<Vec<PyVerifyOutcome>> {
    let mut inputs = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        if is_path(&item) {
            inputs.push(Input::File(path_arg(&item)?, Ok(Vec::new())));
        } else {
            inputs.push(Input::Memory(bytes_arg(&item, "each item")?));
        }
    }
    if workers == Some(0) {
        return Err(PyValueError::new_err("workers must be at least 1, or None"));
    }
    let threads = workers.unwrap_or(0);
    let mut verifier = Verifier::new().with_policy(policy(strict)).threads(threads);
    if let Some(t) = trusted {
        verifier = verifier.trusting(Anchors::from_py(t, &LIST_SIGNERS)?.anchors);
    }
    let results: Vec<Result<Verified, Error>> = py.detach(|| {
        read_files(&mut inputs, threads);
        verifier.verify_many(&inputs)
    });
    inputs
        .iter()
        .zip(results)
        .enumerate()
        .map(|(index, (input, result))| {
            let path = match input {
                Input::File(p, _) => Some(p.display().to_string()),
                Input::Memory(_) => None,
            };
            let error = match (input, &result) {
                (Input::File(_, Err(e)), _) => {
                    Some(crate::args::file_error(e).into_value(py).into_any())
                }
                (_, Err(e)) => Some(ItlError::from(e.clone()).to_exception(py)?.unbind()),
                (_, Ok(_)) => None,
            };
            let verified = match (&error, result) {
                (None, Ok(v)) => Some(v),
                _ => None,
            };
            Ok(PyVerifyOutcome {
                index,
                path,
                ok: verified.is_some(),
                signer_index: verified.and_then(|v| v.signer_index),
                digest: verified.map(|v| v.digest.name()),
                key_bits: verified.map(|v| v.key_bits),
                error,
            })
        })
        .collect()
}

/// The ``show itl`` text of any file, and how it ended.
#[pyclass(frozen, module = "cisco_itl", name = "Shown", get_all)]
pub(crate) struct PyShown {
    /// The text, one line per ``\n``.
    text: String,
    /// ``"verified"``, ``"not-verified"`` (parsed, signature not
    /// accepted), ``"signed-file"`` (a ``.sgn``: its header, which cannot
    /// be verified alone) or ``"malformed"``.
    outcome: &'static str,
    /// Why it did not verify or parse; ``None`` when verified or a signed file.
    error: Option<String>,
}

#[pymethods]
impl PyShown {
    fn __str__(&self) -> String {
        self.text.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Shown {}: {} lines>",
            self.outcome,
            self.text.lines().count()
        )
    }
}

/// Renders ``data`` as CUCM's ``show itl`` (or ``show ctl``) does; a
/// signed file (``.sgn``) is shown by its header. ``kind`` (``"ITL"`` or
/// ``"CTL"``) names the list when the file is too broken to say.
///
/// With ``out`` (a text stream such as ``sys.stdout``) the text is written
/// to it in pieces of 64 KiB as it is made, and ``Shown.text`` is empty:
/// the memory of one piece whatever the file's size (the whole text of a
/// list of small records is some 13 times the file). With ``text=False``
/// only the outcome is found. An exception ``out.write`` raises stops the
/// rendering and is raised.
#[pyfunction]
#[pyo3(signature = (data, kind = None, *, text = true, out = None))]
pub(crate) fn show(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    kind: Option<&str>,
    text: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyShown> {
    use cisco_itl::show::{
        Outcome, is_signed_file, render, render_signed_file, render_signed_file_to, render_to,
    };
    let data = bytes_arg(data, "data")?;
    let kind = match kind.map(str::to_ascii_uppercase).as_deref() {
        None => None,
        Some("ITL") => Some(ListKind::Itl),
        Some("CTL") => Some(ListKind::Ctl),
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "unknown kind {other:?}: expected 'ITL' or 'CTL'"
            )));
        }
    };
    if out.is_none() && text && data.len() > MAX_SHOW_TEXT_INPUT {
        // The whole text of a large list is many times its size, held in
        // one string: past this, an exception rather than an allocation
        // failure (an abort) inside the extension.
        return Err(PyValueError::new_err(format!(
            "data is {} bytes, more than the {MAX_SHOW_TEXT_INPUT} whose text show() holds at once: \
             pass out= (a text stream) to write it as it is made, or text=False",
            data.len()
        )));
    }
    let shown = |text: String, outcome: Option<Outcome>| {
        let (outcome, error) = match outcome {
            None => ("signed-file", None),
            Some(Outcome::Verified(_)) => ("verified", None),
            Some(Outcome::VerificationFailed(e)) => ("not-verified", Some(e.to_string())),
            Some(Outcome::ParseFailed(e)) => ("malformed", Some(e.to_string())),
        };
        PyShown {
            text,
            outcome,
            error,
        }
    };
    if let Some(out) = out {
        // Written as it is made, with the GIL held (each piece is a call
        // to `out.write`).
        let mut w = PyWriter {
            out,
            buf: String::new(),
            error: None,
        };
        let outcome = if is_signed_file(&data) {
            render_signed_file_to(&mut w, &data).map(|_| None)
        } else {
            render_to(&mut w, &data, kind).map(Some)
        };
        let outcome = outcome.and_then(|o| w.flush().map(|()| o));
        return match (outcome, w.error) {
            (Ok(o), _) => Ok(shown(String::new(), o)),
            (Err(_), Some(e)) => Err(e),
            (Err(_), None) => Err(PyValueError::new_err("the text could not be written")),
        };
    }
    Ok(py.detach(|| {
        if is_signed_file(&data) {
            let text = if text {
                render_signed_file(&data)
            } else {
                String::new()
            };
            return shown(text, None);
        }
        if text {
            let r = render(&data, kind);
            return shown(r.text, Some(r.outcome));
        }
        match render_to(&mut Discard, &data, kind) {
            Ok(outcome) => shown(String::new(), Some(outcome)),
            // `Discard` never fails; should it, the full rendering still
            // tells the outcome.
            Err(_) => shown(String::new(), Some(render(&data, kind).outcome)),
        }
    }))
}

/// The largest input `show()` renders into one string (16 MiB; its text
/// may take 13 times that for a list of the smallest records).
pub(crate) const MAX_SHOW_TEXT_INPUT: usize = 16 << 20;

/// A text sink that keeps nothing: `show(text=False)`.
struct Discard;

impl std::fmt::Write for Discard {
    fn write_str(&mut self, _: &str) -> std::fmt::Result {
        Ok(())
    }
}

/// `show(out=...)`: text to a Python stream, 64 KiB at a time.
struct PyWriter<'a, 'py> {
    out: &'a Bound<'py, PyAny>,
    buf: String,
    error: Option<PyErr>,
}

impl PyWriter<'_, '_> {
    const PIECE: usize = 1 << 16;

    fn flush(&mut self) -> std::fmt::Result {
        if self.buf.is_empty() {
            return Ok(());
        }
        match self.out.call_method1("write", (self.buf.as_str(),)) {
            Ok(_) => {
                self.buf.clear();
                Ok(())
            }
            Err(e) => {
                self.error = Some(e);
                Err(std::fmt::Error)
            }
        }
    }
}

impl std::fmt::Write for PyWriter<'_, '_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.push_str(s);
        if self.buf.len() >= Self::PIECE {
            self.flush()
        } else {
            Ok(())
        }
    }
}

/// Reads the regular file ``path`` (``str`` or ``os.PathLike``), at most
/// ``limit`` bytes (default ``MAX_LIST_BYTES``, 1 MiB: what a phone
/// downloads), with the GIL released. A directory, a FIFO, a device
/// (``/dev/zero``, ``/dev/stdin``) or a larger file raises ``OSError``
/// at once, without reading it or waiting for a writer.
#[pyfunction]
#[pyo3(signature = (path, limit = cisco_itl::fs::MAX_LIST_BYTES))]
pub(crate) fn read_file<'py>(
    py: Python<'py>,
    path: &Bound<'py, PyAny>,
    limit: u64,
) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let data = crate::args::read_file_within(&path_arg(path)?, limit)?;
    Ok(pyo3::types::PyBytes::new(py, &data))
}
