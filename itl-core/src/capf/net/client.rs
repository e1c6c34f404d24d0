//! The CAPF client: asks a CAPF server for an LSC the way a phone does,
//! blocking, with one deadline for the whole exchange (connection,
//! handshake, authentication, key generation, hand-over).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::io::{Read, Write};
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use super::proof::ProofKey;
use super::{CapfNetError, MAX_MESSAGE_PAYLOAD};
use crate::capf::codec::{
    CertType, Command, Curve, ElementTag, Frame, HEADER_LEN, KeyRequest, Reason, VERSION,
    announced_len, signed_message,
};
use crate::function::Function;
use crate::trust_list::TrustList;
use crate::tvs::auth::authenticate_server_certificate;
use crate::tvs::net::client::ClientStream;
use crate::tvs::net::{NetError, ServerTrust, Stage, TvsClient};

/// How the client decides that a server is the CAPF it may ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapfTrust {
    /// As a phone does: a CAPF record of one of these trust lists (ITL or
    /// CTL bytes) names the certificate, and its SHA-1 is the record's
    /// CERTHASH.
    Lists(Vec<Vec<u8>>),
    /// Exactly this certificate (DER), e.g. the cluster's `CAPF.pem`.
    Certificate(Vec<u8>),
}

impl CapfTrust {
    fn accepts(&self, der: &[u8]) -> bool {
        match self {
            CapfTrust::Lists(lists) => {
                let parsed: Vec<TrustList<'_>> = lists
                    .iter()
                    .filter_map(|b| TrustList::parse(b).ok())
                    .collect();
                authenticate_server_certificate(&parsed, der, Function::Capf).is_ok()
            }
            CapfTrust::Certificate(pinned) => pinned.as_slice() == der,
        }
    }
}

/// How the phone proves who it is.
#[derive(Clone)]
pub enum Proof {
    /// Nothing (the device's authentication mode is "none").
    None,
    /// The PIN the administrator gave the device.
    Password(String),
    /// A signature with an existing certificate's key (RSA, or ECDSA for
    /// an EC key).
    Certificate {
        /// LSC or MIC.
        cert_type: CertType,
        /// The certificate, DER.
        der: Vec<u8>,
        /// Its private key.
        key: ProofKey,
        /// Sign with SHA-512 (SHA2 SIGNED DATA) rather than SHA-1.
        sha2: bool,
    },
}

impl core::fmt::Debug for Proof {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Proof::None => f.write_str("None"),
            Proof::Password(_) => f.write_str("Password(..)"),
            Proof::Certificate {
                cert_type, sha2, ..
            } => f
                .debug_struct("Certificate")
                .field("cert_type", cert_type)
                .field("sha2", sha2)
                .finish_non_exhaustive(),
        }
    }
}

/// The deadline and connection timeout of a [`CapfClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// The longest the TCP connection may take (within the deadline).
    pub connect_timeout: Duration,
    /// The whole exchange, key generation included.
    pub deadline: Duration,
    /// The VERSION the phone answers with (3; older phones say 2).
    pub version: u8,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(3),
            deadline: Duration::from_secs(60),
            version: VERSION,
        }
    }
}

/// What a session ended with.
#[derive(Clone, PartialEq, Eq)]
pub enum Enrolment {
    /// A certificate was issued for a key generated here.
    Installed {
        /// The LSC, DER.
        certificate: Vec<u8>,
        /// Its private key, PKCS#8 DER.
        key: Zeroizing<Vec<u8>>,
    },
    /// The server handed over the certificate it holds for the device.
    Fetched {
        /// The LSC, DER.
        certificate: Vec<u8>,
    },
    /// The server asked the device to delete its LSC.
    Deleted,
    /// Nothing was scheduled for the device.
    NothingToDo,
}

impl core::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Enrolment::Installed { certificate, .. } => f
                .debug_struct("Installed")
                .field("certificate", &certificate.len())
                .finish_non_exhaustive(),
            Enrolment::Fetched { certificate } => f
                .debug_struct("Fetched")
                .field("certificate", &certificate.len())
                .finish(),
            Enrolment::Deleted => f.write_str("Deleted"),
            Enrolment::NothingToDo => f.write_str("NothingToDo"),
        }
    }
}

