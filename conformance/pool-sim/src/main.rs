//! The `gdsn-pool-sim` command: a data pool on a port, for trying gdsn-sync without a pool account.
//! Flags are in `cli.rs`; everything else is the library.

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = cli::Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let config = args.into_config()?;
    let summary = cli::describe(&config);
    let sim = gdsn_pool_sim::serve(config).await?;
    banner(&summary, &sim.base_url());
    wait_for_signal().await;
    tracing::info!("stopping");
    sim.shutdown().await;
    Ok(())
}

/// Where the pool listens, on stdout. Whoever started the simulator may have stopped reading after
/// the first line (a test does): a closed stdout must not stop the server, as `println!` would.
fn banner(summary: &str, base_url: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "gdsn-pool-sim: {summary} on {base_url}");
    let _ = writeln!(out, "  state: curl {base_url}admin/state");
    let _ = out.flush();
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM (what systemd and docker send).
async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
