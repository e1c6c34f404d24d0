//! `TrustList`, `Record`, `Verified`, and the trust anchors that
//! `verify_with` and `verify_many` take.

use cisco_itl::digest::sha1;
use cisco_itl::verify::{TrustAnchor, Verified};
use cisco_itl::{DigestAlgorithm, Function, Record, TrustList};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList};
use self_cell::self_cell;

use crate::args::{
    bytes_arg, certificates_arg, function_py, functions_arg, hex, ip_text, policy, py_bytes,
    type_name,
};
use crate::errors::{ItlError, ItlResult, Kind};
use crate::header::{Parsed, file_class, file_dict, file_methods, hash_of};

file_class!(
    /// An ITL or CTL trust list (`ITLFile.tlv`, `CTLFile.tlv`), read from its
    /// bytes without copying them.
    ///
    /// ``TrustList(data)`` is ``TrustList.from_bytes(data)``. Parsing checks
    /// every element of every record; malformed bytes raise ``ParseError``
    /// with the byte offset at fault. ``len(list)`` is the record count, and
    /// iterating a list gives its records.
    #[pyclass(frozen, module = "cisco_itl", name = "TrustList")]
    PyTrustList, ListCell(TrustList),
    signers: LIST_SIGNERS
);

impl PyTrustList {
    fn record_at(&self, py: Python<'_>, index: usize) -> PyResult<PyRecord> {
        let r = self
            .view()
            .record(index)
            .ok_or_else(|| PyIndexError::new_err("record index out of range"))?;
        Ok(PyRecord::of(py, self.bytes(), &r, Some(index))?)
    }

    fn all_records(&self, py: Python<'_>) -> ItlResult<Vec<PyRecord>> {
        self.view()
            .records()
            .enumerate()
            .map(|(i, r)| PyRecord::of(py, self.bytes(), &r, Some(i)))
            .collect()
    }
}

