//! The role a record's certificate plays (its FUNCTION element).

/// A record's role. Codes the format does not define are kept as
/// [`Function::Unknown`] so that nothing is lost.
///
/// ```
/// use cisco_itl::Function;
/// assert_eq!(Function::from_code(21), Function::Tvs);
/// assert_eq!(Function::Tvs.code(), 21);
/// assert_eq!(Function::from_code(99), Function::Unknown(99));
/// assert_eq!(Function::Sast.show_name(), "System Administrator Security Token");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// System Administrator Security Token: may sign trust lists (code 0).
    Sast,
    /// A CallManager node (code 1).
    Ccm,
    /// A CallManager node that is also a TFTP server (code 2).
    CcmTftp,
    /// A TFTP server (code 3).
    Tftp,
    /// The Certificate Authority Proxy Function (code 4).
    Capf,
    /// An application server (code 7).
    AppServer,
    /// A Trust Verification Service (code 21).
    Tvs,
    /// Any other code, kept as read.
    Unknown(u16),
}

impl Function {
    /// The function for a FUNCTION element's code.
    pub const fn from_code(code: u16) -> Self {
        match code {
            0 => Function::Sast,
            1 => Function::Ccm,
            2 => Function::CcmTftp,
            3 => Function::Tftp,
            4 => Function::Capf,
            7 => Function::AppServer,
            21 => Function::Tvs,
            other => Function::Unknown(other),
        }
    }

    /// The code written in a FUNCTION element.
    pub const fn code(self) -> u16 {
        match self {
            Function::Sast => 0,
            Function::Ccm => 1,
            Function::CcmTftp => 2,
            Function::Tftp => 3,
            Function::Capf => 4,
            Function::AppServer => 7,
            Function::Tvs => 21,
            Function::Unknown(code) => code,
        }
    }

    /// The short name used in the manifest and in logs (`SAST`, `CCM+TFTP`…).
    pub const fn short_name(self) -> &'static str {
        match self {
            Function::Sast => "SAST",
            Function::Ccm => "CCM",
            Function::CcmTftp => "CCM+TFTP",
            Function::Tftp => "TFTP",
            Function::Capf => "CAPF",
            Function::AppServer => "APP-SERVER",
            Function::Tvs => "TVS",
            Function::Unknown(_) => "UNKNOWN",
        }
    }

    /// The name `show itl` prints (SAST is spelled out).
    pub const fn show_name(self) -> &'static str {
        match self {
            Function::Sast => "System Administrator Security Token",
            other => other.short_name(),
        }
    }

    /// Whether the function lets its certificate sign configuration files
    /// and (in a CTL) ITLs: CCM+TFTP or TFTP.
    pub const fn is_tftp(self) -> bool {
        matches!(self, Function::CcmTftp | Function::Tftp)
    }
}

/// The short name (`SAST`, `CCM+TFTP`…, `UNKNOWN(9)`), honouring width,
/// fill and alignment so that tables line up.
///
/// ```
/// use cisco_itl::Function;
/// assert_eq!(format!("[{:10}]", Function::CcmTftp), "[CCM+TFTP  ]");
/// assert_eq!(format!("[{:>10}]", Function::Unknown(9)), "[UNKNOWN(9)]");
/// assert_eq!(format!("[{:^6}]", Function::Tvs), "[ TVS  ]");
/// ```
impl core::fmt::Display for Function {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Function::Unknown(code) => f.pad(&alloc::format!("UNKNOWN({code})")),
            known => f.pad(known.short_name()),
        }
    }
}