/// A CAPF client for one server.
///
/// ```no_run
/// use cisco_itl::capf::net::{CapfClient, CapfTrust, Enrolment, Proof};
/// let itl = std::fs::read("ITLFile.tlv")?;
/// let client = CapfClient::new("cucm-pub:3804", CapfTrust::Lists(vec![itl]))?;
/// if let Enrolment::Installed { certificate, key } =
///     client.enrol("SEP001122334455", &Proof::Password("1234".into()))?
/// {
///     println!("{} bytes of LSC, {} bytes of key", certificate.len(), key.len());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CapfClient {
    tls: TvsClient,
    trust: CapfTrust,
    options: ClientOptions,
}

/// A generated key pair: PKCS#8 private key and SubjectPublicKeyInfo.
struct KeyPair {
    pkcs8: Zeroizing<Vec<u8>>,
    spki: Vec<u8>,
}

/// Generates the key `request` asks for: RSA of 2,048, 3,072 or 4,096
/// bits and EC keys on AWS-LC; other RSA sizes (1,024) on RustCrypto.
fn generate(request: KeyRequest) -> Result<KeyPair, CapfNetError> {
    let failed =
        |what: &str| CapfNetError::Key(alloc::format!("{request} could not be made: {what}"));
    match request {
        KeyRequest::Rsa(bits) => {
            let size = match bits {
                2048 => Some(aws_lc_rs::rsa::KeySize::Rsa2048),
                3072 => Some(aws_lc_rs::rsa::KeySize::Rsa3072),
                4096 => Some(aws_lc_rs::rsa::KeySize::Rsa4096),
                _ => None,
            };
            if let Some(size) = size {
                let pair = aws_lc_rs::rsa::KeyPair::generate(size)
                    .map_err(|_| failed("AWS-LC refused"))?;
                let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&pair)
                    .map_err(|_| failed("no PKCS#8"))?;
                let public = aws_lc_rs::signature::KeyPair::public_key(&pair);
                let spki = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der<'_>>::as_der(public)
                    .map_err(|_| failed("no public key"))?;
                return Ok(KeyPair {
                    pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
                    spki: spki.as_ref().to_vec(),
                });
            }
            if !(1024..=4096).contains(&bits) {
                return Err(failed("the size is outside 1024 to 4096 bits"));
            }
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, usize::from(bits))
                .map_err(|_| failed("generation failed"))?;
            let pkcs8 = key.to_pkcs8_der().map_err(|_| failed("no PKCS#8"))?;
            let spki = key
                .as_ref()
                .to_public_key_der()
                .map_err(|_| failed("no public key"))?;
            Ok(KeyPair {
                pkcs8: Zeroizing::new(pkcs8.as_bytes().to_vec()),
                spki: spki.as_bytes().to_vec(),
            })
        }
        KeyRequest::Ec(curve) => {
            let alg = match curve {
                Curve::P256 => &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                Curve::P384 => &aws_lc_rs::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                Curve::P521 => &aws_lc_rs::signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            };
            let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(alg)
                .map_err(|_| failed("AWS-LC refused"))?;
            let pkcs8 = pair.to_pkcs8v1().map_err(|_| failed("no PKCS#8"))?;
            let public = aws_lc_rs::signature::KeyPair::public_key(&pair);
            let spki = public.as_der().map_err(|_| failed("no public key"))?;
            Ok(KeyPair {
                pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
                spki: spki.as_ref().to_vec(),
            })
        }
    }
}

impl CapfClient {
    /// A client for `server` (`host:port`) that accepts it as `trust`
    /// says.
    pub fn new(server: &str, trust: CapfTrust) -> Result<Self, CapfNetError> {
        Ok(CapfClient {
            tls: TvsClient::new(&[server], ServerTrust::Deferred)?,
            trust,
            options: ClientOptions::default(),
        })
    }

