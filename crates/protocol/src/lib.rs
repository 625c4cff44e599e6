//! The AWS wire protocols: SigV4 verification, access scoping and AWS JSON 1.1 framing.
//! No domain logic, no SQL.

pub mod access;
pub mod json;
pub mod sigv4;