file_methods!(PyTrustList {
    /// ``"ITL"`` or ``"CTL"``, from the header's FILENAME.
    #[getter]
    fn kind(&self) -> &'static str {
        self.view().kind().as_str()
    }

    /// The records, in file order (a new list of ``Record`` each time).
    #[getter]
    fn records(&self, py: Python<'_>) -> PyResult<Vec<PyRecord>> {
        Ok(self.all_records(py)?)
    }

    /// The index (0-based) of the signing record: the SAST record whose
    /// serial and issuer are the header's signer's; ``None`` when no
    /// record is.
    #[getter]
    fn signer_index(&self) -> Option<usize> {
        self.view().signer_record().map(|(i, _)| i)
    }

    /// Verifies the list against its own signing record (the GIL is
    /// released meanwhile) and returns that record. Raises
    /// ``VerificationError`` when the signature is not accepted, or
    /// ``PolicyError`` when ``strict`` refuses its digest (SHA-1) or key
    /// size (under 2048 bits).
    #[pyo3(signature = (*, strict = false))]
    fn verify(&self, py: Python<'_>, strict: bool) -> PyResult<PyRecord> {
        let list = self.view();
        let verified = py.detach(|| -> ItlResult<Verified> {
            Ok(list.verify_with_policy(&policy(strict))?)
        })?;
        let index = verified.signer_index.ok_or_else(|| {
            ItlError::new(
                Kind::Verification,
                "the list verified without a signing record",
            )
        })?;
        self.record_at(py, index)
    }

    /// What CUCM's ``show itl`` (or ``show ctl``) prints for this list,
    /// ending with whether it verified.
    fn show(&self, py: Python<'_>) -> String {
        let data = self.bytes();
        py.detach(|| cisco_itl::show::render(data, None).text)
    }

    /// The records that carry any of ``functions`` (names such as
    /// ``"TVS"``, or codes).
    #[pyo3(signature = (*functions))]
    fn records_with(
        &self,
        py: Python<'_>,
        functions: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyRecord>> {
        let wanted = functions_arg(&functions)?;
        Ok(self
            .view()
            .records()
            .enumerate()
            .filter(|(_, r)| wanted.iter().any(|f| r.has_function(*f)))
            .map(|(i, r)| PyRecord::of(py, self.bytes(), &r, Some(i)))
            .collect::<ItlResult<_>>()?)
    }

    /// The list as a JSON-ready ``dict`` (bytes as lowercase hex). With
    /// ``records=False`` the ``"records"`` entry is left out:
    /// ``record_dicts()`` gives them one at a time, so that a large list
    /// is written as JSON without holding every record's ``dict``.
    #[pyo3(signature = (*, records = true))]
    fn to_dict<'py>(&self, py: Python<'py>, records: bool) -> PyResult<Bound<'py, PyDict>> {
        let list = self.view();
        let d = file_dict(py, list.kind().as_str(), self)?;
        d.set_item("signer_index", list.signer_record().map(|(i, _)| i))?;
        if records {
            // A dict per record, all at once: a huge list (millions of
            // records) would exhaust memory inside PyO3, where a failed
            // allocation is a panic. An exception instead, at once.
            if list.len() > MAX_DICT_RECORDS {
                return Err(PyValueError::new_err(format!(
                    "the list has {} records, more than the {MAX_DICT_RECORDS} to_dict() makes at once: \
                     use to_dict(records=False) and record_dicts()",
                    list.len()
                )));
            }
            let all = PyList::empty(py);
            for (i, r) in list.records().enumerate() {
                all.append(record_dict(py, &r, Some(i))?)?;
            }
            d.set_item("records", all)?;
        }
        Ok(d)
    }

    /// The records' ``dict`` (``Record.to_dict()``), made one at a time as
    /// the iterator is advanced: the memory of one record, whatever the
    /// list's size.
    fn record_dicts(&self, py: Python<'_>) -> PyRecordDicts {
        PyRecordDicts {
            data: self.bytes().clone_ref(py),
            pos: self.header_view().length(),
            index: 0,
        }
    }

    fn __len__(&self) -> usize {
        self.view().len()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let list = PyList::new(py, self.all_records(py)?)?;
        Ok(list.try_iter()?.into_any().unbind())
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<PyRecord> {
        let len = self.view().len();
        let i = if index < 0 {
            len.checked_sub(index.unsigned_abs())
        } else {
            Some(index.unsigned_abs())
        };
        match i.filter(|i| *i < len) {
            Some(i) => self.record_at(py, i),
            None => Err(PyIndexError::new_err("record index out of range")),
        }
    }

    fn __repr__(&self) -> String {
        let list = self.view();
        let h = list.header();
        format!(
            "<TrustList {} {:?}: {} records, signed by {:?}, sha1 {}>",
            list.kind().as_str(),
            h.filename(),
            list.len(),
            h.signer_name(),
            hex(&sha1(self.bytes())),
        )
    }
});

/// The most records `TrustList.to_dict()` turns into dicts at once (a 1 MiB
/// list holds at most some 47,000; real ones a few dozen).
pub(crate) const MAX_DICT_RECORDS: usize = 65_536;

/// The functions whose records may sign a trust list or a configuration:
/// what `verify_with` trusts in a `TrustList` by default.
pub(crate) const LIST_SIGNERS: [Function; 3] = [Function::Sast, Function::CcmTftp, Function::Tftp];

fn record_dict<'py>(
    py: Python<'py>,
    r: &Record<'_>,
    index: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("index", index)?;
    d.set_item("offset", r.offset())?;
    d.set_item("length", r.length())?;
    let functions = r
        .functions()
        .map(|f| function_py(py, f))
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("functions", functions)?;
    d.set_item("dns_name", r.dns_name())?;
    d.set_item("subject", r.subject())?;
    d.set_item("issuer", r.issuer())?;
    d.set_item("serial", hex(r.serial()))?;
    d.set_item("public_key", r.public_key().map(hex))?;
    d.set_item("signature", r.signature().map(hex))?;
    d.set_item("certificate", r.certificate().map(hex))?;
    d.set_item("certificate_sha1", r.certificate().map(|c| hex(&sha1(c))))?;
    d.set_item("ip_address", r.ip_address().map(ip_text))?;
    d.set_item("cert_hash", r.cert_hash().map(hex))?;
    // The certificate's validity and key (None for a CERTHASH-only record).
    let info = r
        .certificate()
        .and_then(|c| cisco_itl::cert::CertInfo::from_der(c).ok());
    let date = |s: u64| cisco_itl::cert::iso8601(s);
    d.set_item(
        "not_before",
        info.as_ref().and_then(|c| date(c.not_before())),
    )?;
    d.set_item("not_after", info.as_ref().and_then(|c| date(c.not_after())))?;
    d.set_item("key_algorithm", info.as_ref().map(|c| c.key_algorithm()))?;
    d.set_item("key_bits", info.as_ref().and_then(|c| c.key_bits()))?;
    d.set_item(
        "hash_algorithm",
        r.hash_algorithm()
            .map(|c| DigestAlgorithm::from_code(c).name()),
    )?;
    Ok(d)
}

