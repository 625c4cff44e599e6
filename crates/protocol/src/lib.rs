//! The AWS wire protocols: SigV4 verification, access scoping, AWS JSON 1.1 framing and REST
//! JSON routing.
//! No domain logic, no SQL.

pub mod access;
pub mod json;
pub mod rest;
pub mod sigv4;
