//! Project automation. `cargo run -p xtask -- codegen [--check]` regenerates the wire layer in
//! `crates/model/src/generated/` from `models/*.json`; `compat [--check]` the README's
//! compatibility table from the code.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().any(|a| a == "--check");
            match xtask::codegen::run(&root, check) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => {
                    eprintln!(
                        "crates/model/src/generated is out of date: run `cargo run -p xtask -- codegen`"
                    );
                    ExitCode::FAILURE
                }
                Err(err) => {
                    eprintln!("codegen failed: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("compat") => {
            let check = args.iter().any(|a| a == "--check");
            match xtask::compat::run(&root, check) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => {
                    eprintln!(
                        "README.md's compatibility table is out of date: run `cargo run -p xtask -- compat`"
                    );
                    ExitCode::FAILURE
                }
                Err(err) => {
                    eprintln!("compat failed: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- codegen|compat [--check]");
            ExitCode::FAILURE
        }
    }
}
