//! The `touchpoint` binary: parse the command line and configuration, set up logging, and
//! serve, check campaign files, or push and pull them to and from the database. Everything else lives in the library.
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use touchpoint_server::admin_cli::{self, AdminCommand};
use touchpoint_server::config::Config;
use touchpoint_server::role::Role;
use touchpoint_server::{
    app, campaign_sync, catalog::Catalog, live_catalog, store, AppState, Environment, StaticDirs,
    WidgetFiles,
};

#[derive(Debug, Parser)]
#[command(
    name = "touchpoint",
    version,
    about = "Touchpoint collector, campaign API and tools"
)]
struct Cli {
    /// Log lines as text for people or JSON for log pipelines.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "TOUCHPOINT_LOG_FORMAT"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the collector and campaign API (and serve the widget and demo files).
    Serve(ServeArgs),
    /// Manage workspace users and API tokens in the database `serve` uses.
    Admin(AdminArgs),
    /// Validate a folder of campaign files; exit 1 on any error.
    Check {
        /// Folder of `*.toml` campaigns.
        dir: PathBuf,
    },
    /// Campaigns as code: push a folder as versions, pull the live versions as files.
    Campaigns {
        #[command(subcommand)]
        action: CampaignsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CampaignsCommand {
    /// Validate a folder as `check` does and, only when it passes, publish every changed
    /// campaign as a new version (an unchanged file creates none).
    Push {
        /// Folder of `*.toml` campaigns.
        dir: PathBuf,
        /// A note kept with each new version.
        #[arg(long, default_value = "")]
        note: String,
        /// Who publishes [default: $USER, or `cli`].
        #[arg(long)]
        author: Option<String>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Write each published (or paused) campaign's live version as `DIR/<id>.toml`, byte for
    /// byte as it was published.
    Pull {
        /// Folder to write (created if missing).
        dir: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
    },
}

/// The database (as `serve` opens it), or a running server with an API token.
#[derive(Debug, clap::Args)]
struct TargetArgs {
    /// SQLite file path, or a postgres:// URL [default: touchpoint.db].
    #[arg(
        long,
        alias = "database",
        env = "TOUCHPOINT_DATABASE_URL",
        conflicts_with = "server"
    )]
    database_url: Option<String>,
    /// A running server's base URL (`http://host:port`); needs `--token`.
    #[arg(long, requires = "token")]
    server: Option<String>,
    /// The server's API token (today the admin token).
    #[arg(long, env = "TOUCHPOINT_ADMIN_TOKEN")]
    token: Option<String>,
}

impl TargetArgs {
    async fn open(self) -> anyhow::Result<campaign_sync::Target> {
        Ok(match (self.server, self.token) {
            (Some(url), Some(token)) => {
                campaign_sync::Target::Remote(campaign_sync::Remote::new(&url, &token))
            }
            _ => {
                let url = self.database_url.unwrap_or_else(|| "touchpoint.db".into());
                campaign_sync::Target::Local(
                    store::open(&url).await.context("opening the database")?,
                )
            }
        })
    }
}

/// `touchpoint admin`: the database like `serve` finds it, and a command.
#[derive(Debug, clap::Args)]
struct AdminArgs {
    /// Configuration file (TOML), read for its `database_url`.
    #[arg(long, env = "TOUCHPOINT_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// SQLite file path, or a postgres:// URL [default: touchpoint.db].
    #[arg(long, env = "TOUCHPOINT_DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: AdminSub,
}

#[derive(Debug, Subcommand)]
enum AdminSub {
    /// Add a user; the password is asked for (no echo) or read from stdin.
    CreateUser {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// admin, editor or viewer.
        #[arg(long)]
        role: Role,
    },
    /// List users: email, role, status.
    ListUsers,
    /// Set a user's password (asked for, or read from stdin); their sessions end.
    ResetPassword {
        /// Sign-in email.
        #[arg(long)]
        email: String,
    },
    /// Create an API token and print it (once: only its hash is stored).
    CreateToken {
        /// A unique name (the audit log's `token:<name>`).
        #[arg(long)]
        name: String,
        /// admin, editor or viewer.
        #[arg(long)]
        role: Role,
    },
}

/// Flags override the environment, which overrides the config file, which overrides defaults.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Configuration file (TOML): environments, keys, origins, identity, limits, policy.
    #[arg(long, env = "TOUCHPOINT_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "TOUCHPOINT_BIND")]
    bind: Option<String>,
    /// SQLite file path, or a postgres:// URL [default: touchpoint.db].
    #[arg(long, env = "TOUCHPOINT_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder of campaign files [default: campaigns].
    #[arg(long, env = "TOUCHPOINT_CAMPAIGNS")]
    campaigns: Option<PathBuf>,
    /// Publishable keys of open development environments (any origin, no identity check);
    /// used when the config file names no environment [default: pk_demo].
    #[arg(long = "key", env = "TOUCHPOINT_KEYS", value_delimiter = ',')]
    keys: Vec<String>,
    /// Bearer token for the admin API.
    #[arg(long, env = "TOUCHPOINT_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Mark the workspace's session cookie `Secure` (the workspace is served over HTTPS);
    /// the same as `[workspace] secure_cookies = true`.
    #[arg(long, env = "TOUCHPOINT_WORKSPACE_SECURE_COOKIES")]
    workspace_secure_cookies: bool,
    /// Built widget folder to serve.
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Demo host product folder to serve.
    #[arg(long)]
    www: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,tower_http=info".into())
    };
    match cli.log_format {
        // Colours only for a person at a terminal, not in a file or a log collector.
        LogFormat::Text => tracing_subscriber::fmt()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_env_filter(filter())
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter())
            .init(),
    }
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Admin(args) => admin(args).await,
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
        Command::Campaigns { action } => campaigns(action).await,
    }
}

