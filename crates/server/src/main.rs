use clap::Parser;

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
