//! Walks a phone through a lock and its rescue, printing each decision:
//!
//! 1. the phone boots and trusts the cluster's ITL;
//! 2. on a single-node cluster the administrator regenerates both
//!    `CallManager.pem` and `TVS.pem`: the next ITL is refused ("Trust List
//!    Update Failed") and configuration changes stop reaching the phone;
//! 3. `utils itl reset localkey` re-signs the ITL with the ITLRecovery key:
//!    the phone, whose ITL holds the ITLRECOVERY record, accepts it;
//! 4. the next TFTP restart signs with the new CallManager key again, and
//!    the phone follows.
//!
//! ```text
//! cargo run --example phone_boot
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::phone::{BootOutcome, BootStep, ManualClock, Phone};
use cisco_itl::pkcs12::Identity;
use cisco_itl::recovery::{Trusted, reset};
use cisco_itl::signed_file::SignedFileBuilder;
use cisco_itl::tvs::server::{InMemoryTvs, TvsServer};
use cisco_itl::{Function, TrustList};

const ITL: &[u8] = include_bytes!("data/itl-10x.tlv");
const ITL_REGENERATED: &[u8] = include_bytes!("data/itl-regenerated.tlv");
const CALLMANAGER: &[u8] = include_bytes!("data/sample-signer.pem");
const CALLMANAGER_NEW: &[u8] = include_bytes!("data/callmanager-regenerated.pem");
const TVS_NEW: &[u8] = include_bytes!("data/tvs-regenerated.pem");
const RECOVERY_P12: &[u8] = include_bytes!("data/ITLRecovery.p12");
const RECOVERY_PASSWORD: &str = "Cluster-Security-Pw1";
const DEVICE: &str = "SEP0011215A1AE3";

fn config(by: &Signer, note: &str) -> Result<Vec<u8>, String> {
    let xml = format!("<device><!-- {note} --></device>");
    SignedFileBuilder::new(&format!("{DEVICE}.cnf.xml.sgn"), xml.into_bytes())
        .timestamp(1_773_075_600)
        .sign(by)
        .map_err(|e| e.to_string())
}

fn print(title: &str, steps: &[BootStep], phone: &Phone) {
    println!("== {title}");
    for s in steps {
        let what = match &s.outcome {
            BootOutcome::NotFound => "not on the TFTP server".to_string(),
            BootOutcome::TrustList(Ok(t)) | BootOutcome::Config(Ok(t)) => t.to_string(),
            BootOutcome::TrustList(Err(r)) | BootOutcome::Config(Err(r)) => r.to_string(),
        };
        println!("   {:32} {what}", s.file);
    }
    if let Some(msg) = phone.status_message() {
        println!("   phone screen: \"{msg}\"");
    }
    println!();
}

fn run() -> Result<bool, String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let cm = Signer::from_pem(CALLMANAGER).map_err(|x| e(&x))?;
    let cm_new = Signer::from_pem(CALLMANAGER_NEW).map_err(|x| e(&x))?;
    let tvs_old = CertInfo::from_pem(include_bytes!("data/sample-tvs.pem")).map_err(|x| e(&x))?;
    let tvs_new = CertInfo::from_pem(TVS_NEW).map_err(|x| e(&x))?;
    let clock = ManualClock::new(1_773_075_600);
    let mut phone = Phone::new(DEVICE);

    // 1. A normal boot.
    let mut tftp = BTreeMap::new();
    tftp.insert("ITLFile.tlv".to_string(), ITL.to_vec());
    tftp.insert(format!("{DEVICE}.cnf.xml.sgn"), config(&cm, "first boot")?);
    let mut tvs = InMemoryTvs::new(vec![
        TvsServer::new("cucm-pub", tvs_old).trust(cm.certificate().der(), &[Function::CcmTftp]),
    ]);
    let steps = phone.boot(&tftp, &mut tvs, &clock, false);
    print("1. first boot", &steps, &phone);

    // 2. CallManager.pem and TVS.pem regenerated on the only node.
    tftp.insert("ITLFile.tlv".to_string(), ITL_REGENERATED.to_vec());
    tftp.insert(
        format!("{DEVICE}.cnf.xml.sgn"),
        config(&cm_new, "after regeneration")?,
    );
    let mut tvs = InMemoryTvs::new(vec![
        TvsServer::new("cucm-pub", tvs_new).trust(cm_new.certificate().der(), &[Function::CcmTftp]),
    ]);
    let steps = phone.boot(&tftp, &mut tvs, &clock, false);
    print(
        "2. both certificates regenerated on a single node",
        &steps,
        &phone,
    );
    let locked = phone.is_locked();

    // 3. utils itl reset localkey: the current ITL, re-signed by ITLRecovery
    // once it verifies against what the administrator trusts: the
    // publisher's new CallManager.pem, which signed it.
    let identity = Identity::from_pkcs12(RECOVERY_P12, RECOVERY_PASSWORD).map_err(|x| e(&x))?;
    let current = TrustList::parse(ITL_REGENERATED).map_err(|x| e(&x))?;
    let mut trusted = Trusted::new();
    trusted
        .add_certificate(cm_new.certificate())
        .map_err(|x| e(&x))?;
    let recovered = reset(&current, &identity, &trusted).map_err(|x| e(&x))?;
    tftp.insert("ITLFile.tlv".to_string(), recovered);
    let steps = phone.boot(&tftp, &mut tvs, &clock, false);
    print("3. utils itl reset localkey", &steps, &phone);

    // 4. The TFTP service restarts and signs with CallManager.pem again.
    tftp.insert("ITLFile.tlv".to_string(), ITL_REGENERATED.to_vec());
    let steps = phone.boot(&tftp, &mut tvs, &clock, false);
    print(
        "4. TFTP restarted: the ITL is signed by the new CallManager key",
        &steps,
        &phone,
    );
    Ok(locked && !phone.is_locked())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("the walk-through did not end as expected");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