/// The iterator of ``TrustList.record_dicts()``.
#[pyclass(module = "cisco_itl", name = "RecordDicts")]
pub(crate) struct PyRecordDicts {
    data: PyBackedBytes,
    pos: usize,
    index: usize,
}

#[pymethods]
impl PyRecordDicts {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(rest) = self.data.get(self.pos..).filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let r = Record::parse(rest, self.pos).map_err(ItlError::from)?;
        let d = record_dict(py, &r, Some(self.index))?;
        // A record is never empty (its RECORDLENGTH element alone takes
        // five bytes): the walk always ends.
        self.pos = self.pos.saturating_add(r.length().max(1));
        self.index = self.index.saturating_add(1);
        Ok(Some(d))
    }
}

/// One record of a trust list: a certificate (or its hash) and its roles.
/// Records share their list's bytes.
#[pyclass(frozen, module = "cisco_itl", name = "Record")]
pub(crate) struct PyRecord {
    cell: RecordCell,
    index: Option<usize>,
}

self_cell!(
    /// The list's bytes and one record's view of them.
    struct RecordCell {
        owner: PyBackedBytes,
        #[covariant]
        dependent: Record,
    }
);

impl PyRecord {
    /// The record `r` of the list whose bytes are `data`, parsed once more
    /// (from its own bytes only) to be kept beside them.
    pub(crate) fn of(
        py: Python<'_>,
        data: &PyBackedBytes,
        r: &Record<'_>,
        index: Option<usize>,
    ) -> ItlResult<Self> {
        let (offset, length) = (r.offset(), r.length());
        let cell = RecordCell::try_new(data.clone_ref(py), |d| {
            let bytes = d.get(offset..).and_then(|rest| rest.get(..length));
            Record::parse(bytes.unwrap_or_default(), offset)
        })?;
        Ok(PyRecord { cell, index })
    }

    fn view(&self) -> &Record<'_> {
        self.cell.borrow_dependent()
    }
}

#[pymethods]
impl PyRecord {
    /// RECORDLENGTH: the record's byte count.
    #[getter]
    fn length(&self) -> usize {
        self.view().length()
    }

    /// The record's offset in its file.
    #[getter]
    fn offset(&self) -> usize {
        self.view().offset()
    }

    /// The record's index (0-based) in its list.
    #[getter]
    fn index(&self) -> Option<usize> {
        self.index
    }

    /// Every FUNCTION, in file order: ``"SAST"``, ``"CCM"``,
    /// ``"CCM+TFTP"``, ``"TFTP"``, ``"CAPF"``, ``"APP-SERVER"``, ``"TVS"``,
    /// or the code (an ``int``) when the format does not define it.
    #[getter]
    fn functions(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.view()
            .functions()
            .map(|f| function_py(py, f))
            .collect()
    }

    /// The first FUNCTION (as in ``functions``).
    #[getter]
    fn function(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        function_py(py, self.view().function())
    }

    /// SUBJECTNAME.
    #[getter]
    fn subject(&self) -> &str {
        self.view().subject()
    }

    /// ISSUERNAME.
    #[getter]
    fn issuer(&self) -> &str {
        self.view().issuer()
    }

    /// SERIALNUMBER, lowercase hex.
    #[getter]
    fn serial(&self) -> String {
        hex(self.view().serial())
    }