async fn campaigns(action: CampaignsCommand) -> anyhow::Result<()> {
    match action {
        CampaignsCommand::Push {
            dir,
            note,
            author,
            target,
        } => {
            let author = author
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "cli".into());
            let target = target.open().await?;
            let now = touchpoint_server::state::system_millis();
            match campaign_sync::push(&target, &dir, &author, &note, now).await {
                Ok(pushed) => {
                    for p in &pushed {
                        println!("{p}");
                    }
                    let changed = pushed
                        .iter()
                        .filter(|p| matches!(p.outcome, store::PublishOutcome::Created { .. }))
                        .count();
                    println!(
                        "{}: {} campaigns, {changed} changed",
                        dir.display(),
                        pushed.len()
                    );
                    Ok(())
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
        }
        CampaignsCommand::Pull { dir, target } => {
            let target = target.open().await?;
            let written = campaign_sync::pull(&target, &dir).await?;
            for (id, version) in &written {
                println!(
                    "{id}: v{version} -> {}",
                    dir.join(format!("{id}.toml")).display()
                );
            }
            println!("{}: {} campaigns pulled", dir.display(), written.len());
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let (file, database_url) = database_url(args.config.as_ref(), args.database_url)?;
    // A folder named on the command line or in the config must exist; the default one is
    // used only when present, and without it the database's campaigns are served.
    let campaigns = match args.campaigns.or(file.campaigns) {
        Some(dir) => Some(dir),
        None => Some(PathBuf::from("campaigns")).filter(|d| d.is_dir()),
    };
    let bind = args
        .bind
        .or(file.bind)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut environments = file.environments;
    if environments.is_empty() || !args.keys.is_empty() {
        let keys = if args.keys.is_empty() {
            vec!["pk_demo".to_owned()]
        } else {
            args.keys
        };
        environments.extend(keys.iter().map(|k| Environment::open(k)));
    }
    let store = store::open(&database_url)
        .await
        .context("opening the database")?;
    // The folder is pushed into the database exactly as `campaigns push` would (unchanged
    // files create no version); the catalog is always the database's.
    if let Some(dir) = &campaigns {
        let target = campaign_sync::Target::Local(store.clone());
        let note = format!("serve --campaigns {}", dir.display());
        let now = touchpoint_server::state::system_millis();
        let pushed = campaign_sync::push(&target, dir, "serve", &note, now)
            .await
            .context("loading campaigns")?;
        for p in &pushed {
            tracing::info!(file = %p.file, "{p}");
        }
    }
    let catalog = Catalog::new(Vec::new()).with_policy(file.policy);
    // Read once: the widget is served from memory.
    let dist = args
        .dist
        .map(|d| WidgetFiles::load(&d))
        .transpose()
        .context("loading the widget files (--dist)")?;
    let state = AppState::new(
        store,
        catalog,
        environments,
        args.admin_token.or(file.admin_token),
    )
    .with_limits(file.limits)
    .with_workspace(touchpoint_server::config::WorkspaceConfig {
        secure_cookies: args.workspace_secure_cookies || file.workspace.secure_cookies,
        ..file.workspace
    });
    live_catalog::rebuild(&state)
        .await
        .context("building the catalog from the database")?;
    live_catalog::spawn_poller(state.clone(), live_catalog::POLL_EVERY);
    let router = app(
        state,
        &StaticDirs {
            dist,
            www: args.www,
        },
    );
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "touchpoint listening");
    println!("touchpoint listening on http://{addr}");
    // In-flight requests (a batch being stored) finish before the process exits.
    touchpoint_server::serve::serve(listener, router, file.limits, shutdown_signal()).await;
    tracing::info!("touchpoint stopped");
    Ok(())
}

/// The database URL: flag or environment, then the config file, then the default.
fn database_url(
    config: Option<&PathBuf>,
    flag: Option<String>,
) -> anyhow::Result<(Config, String)> {
    let file = match config {
        Some(path) => Config::load(path, &|v| std::env::var(v).ok())?,
        None => Config::default(),
    };
    let url = flag
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| "touchpoint.db".into());
    Ok((file, url))
}

async fn admin(args: AdminArgs) -> anyhow::Result<()> {
    let (_, url) = database_url(args.config.as_ref(), args.database_url)?;
    let store = store::open(&url).await.context("opening the database")?;
    let command = match args.command {
        AdminSub::CreateUser { email, role } => AdminCommand::CreateUser { email, role },
        AdminSub::ListUsers => AdminCommand::ListUsers,
        AdminSub::ResetPassword { email } => AdminCommand::ResetPassword { email },
        AdminSub::CreateToken { name, role } => AdminCommand::CreateToken { name, role },
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    match admin_cli::run(store.as_ref(), command, now, &read_password).await {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// A password: typed twice without echo at a terminal, else the first line of stdin.
fn read_password() -> std::io::Result<String> {
    use std::io::{BufRead as _, IsTerminal as _};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            return Err(std::io::Error::other("the two passwords differ"));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
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
