//! `wire_enum!`: a wire enum from one table (shared by TVS and CAPF), in
//! the manner of rustls's
//! `enum_builder!`. Each row gives a variant, its byte and its name for
//! people; the macro writes the enum, `from_code`, `code` and `name`.
//!
//! An `open(...)` enum keeps any byte the table lacks as `Unknown(u8)`
//! (named by the text in parentheses), so what was read is written back;
//! a closed one refuses it (`from_code` gives `None`).

/// Declares a wire enum from its table (see the module).
macro_rules! wire_enum {
    ($(#[$m:meta])* pub enum $name:ident open($unknown:literal) {
        $($(#[$vm:meta])* $variant:ident = $code:literal => $text:literal,)*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// Any other byte, kept as read.
            Unknown(u8),
        }
        impl $name {
            /// The value of a byte; a byte the table lacks is kept as `Unknown`.
            pub const fn from_code(code: u8) -> Self {
                match code { $($code => Self::$variant,)* other => Self::Unknown(other) }
            }
            /// The byte written on the wire.
            pub const fn code(self) -> u8 {
                match self { $(Self::$variant => $code,)* Self::Unknown(code) => code }
            }
            /// The name for people.
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $text,)* Self::Unknown(_) => $unknown }
            }
        }
    };
    ($(#[$m:meta])* pub enum $name:ident {
        $($(#[$vm:meta])* $variant:ident = $code:literal => $text:literal,)*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant,)* }
        impl $name {
            /// The value of a byte; `None` for a byte the table lacks.
            pub const fn from_code(code: u8) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
            /// The byte written on the wire.
            pub const fn code(self) -> u8 {
                match self { $(Self::$variant => $code,)* }
            }
            /// The name for people.
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }
        }
    };
}