    /// DNSNAME (empty in CUCM's ITLs); ``None`` when absent.
    #[getter]
    fn dns_name(&self) -> Option<&str> {
        self.view().dns_name()
    }

    /// PUBLICKEY (PKCS#1 ``RSAPublicKey`` DER for RSA); ``None`` when absent.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.view().public_key().map(|b| py_bytes(py, b))
    }

    /// SIGNATURE: the certificate's own signature; ``None`` when absent.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.view().signature().map(|b| py_bytes(py, b))
    }

    /// CERTIFICATE: the X.509 certificate, DER; ``None`` when the record
    /// carries only its hash (TVS and CAPF records of CUCM's ITLs).
    #[getter]
    fn certificate<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.view().certificate().map(|b| py_bytes(py, b))
    }

    /// IPADDRESS as text (``"10.48.47.155"``); ``None`` when absent.
    #[getter]
    fn ip_address(&self) -> Option<String> {
        self.view().ip_address().map(ip_text)
    }

    /// CERTHASH: the hash of the certificate's DER; ``None`` when absent.
    #[getter]
    fn cert_hash<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.view().cert_hash().map(|b| py_bytes(py, b))
    }

    /// The algorithm of CERTHASH (``"sha1"``…); ``None`` when absent.
    #[getter]
    fn hash_algorithm(&self) -> Option<&'static str> {
        self.view()
            .hash_algorithm()
            .map(|c| DigestAlgorithm::from_code(c).name())
    }

    /// Whether any FUNCTION of the record is ``function`` (a name or a code).
    fn has_function(&self, function: &Bound<'_, PyAny>) -> PyResult<bool> {
        let f = crate::args::function_arg(function)?;
        Ok(self.view().has_function(f))
    }

    /// The record's bytes, as in the file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.view().as_bytes())
    }

    /// The record as a JSON-ready ``dict`` (bytes as lowercase hex).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(py, self.view(), self.index)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRecord>()
            .is_ok_and(|o| o.get().view().as_bytes() == self.view().as_bytes())
    }

    fn __hash__(&self) -> u64 {
        hash_of(self.view().as_bytes())
    }

    fn __repr__(&self) -> String {
        let r = self.view();
        let functions: Vec<String> = r.functions().map(|f| f.to_string()).collect();
        let index = self.index.map(|i| format!(" {i}")).unwrap_or_default();
        format!(
            "<Record{index} {} {:?} serial {}>",
            functions.join("|"),
            r.subject(),
            hex(r.serial()),
        )
    }
}

/// What a successful ``verify_with`` found.
#[pyclass(frozen, module = "cisco_itl", name = "Verified", get_all)]
pub(crate) struct PyVerified {
    /// The index of the verified file's own signing record, ``None`` when
    /// it has none (or is a signed file).
    signer_index: Option<usize>,
    /// Which item of ``trusted`` verified it (0 when a single item was given).
    trusted_index: Option<usize>,
    /// The index of the record of the trusted ``TrustList`` that verified
    /// it; ``None`` when a certificate did.
    trusted_record: Option<usize>,
    /// The digest of the signature (``"sha1"``…).
    digest: &'static str,
    /// The size of the signer's key in bits.
    key_bits: usize,
}

impl PyVerified {
    pub(crate) fn new(v: &Verified, anchors: &Anchors) -> Self {
        let origin = v.anchor_index.and_then(|i| anchors.origins.get(i)).copied();
        PyVerified {
            signer_index: v.signer_index,
            trusted_index: origin.map(|(item, _)| item),
            trusted_record: origin.and_then(|(_, record)| record),
            digest: v.digest.name(),
            key_bits: v.key_bits,
        }
    }
}

#[pymethods]
impl PyVerified {
    fn __repr__(&self) -> String {
        let by = match (self.trusted_index, self.trusted_record) {
            (Some(i), Some(r)) => format!("record {r} of trusted item {i}"),
            (Some(i), None) => format!("trusted certificate {i}"),
            _ => "?".into(),
        };
        format!(
            "<Verified by {by}: {}, {}-bit key>",
            self.digest, self.key_bits
        )
    }
}