    /// A client like [`new`](Self::new) that speaks **legacy TLS** as well
    /// (feature `legacy-tls`): TLS 1.0 to 1.2 with RSA key exchange,
    /// through the system OpenSSL, to reach a CAPF that speaks only what
    /// 7900-series phones speak. The server is authenticated the same way,
    /// before a byte is sent.
    #[cfg(feature = "legacy-tls")]
    pub fn new_legacy(server: &str, trust: CapfTrust) -> Result<Self, CapfNetError> {
        Ok(CapfClient {
            tls: TvsClient::new_legacy(&[server], ServerTrust::Deferred)?,
            trust,
            options: ClientOptions::default(),
        })
    }

    /// Sets the deadline, the connection timeout and the version.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.tls = self.tls.with_options(crate::tvs::net::ClientOptions {
            connect_timeout: options.connect_timeout,
            deadline: options.deadline,
        });
        self.options = options;
        self
    }

    /// Runs one session for `device` (`SEP<MAC>`), proving who it is with
    /// `proof`, and returns what it ended with. A refusal (wrong password,
    /// unknown device) is [`CapfNetError::Refused`].
    pub fn enrol(&self, device: &str, proof: &Proof) -> Result<Enrolment, CapfNetError> {
        let mut stream = self.tls.connect(0)?;
        // The handshake proved the server holds the key of this
        // certificate; the trust rules come before a byte is sent.
        let der = stream
            .peer_certificate()
            .ok_or(CapfNetError::ServerNotTrusted)?;
        if !self.trust.accepts(&der) {
            stream.close();
            return Err(CapfNetError::ServerNotTrusted);
        }
        let outcome = self.session(&mut stream, device, proof);
        stream.close();
        outcome
    }

    fn session(
        &self,
        stream: &mut ClientStream,
        device: &str,
        proof: &Proof,
    ) -> Result<Enrolment, CapfNetError> {
        let deadline = self.options.deadline;
        let first = read_message(stream, deadline)?;
        let request = Frame::decode(&first)?;
        if request.command != Command::AuthRequest {
            return Err(CapfNetError::OutOfOrder {
                expected: Command::AuthRequest,
                found: request.command,
            });
        }
        let session_id = request.session_id;
        let mut answer = Frame::auth_response(session_id, self.options.version, device)?;
        match proof {
            Proof::None => {}
            Proof::Password(pin) => answer = answer.with_text(ElementTag::Password, pin)?,
            Proof::Certificate {
                cert_type,
                der,
                key,
                sha2,
            } => {
                let message = signed_message(device, der);
                answer = answer.with_certificate(*cert_type, der)?;
                let signature = key
                    .sign(&message, *sha2)
                    .ok_or_else(|| CapfNetError::Key("the proof could not be signed".into()))?;
                answer = if *sha2 {
                    answer.with_sha2_signature(&signature)?
                } else {
                    answer.with_element(ElementTag::SignedData, &signature)?
                };
            }
        }
        send(stream, &answer, deadline)?;
        let mut key: Option<KeyPair> = None;
        // The certificate handed over, and whether it was stored (checked
        // to be for the key generated here) rather than fetched.
        let mut certificate: Option<(Vec<u8>, bool)> = None;
        let mut deleted = false;
        for _ in 0..8 {
            let bytes = read_message(stream, deadline)?;
            let frame = Frame::decode(&bytes)?;
            if frame.session_id != session_id {
                return Err(CapfNetError::WrongSession {
                    expected: session_id,
                    found: frame.session_id,
                });
            }
            match frame.command {
                Command::KeyGenRequest => {
                    // One key per session, asked for before any
                    // certificate: a second would pair a stored
                    // certificate with another key.
                    if key.is_some() || certificate.is_some() {
                        return Err(CapfNetError::OutOfOrder {
                            expected: Command::EndSession,
                            found: Command::KeyGenRequest,
                        });
                    }
                    let pair = generate(frame.key_request()?)?;
                    send(
                        stream,
                        &Frame::key_gen_response(session_id, &pair.spki)?,
                        deadline,
                    )?;
                    key = Some(pair);
                }
                Command::StoreCertRequest | Command::FetchCertRequest => {
                    let carried = frame.certificate()?;
                    let reply = if frame.command == Command::StoreCertRequest {
                        Command::StoreCertResponse
                    } else {
                        Command::FetchCertResponse
                    };
                    // An installation's certificate must be for the key just
                    // generated.
                    if let (Command::StoreCertRequest, Some(pair)) = (frame.command, &key)
                        && spki_of(carried.der).as_deref() != Some(pair.spki.as_slice())
                    {
                        return Err(CapfNetError::NotOurKey);
                    }
                    let stored = frame.command == Command::StoreCertRequest && key.is_some();
                    certificate = Some((carried.der.to_vec(), stored));
                    send(
                        stream,
                        &Frame::with_reason(reply, session_id, Reason::Ok)?,
                        deadline,
                    )?;
                }
                Command::DeleteCertRequest => {
                    deleted = true;
                    send(
                        stream,
                        &Frame::with_reason(Command::DeleteCertResponse, session_id, Reason::Ok)?,
                        deadline,
                    )?;
                }
                Command::EndSession => {
                    let reason = frame.reason()?;
                    return match (reason, certificate, key) {
                        // Only a stored certificate, checked against the
                        // key generated here, is an installation.
                        (Reason::Ok, Some((certificate, true)), Some(pair)) => {
                            Ok(Enrolment::Installed {
                                certificate,
                                key: pair.pkcs8,
                            })
                        }
                        (Reason::Ok, Some((_, false)), Some(_)) => Err(CapfNetError::NotOurKey),
                        (Reason::Ok, None, None) if deleted => Ok(Enrolment::Deleted),
                        (Reason::NothingToDo, Some((certificate, _)), None) => {
                            Ok(Enrolment::Fetched { certificate })
                        }
                        (Reason::NothingToDo, None, None) => Ok(Enrolment::NothingToDo),
                        (reason, _, _) => Err(CapfNetError::Refused { reason }),
                    };
                }
                other => {
                    return Err(CapfNetError::OutOfOrder {
                        expected: Command::EndSession,
                        found: other,
                    });
                }
            }
        }
        Err(CapfNetError::OutOfOrder {
            expected: Command::EndSession,
            found: Command::Unknown(0),
        })
    }
}

