#[tokio::main]
async fn main() -> std::process::ExitCode {
    portcullis::cli::run().await
}