/// Trust anchors with where each came from: (item of `trusted`, record of
/// that item when it is a list).
pub(crate) struct Anchors {
    pub(crate) anchors: Vec<TrustAnchor>,
    pub(crate) origins: Vec<(usize, Option<usize>)>,
}

impl Anchors {
    /// From `trusted` for the records of `functions` when given (names
    /// or codes), else of `default`.
    pub(crate) fn from_py_or(
        trusted: &Bound<'_, PyAny>,
        functions: Option<Vec<Bound<'_, PyAny>>>,
        default: &[Function],
    ) -> PyResult<Self> {
        match functions {
            Some(f) => Self::from_py(trusted, &functions_arg(&f)?),
            None => Self::from_py(trusted, default),
        }
    }

    /// From a `TrustList`, certificate bytes, or a sequence of these.
    pub(crate) fn from_py(trusted: &Bound<'_, PyAny>, functions: &[Function]) -> PyResult<Self> {
        let mut out = Anchors {
            anchors: Vec::new(),
            origins: Vec::new(),
        };
        let expected = "a TrustList, certificate bytes (PEM or DER), or a sequence of these";
        each_trusted(trusted, expected, |item, at| match item {
            TrustedItem::List(list) => out.add_list(list, at, functions),
            TrustedItem::Certificates(certificates) => {
                for cert in certificates {
                    let anchor = TrustAnchor::from_certificate(&cert).map_err(|e| {
                        ItlError::new(
                            Kind::Credential,
                            format!("trusted certificate {at} is unusable: {e}"),
                        )
                    })?;
                    out.anchors.push(anchor);
                    out.origins.push((at, None));
                }
                Ok(())
            }
        })?;
        Ok(out)
    }

    fn add_list(&mut self, list: TrustList<'_>, at: usize, functions: &[Function]) -> PyResult<()> {
        for (i, r) in list.records().enumerate() {
            if !functions.iter().any(|f| r.has_function(*f)) {
                continue;
            }
            // A record that disagrees with its own certificate vouches for
            // nothing.
            if let Ok(anchor) = TrustAnchor::from_record(&r) {
                self.anchors.push(anchor);
                self.origins.push((at, Some(i)));
            }
        }
        Ok(())
    }
}

/// One item of a ``trusted`` argument.
pub(crate) enum TrustedItem<'a> {
    /// A `TrustList`, or bytes that parse as a trust list (a CTL read from
    /// disk).
    List(TrustList<'a>),
    /// Other bytes: certificates, PEM (possibly several) or DER.
    Certificates(Vec<cisco_itl::cert::CertInfo>),
}

/// Calls `f` with each item of `trusted` (a `TrustList`, bytes, or a
/// sequence of these) and its index (0 for a single item). Anything else
/// is a `TypeError`: "trusted must be `expected`, not <its type>".
pub(crate) fn each_trusted(
    trusted: &Bound<'_, PyAny>,
    expected: &str,
    mut f: impl FnMut(TrustedItem<'_>, usize) -> PyResult<()>,
) -> PyResult<()> {
    let single = trusted.cast::<PyTrustList>().is_ok() || bytes_arg(trusted, "trusted").is_ok();
    if single {
        return trusted_item(trusted, 0, &mut f);
    }
    if trusted.hasattr("__iter__")? && !trusted.is_instance_of::<pyo3::types::PyString>() {
        for (i, item) in trusted.try_iter()?.enumerate() {
            trusted_item(&item?, i, &mut f)?;
        }
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "trusted must be {expected}, not {}",
        type_name(trusted)
    )))
}

fn trusted_item(
    item: &Bound<'_, PyAny>,
    at: usize,
    f: &mut impl FnMut(TrustedItem<'_>, usize) -> PyResult<()>,
) -> PyResult<()> {
    if let Ok(list) = item.cast::<PyTrustList>() {
        return f(TrustedItem::List(*list.get().view()), at);
    }
    let bytes = bytes_arg(item, "a trusted item")?;
    if let Ok(list) = TrustList::parse(&bytes) {
        return f(TrustedItem::List(list), at);
    }
    f(TrustedItem::Certificates(certificates_arg(&bytes)?), at)
}