/// The SubjectPublicKeyInfo (DER) of a certificate.
fn spki_of(certificate: &[u8]) -> Option<Vec<u8>> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(certificate).ok()?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()
}

/// Reads one whole message, at most [`MAX_MESSAGE_PAYLOAD`] bytes of
/// elements.
fn read_message(stream: &mut impl Read, deadline: Duration) -> Result<Vec<u8>, CapfNetError> {
    let failed = |e| CapfNetError::Net(NetError::from_io(e, deadline, Stage::Reading));
    let mut bytes = alloc::vec![0u8; HEADER_LEN];
    stream.read_exact(&mut bytes).map_err(failed)?;
    let announced = announced_len(&bytes);
    if announced > MAX_MESSAGE_PAYLOAD {
        return Err(CapfNetError::MessageTooLarge {
            announced,
            limit: MAX_MESSAGE_PAYLOAD,
        });
    }
    bytes.resize(HEADER_LEN + announced, 0);
    stream
        .read_exact(bytes.get_mut(HEADER_LEN..).unwrap_or(&mut []))
        .map_err(failed)?;
    Ok(bytes)
}

/// Sends one message in one write.
fn send(
    stream: &mut impl Write,
    frame: &Frame<'_>,
    deadline: Duration,
) -> Result<(), CapfNetError> {
    let bytes = frame.encode()?;
    stream
        .write_all(&bytes)
        .and_then(|()| stream.flush())
        .map_err(|e| CapfNetError::Net(NetError::from_io(e, deadline, Stage::Sending)))
}

/// The text of a certificate and its key as PEM (`CERTIFICATE` then
/// `PRIVATE KEY`), what the example writes to `--out`.
pub fn enrolment_pem(certificate: &[u8], key: &[u8]) -> Result<String, CapfNetError> {
    let pem = |label, der: &[u8]| {
        pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
            .map_err(|e| CapfNetError::Key(e.to_string()))
    };
    Ok([pem("CERTIFICATE", certificate)?, pem("PRIVATE KEY", key)?].concat())
}
