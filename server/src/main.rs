// Under load glibc's allocator took about a tenth of the server's time (mostly on the OAuth
// endpoints); mimalloc's thread-local heaps take a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    portcullis::cli::run().await
}
