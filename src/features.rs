//! Integrations with optional dependencies, one file each.

#[cfg(feature = "defmt")]
mod defmt;
#[cfg(feature = "std")]
mod io;
#[cfg(feature = "serde")]
mod serde;
#[cfg(feature = "zeroize")]
mod zeroize;
