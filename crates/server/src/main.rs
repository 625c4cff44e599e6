use clap::Parser;

/// mimalloc: the request path allocates many small, short-lived objects (JSON values, claims,
/// rows), which glibc's malloc served at about a tenth of a refresh's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cognitod_server::cli::Cli::parse();
    match cognitod_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cognitod: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
