//! The `touchpoint` binary: parse the command line, set up logging, and either serve or check
//! campaign files. Everything else lives in the library.
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use touchpoint_server::{app, catalog::Catalog, store, AppState, Environment, StaticDirs};

#[derive(Debug, Parser)]
#[command(
    name = "touchpoint",
    version,
    about = "Touchpoint collector, campaign API and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the collector and campaign API (and serve the widget and demo files).
    Serve(ServeArgs),
    /// Validate a folder of campaign files; exit 1 on any error.
    Check {
        /// Folder of `*.toml` campaigns.
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "TOUCHPOINT_BIND")]
    bind: String,
    /// SQLite file path, or a postgres:// URL.
    #[arg(long, default_value = "touchpoint.db", env = "TOUCHPOINT_DATABASE_URL")]
    database_url: String,
    /// Folder of campaign files.
    #[arg(long, default_value = "campaigns", env = "TOUCHPOINT_CAMPAIGNS")]
    campaigns: PathBuf,
    /// Publishable keys accepted (repeatable).
    #[arg(
        long = "key",
        default_value = "pk_demo",
        env = "TOUCHPOINT_KEYS",
        value_delimiter = ','
    )]
    keys: Vec<String>,
    /// Bearer token for the admin API.
    #[arg(long, env = "TOUCHPOINT_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Built widget folder to serve.
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Demo host product folder to serve.
    #[arg(long)]
    www: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Check { dir } => {
            match Catalog::load_dir(&dir) {
                Ok(c) => println!(
                    "{}: {} campaigns, no errors",
                    dir.display(),
                    c.campaigns.len()
                ),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let catalog = Catalog::load_dir(&args.campaigns).context("loading campaigns")?;
    let store = store::open(&args.database_url)
        .await
        .context("opening the database")?;
    let environments = args
        .keys
        .into_iter()
        .map(|key| Environment { key })
        .collect();
    let state = AppState::new(store, catalog, environments, args.admin_token);
    let router = app(
        state,
        &StaticDirs {
            dist: args.dist,
            www: args.www,
        },
    );
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "touchpoint listening");
    println!("touchpoint listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
