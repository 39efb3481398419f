//! `ca_file`, for `[smtp]` and webhook channels: a PEM file of CA
//! certificates that the connection trusts *in addition to* the built-in
//! Mozilla roots (webpki-roots), for relays and receivers behind a private
//! CA. The file is read and every certificate checked when the config is
//! loaded (so `check` reports a missing, unreadable or malformed file at
//! its `file:line`), and read again at each reload.

use std::fmt;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::validate::{Table, Validator};

/// The CA certificates of a `ca_file`, as DER, with the file they came
/// from.
#[derive(Clone, PartialEq, Eq)]
pub struct CaFile {
    pub path: PathBuf,
    /// At least one, each a certificate rustls accepts as a trust anchor.
    pub certs: Vec<Vec<u8>>,
}

impl fmt::Debug for CaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CaFile({}, {} certificate(s))",
            self.path.display(),
            self.certs.len()
        )
    }
}

/// Reads and checks the CA certificates of the PEM file at `path`.
pub fn read_ca_file(path: &Path) -> Result<CaFile, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let certs = CertificateDer::pem_slice_iter(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("is not a valid PEM file: {e}"))?;
    if certs.is_empty() {
        return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    let mut store = rustls::RootCertStore::empty();
    for (i, cert) in certs.iter().enumerate() {
        store
            .add(cert.clone())
            .map_err(|e| format!("certificate {} of {} is not valid: {e}", i + 1, certs.len()))?;
    }
    Ok(CaFile {
        path: path.to_path_buf(),
        certs: certs.into_iter().map(|c| c.to_vec()).collect(),
    })
}

impl Validator<'_> {
    /// Takes the optional `ca_file` key of `t`, resolved against `base`
    /// (the config file's folder). `Err(())` when it was reported.
    pub(super) fn ca_file(&mut self, t: &mut Table, base: &Path) -> Result<Option<CaFile>, ()> {
        let has = t.map.contains_key("ca_file");
        let Some(p) = self.opt::<String>(t, "ca_file", "a path to a PEM file of CA certificates")
        else {
            return if has { Err(()) } else { Ok(None) };
        };
        let path = base.join(&p);
        match read_ca_file(&path) {
            Ok(ca) => Ok(Some(ca)),
            Err(e) => {
                self.error(&Self::child(t, "ca_file"), format!("{p:?} {e}"));
                Err(())
            }
        }
    }
}
