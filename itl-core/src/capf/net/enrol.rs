//! A [`Phone`] asks CAPF for its LSC, as a real phone does when its
//! configuration schedules an operation: it trusts the server only
//! through the CAPF record of the lists it has installed, proves itself
//! as its `capfAuthMode` says, and keeps what it is given.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::CapfNetError;
use super::client::{CapfClient, CapfTrust, ClientOptions, Enrolment, Proof};
use crate::capf::codec::{CertType, VERSION};
use crate::cert::CertInfo;
use crate::encrypted::certificate_device;
use crate::key::{Signer, SigningKey};
use crate::phone::Phone;

/// How a phone proves itself to CAPF: its configuration's `capfAuthMode`
/// (SPEC §8).
#[derive(Clone, PartialEq, Eq)]
pub enum CapfAuthMode {
    /// 1: the PIN the administrator gave the device.
    Password(String),
    /// 2: nothing.
    NoPassword,
    /// 3: a signature with its LSC, or with its MIC when it holds no LSC.
    LscThenMic,
    /// 4: a signature with its MIC.
    Mic,
}

impl CapfAuthMode {
    /// The mode of a `capfAuthMode` code (the PIN comes with code 1);
    /// `None` for a code the SPEC does not list.
    pub fn from_code(code: u8, pin: Option<&str>) -> Option<Self> {
        match (code, pin) {
            (1, Some(pin)) => Some(CapfAuthMode::Password(pin.to_string())),
            (2, _) => Some(CapfAuthMode::NoPassword),
            (3, _) => Some(CapfAuthMode::LscThenMic),
            (4, _) => Some(CapfAuthMode::Mic),
            _ => None,
        }
    }

    /// The `capfAuthMode` code.
    pub fn code(&self) -> u8 {
        match self {
            CapfAuthMode::Password(_) => 1,
            CapfAuthMode::NoPassword => 2,
            CapfAuthMode::LscThenMic => 3,
            CapfAuthMode::Mic => 4,
        }
    }
}

impl core::fmt::Debug for CapfAuthMode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CapfAuthMode::Password(_) => f.write_str("Password(..)"),
            CapfAuthMode::NoPassword => f.write_str("NoPassword"),
            CapfAuthMode::LscThenMic => f.write_str("LscThenMic"),
            CapfAuthMode::Mic => f.write_str("Mic"),
        }
    }
}

/// The proof of one of the phone's certificates: SHA2 SIGNED DATA from
/// protocol version 3, the SHA-1 SIGNED DATA of older phones below.
fn certificate_proof(cert_type: CertType, signer: &Signer, version: u8) -> Proof {
    Proof::Certificate {
        cert_type,
        der: signer.certificate().der().to_vec(),
        key: signer.key().rsa().clone().into(),
        sha2: version >= VERSION,
    }
}

/// The LSC and key of an installation, checked as the phone keeps them: an
/// RSA key (what an encrypted configuration is wrapped for) that is the
/// certificate's, a certificate for this device.
fn keep(device: &str, certificate: &[u8], key: SigningKey) -> Result<Signer, CapfNetError> {
    let cert = CertInfo::from_der(certificate).map_err(|_| unusable("it does not parse"))?;
    if !certificate_device(&cert).is_some_and(|named| named.eq_ignore_ascii_case(device)) {
        return Err(unusable("it does not name this device"));
    }
    Signer::new(key, cert).map_err(|_| unusable("it is not for the key the phone holds"))
}

fn unusable(why: &str) -> CapfNetError {
    CapfNetError::LscUnusable(why.to_string())
}

impl Phone {
    /// Runs one CAPF session with `server` (`host:port`, CAPF listens on
    /// 3804) and keeps what it ends with: an installed LSC (with the key
    /// generated for it) becomes [`Phone::lsc`], a fetched certificate
    /// replaces the held LSC's when it is for the same key, a deletion
    /// takes the LSC away.
    ///
    /// The server is trusted only when a CAPF record of the phone's
    /// installed ITL or CTL names its certificate (a phone with no list
    /// installed asks nobody: [`CapfNetError::NoTrustList`]). The phone
    /// proves itself as `mode` says; a mode that needs a certificate the
    /// phone does not hold is [`CapfNetError::NoCertificate`]. An LSC the
    /// phone cannot use (another device's, an EC key, a key that is not
    /// the certificate's) is [`CapfNetError::LscUnusable`] and the held
    /// LSC is left as it was; on any error nothing changes.
    pub fn enrol(
        &mut self,
        server: &str,
        mode: &CapfAuthMode,
        options: ClientOptions,
    ) -> Result<Enrolment, CapfNetError> {
        let lists: Vec<Vec<u8>> = [self.itl(), self.ctl()]
            .into_iter()
            .flatten()
            .map(<[u8]>::to_vec)
            .collect();
        if lists.is_empty() {
            return Err(CapfNetError::NoTrustList);
        }
        let proof = match mode {
            CapfAuthMode::Password(pin) => Proof::Password(pin.clone()),
            CapfAuthMode::NoPassword => Proof::None,
            CapfAuthMode::LscThenMic => match (self.lsc(), self.mic()) {
                (Some(lsc), _) => certificate_proof(CertType::Lsc, lsc, options.version),
                (None, Some(mic)) => certificate_proof(CertType::Mic, mic, options.version),
                (None, None) => return Err(CapfNetError::NoCertificate),
            },
            CapfAuthMode::Mic => match self.mic() {
                Some(mic) => certificate_proof(CertType::Mic, mic, options.version),
                None => return Err(CapfNetError::NoCertificate),
            },
        };
        let client = CapfClient::new(server, CapfTrust::Lists(lists))?.with_options(options);
        let device = self.device_name().to_string();
        let outcome = client.enrol(&device, &proof)?;
        match &outcome {
            Enrolment::Installed { certificate, key } => {
                let key = SigningKey::from_der(key).map_err(|_| {
                    unusable("its key is not an RSA key the phone can decrypt with")
                })?;
                let lsc = keep(&device, certificate, key)?;
                self.set_lsc(Some(lsc));
            }
            Enrolment::Fetched { certificate } => {
                if let Some(held) = self.lsc() {
                    let renewed = keep(&device, certificate, held.key().clone())?;
                    self.set_lsc(Some(renewed));
                }
            }
            Enrolment::Deleted => self.set_lsc(None),
            Enrolment::NothingToDo => {}
        }
        Ok(outcome)
    }
}
