//! Project automation as a library, so tests can call the generator.

pub mod codegen;
pub mod compat;
mod families;
