//! Server configuration: a TOML file (`touchpoint serve --config touchpoint.toml`) with
//! command-line flags and environment variables on top. Parsed in two steps, like the
//! campaigns: a raw serde form, then a validated [`Config`] in which an illegal setting
//! (enforced identity without a secret, an origin pattern that is not an origin) cannot exist.
//! The `[policy]` section is the authoring crate's (`touchpoint_authoring::policy`): the
//! collector sends the validated policy to widgets in the catalog.
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use touchpoint_authoring::policy::RawPolicy;
use touchpoint_core::Policy;

/// How an environment checks the identity of the users its events name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No check.
    Off,
    /// A `user_hash`, when sent, must be right; unsigned identities are accepted.
    Optional(Secret),
    /// Every event naming a `user_id` must carry `user_hash = HMAC-SHA256(secret, user_id)`.
    Enforced(Secret),
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which page origins may call an environment's public endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// Any origin (development).
    Any,
    /// Exact origins (`https://app.example.com`) or one-level wildcards
    /// (`https://*.example.com`).
    List(Vec<String>),
}

impl Origins {
    /// Whether `origin` (the `Origin` header's value) is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Self::Any => true,
            Self::List(list) => list.iter().any(|p| origin_matches(p, origin)),
        }
    }
}

fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once("://*.") {
        Some((scheme, suffix)) => origin
            .strip_prefix(scheme)
            .and_then(|o| o.strip_prefix("://"))
            .and_then(|host| host.strip_suffix(suffix))
            .and_then(|sub| sub.strip_suffix('.'))
            .is_some_and(|sub| !sub.is_empty() && !sub.contains(['/', '.'])),
        None => pattern == origin,
    }
}

/// One environment of the vendor (production, staging...), known by its publishable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// A name for people and logs.
    pub name: String,
    /// The publishable key widgets send (`pk_...`).
    pub key: String,
    /// Page origins allowed to call.
    pub origins: Origins,
    /// Identity verification.
    pub identity: Identity,
}

impl Environment {
    /// A development environment: any origin, no identity check.
    pub fn open(key: &str) -> Self {
        Self {
            name: key.to_owned(),
            key: key.to_owned(),
            origins: Origins::Any,
            identity: Identity::Off,
        }
    }
}

/// Request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single event, serialised, in bytes.
    pub max_event_bytes: usize,
    /// Largest batch body in bytes.
    pub max_batch_bytes: usize,
    /// Requests per minute from one client IP.
    pub per_ip_per_minute: u32,
    /// Requests per minute with one publishable key.
    pub per_key_per_minute: u32,
    /// Trust the first address of `X-Forwarded-For` as the client IP (behind a proxy).
    pub trust_forwarded_for: bool,
    /// How long a client has to send a request's head (request line and headers): from the
    /// connection's start for its first request, from the first byte for later ones.
    pub header_read_timeout: Duration,
    /// How long a client has to send a request's whole body, from the end of its head; a
    /// late body is answered `408 request_timeout` and the connection closed.
    pub body_read_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// Open connections at most; see [`crate::serve`] for what happens to the next one.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_event_bytes: 32 * 1024,
            max_batch_bytes: 512 * 1024,
            per_ip_per_minute: 1200,
            per_key_per_minute: 60_000,
            trust_forwarded_for: false,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(60),
            max_connections: 10_000,
        }
    }
}

/// The most `limits.max_connections` may be: far above what one process's file descriptors
/// allow, and below what the connection semaphore can count.
pub const MAX_CONNECTIONS: usize = 1 << 24;

/// The longest connection timeout the configuration accepts.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

fn secs_or(secs: Option<u64>, default: Duration) -> Duration {
    secs.map_or(default, Duration::from_secs)
}

/// The CS workspace's sign-in settings (`[workspace]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceConfig {
    /// Mark the session cookie `Secure`: set it when the workspace is served over HTTPS (a
    /// TLS proxy in front). Behind a proxy that sets `X-Forwarded-Proto: https` and with
    /// `limits.trust_forwarded_for`, the cookie is `Secure` on those requests anyway.
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout: Duration,
    /// Sign-in attempts per minute for one email.
    pub login_per_email_per_minute: u32,
    /// Sign-in attempts per minute from one client IP.
    pub login_per_ip_per_minute: u32,
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            login_per_email_per_minute: 5,
            login_per_ip_per_minute: 20,
        }
    }
}

/// The longest session the configuration accepts.
const MAX_SESSION: Duration = Duration::from_secs(30 * 24 * 3600);

/// The validated configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Listen address.
    pub bind: Option<String>,
    /// SQLite path or PostgreSQL URL.
    pub database_url: Option<String>,
    /// Campaign folder (relative to the config file).
    pub campaigns: Option<PathBuf>,
    /// Admin bearer token.
    pub admin_token: Option<String>,
    /// Environments.
    pub environments: Vec<Environment>,
    /// Limits.
    pub limits: Limits,
    /// The vendor's decision policy (the defaults for what `[policy]` leaves out).
    pub policy: Policy,
    /// The workspace's sign-in settings.
    pub workspace: WorkspaceConfig,
}

impl Default for Config {
    /// No file: default limits, no environments, the default policy.
    fn default() -> Self {
        Self {
            bind: None,
            database_url: None,
            campaigns: None,
            admin_token: None,
            environments: Vec::new(),
            limits: Limits::default(),
            policy: touchpoint_authoring::policy::defaults(),
            workspace: WorkspaceConfig::default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    bind: Option<String>,
    database_url: Option<String>,
    campaigns: Option<PathBuf>,
    admin_token: Option<String>,
    admin_token_env: Option<String>,
    #[serde(default)]
    environments: Vec<RawEnvironment>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    workspace: RawWorkspace,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    #[serde(default)]
    secure_cookies: bool,
    idle_timeout_secs: Option<u64>,
    absolute_timeout_secs: Option<u64>,
    login_per_email_per_minute: Option<u32>,
    login_per_ip_per_minute: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_event_bytes: Option<usize>,
    max_batch_bytes: Option<usize>,
    per_ip_per_minute: Option<u32>,
    per_key_per_minute: Option<u32>,
    #[serde(default)]
    trust_forwarded_for: bool,
    header_read_timeout_secs: Option<u64>,
    body_read_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    name: Option<String>,
    key: String,
    #[serde(default)]
    allowed_origins: Vec<String>,
    #[serde(default)]
    identity: IdentityMode,
    identity_secret: Option<String>,
    identity_secret_env: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum IdentityMode {
    #[default]
    Off,
    Optional,
    Enforced,
}

/// A configuration problem, naming the file and the field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown fields.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A field has a value that cannot work.
    #[error("{path}: {field}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The field path, e.g. `environments[1].identity_secret`.
        field: String,
        /// What was expected.
        message: String,
    },
}

impl Config {
    /// Read and validate a configuration file. `lookup` reads environment variables (for
    /// `*_env` fields), so tests can supply their own.
    ///
    /// # Errors
    /// When the file cannot be read, does not parse, or a field is invalid.
    pub fn load(path: &Path, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        let mut config = Self::parse(&name, &text, lookup)?;
        if let (Some(dir), Some(c)) = (path.parent(), config.campaigns.as_mut()) {
            if c.is_relative() {
                *c = dir.join(&*c);
            }
        }
        Ok(config)
    }

    /// Validate configuration text; `name` is used in messages.
    ///
    /// # Errors
    /// When the text does not parse or a field is invalid.
    pub fn parse(
        name: &str,
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: name.to_owned(),
            message: e.to_string(),
        })?;
        let invalid = |field: String, message: String| ConfigError::Invalid {
            path: name.to_owned(),
            field,
            message,
        };
        let admin_token = match (raw.admin_token, raw.admin_token_env) {
            (Some(t), None) => Some(t),
            (None, Some(var)) => Some(lookup(&var).ok_or_else(|| {
                invalid(
                    "admin_token_env".into(),
                    format!("the environment variable {var} is not set"),
                )
            })?),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "admin_token".into(),
                    "give admin_token or admin_token_env, not both".into(),
                ))
            }
        };
        let mut environments = Vec::new();
        for (i, e) in raw.environments.into_iter().enumerate() {
            let at = |f: &str| format!("environments[{i}].{f}");
            if !e.key.starts_with("pk_") || e.key.len() < 4 {
                return Err(invalid(
                    at("key"),
                    format!(
                        "expected a publishable key starting with pk_, got {:?}",
                        e.key
                    ),
                ));
            }
            if crate::preview::is_preview_key(&e.key) {
                return Err(invalid(
                    at("key"),
                    format!(
                        "keys starting with {} are the workspace's previews",
                        crate::preview::KEY_PREFIX
                    ),
                ));
            }
            if environments.iter().any(|x: &Environment| x.key == e.key) {
                return Err(invalid(
                    at("key"),
                    format!("the key {} is used by an earlier environment", e.key),
                ));
            }
            for (j, o) in e.allowed_origins.iter().enumerate() {
                if o != "*" && !(o.starts_with("https://") || o.starts_with("http://"))
                    || o.ends_with('/')
                {
                    return Err(invalid(
                        format!("environments[{i}].allowed_origins[{j}]"),
                        format!("expected an origin like https://app.example.com (no path), or \"*\", got {o:?}"),
                    ));
                }
            }
            let origins =
                if e.allowed_origins.is_empty() || e.allowed_origins.iter().any(|o| o == "*") {
                    Origins::Any
                } else {
                    Origins::List(e.allowed_origins)
                };
            let secret = match (e.identity_secret, e.identity_secret_env) {
                (Some(s), None) => Some(Secret(s)),
                (None, Some(var)) => Some(Secret(lookup(&var).ok_or_else(|| {
                    invalid(
                        at("identity_secret_env"),
                        format!("the environment variable {var} is not set"),
                    )
                })?)),
                (None, None) => None,
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        at("identity_secret"),
                        "give identity_secret or identity_secret_env, not both".into(),
                    ))
                }
            };
            let identity = match (e.identity, secret) {
                (IdentityMode::Off, _) => Identity::Off,
                (IdentityMode::Optional, Some(s)) => Identity::Optional(s),
                (IdentityMode::Enforced, Some(s)) => Identity::Enforced(s),
                (mode, None) => {
                    return Err(invalid(
                        at("identity"),
                        format!("{mode:?} identity verification needs identity_secret or identity_secret_env").to_lowercase(),
                    ))
                }
            };
            environments.push(Environment {
                name: e.name.unwrap_or_else(|| e.key.clone()),
                key: e.key,
                origins,
                identity,
            });
        }
        let d = Limits::default();
        let l = raw.limits;
        let limits = Limits {
            max_event_bytes: l.max_event_bytes.unwrap_or(d.max_event_bytes),
            max_batch_bytes: l.max_batch_bytes.unwrap_or(d.max_batch_bytes),
            per_ip_per_minute: l.per_ip_per_minute.unwrap_or(d.per_ip_per_minute),
            per_key_per_minute: l.per_key_per_minute.unwrap_or(d.per_key_per_minute),
            trust_forwarded_for: l.trust_forwarded_for,
            header_read_timeout: secs_or(l.header_read_timeout_secs, d.header_read_timeout),
            body_read_timeout: secs_or(l.body_read_timeout_secs, d.body_read_timeout),
            idle_timeout: secs_or(l.idle_timeout_secs, d.idle_timeout),
            max_connections: l.max_connections.unwrap_or(d.max_connections),
        };
        for (field, v) in [
            (
                "limits.per_ip_per_minute",
                u64::from(limits.per_ip_per_minute),
            ),
            (
                "limits.per_key_per_minute",
                u64::from(limits.per_key_per_minute),
            ),
            (
                "limits.header_read_timeout_secs",
                limits.header_read_timeout.as_secs(),
            ),
            (
                "limits.body_read_timeout_secs",
                limits.body_read_timeout.as_secs(),
            ),
            ("limits.idle_timeout_secs", limits.idle_timeout.as_secs()),
            ("limits.max_connections", limits.max_connections as u64),
        ] {
            if v == 0 {
                return Err(invalid(field.into(), "expected at least 1".into()));
            }
        }
        for (field, t) in [
            (
                "limits.header_read_timeout_secs",
                limits.header_read_timeout,
            ),
            ("limits.body_read_timeout_secs", limits.body_read_timeout),
            ("limits.idle_timeout_secs", limits.idle_timeout),
        ] {
            // A deadline is `now + timeout`; a day is already far beyond any use.
            if t > MAX_TIMEOUT {
                return Err(invalid(
                    field.into(),
                    format!("expected at most {} (a day)", MAX_TIMEOUT.as_secs()),
                ));
            }
        }
        if limits.max_connections > MAX_CONNECTIONS {
            return Err(invalid(
                "limits.max_connections".into(),
                format!("expected at most {MAX_CONNECTIONS}"),
            ));
        }
        // The first problem, naming its field (`policy.signals.growth`).
        let policy = touchpoint_authoring::policy::validate(raw.policy).map_err(|e| {
            match e.0.into_iter().next() {
                Some(first) => invalid(format!("policy.{}", first.path), first.message),
                None => invalid("policy".into(), "invalid".into()),
            }
        })?;
        let workspace = workspace(raw.workspace).map_err(|(f, m)| invalid(f.into(), m))?;
        Ok(Self {
            bind: raw.bind,
            database_url: raw.database_url,
            campaigns: raw.campaigns,
            admin_token,
            environments,
            limits,
            policy,
            workspace,
        })
    }
}

/// Validate `[workspace]`: the first bad field and why.
fn workspace(raw: RawWorkspace) -> Result<WorkspaceConfig, (&'static str, String)> {
    let d = WorkspaceConfig::default();
    let w = WorkspaceConfig {
        secure_cookies: raw.secure_cookies,
        idle_timeout: secs_or(raw.idle_timeout_secs, d.idle_timeout),
        absolute_timeout: secs_or(raw.absolute_timeout_secs, d.absolute_timeout),
        login_per_email_per_minute: raw
            .login_per_email_per_minute
            .unwrap_or(d.login_per_email_per_minute),
        login_per_ip_per_minute: raw
            .login_per_ip_per_minute
            .unwrap_or(d.login_per_ip_per_minute),
    };
    if w.idle_timeout < Duration::from_secs(60) {
        return Err(("workspace.idle_timeout_secs", "expected at least 60".into()));
    }
    if w.absolute_timeout < w.idle_timeout {
        return Err((
            "workspace.absolute_timeout_secs",
            "expected at least workspace.idle_timeout_secs".into(),
        ));
    }
    if w.absolute_timeout > MAX_SESSION {
        return Err((
            "workspace.absolute_timeout_secs",
            format!("expected at most {} (30 days)", MAX_SESSION.as_secs()),
        ));
    }
    for (field, n) in [
        (
            "workspace.login_per_email_per_minute",
            w.login_per_email_per_minute,
        ),
        (
            "workspace.login_per_ip_per_minute",
            w.login_per_ip_per_minute,
        ),
    ] {
        if n == 0 {
            return Err((field, "expected at least 1".into()));
        }
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse("touchpoint.toml", text, &|v| {
            (v == "SECRET").then(|| "s3cret".to_owned())
        })
    }

    #[test]
    fn a_full_file_validates() {
        let c = parse(
            r#"
            bind = "0.0.0.0:8080"
            admin_token_env = "SECRET"
            [limits]
            per_ip_per_minute = 10
            header_read_timeout_secs = 5
            max_connections = 500
            [[environments]]
            name = "production"
            key = "pk_live_1"
            allowed_origins = ["https://app.example.com", "https://*.example.org"]
            identity = "enforced"
            identity_secret_env = "SECRET"
            "#,
        )
        .expect("valid");
        assert_eq!(c.admin_token.as_deref(), Some("s3cret"));
        assert_eq!(c.limits.per_ip_per_minute, 10);
        assert_eq!(c.limits.header_read_timeout, Duration::from_secs(5));
        assert_eq!(c.limits.max_connections, 500);
        assert_eq!(c.limits.idle_timeout, Limits::default().idle_timeout);
        assert_eq!(
            c.environments[0].identity,
            Identity::Enforced(Secret("s3cret".into()))
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse("[[environments]]\nkey = \"pk_preview_x\"\n").unwrap_err();
        assert!(e.to_string().contains("the workspace's previews"), "{e}");
        let e = parse("[[environments]]\nkey = \"pk_a\"\nidentity = \"enforced\"\n")
            .expect_err("no secret");
        assert_eq!(
            e.to_string(),
            "touchpoint.toml: environments[0].identity: enforced identity verification needs identity_secret or identity_secret_env"
        );
        let e = parse("[[environments]]\nkey = \"pk_a\"\nallowed_origins = [\"https://a.com/\"]\n")
            .expect_err("path");
        assert!(
            e.to_string().starts_with(
                "touchpoint.toml: environments[0].allowed_origins[0]: expected an origin"
            ),
            "{e}"
        );
        let e = parse("[[environments]]\nkey = \"live\"\n").expect_err("key");
        assert!(
            e.to_string()
                .contains("environments[0].key: expected a publishable key"),
            "{e}"
        );
        let e = parse("[limits]\nidle_timeout_secs = 0\n").expect_err("zero");
        assert_eq!(
            e.to_string(),
            "touchpoint.toml: limits.idle_timeout_secs: expected at least 1"
        );
        let e = parse("[limits]\nmax_connections = 100000000\n").expect_err("too many");
        assert!(
            e.to_string()
                .contains("limits.max_connections: expected at most"),
            "{e}"
        );
        let e = parse("bindd = 1\n").expect_err("unknown field");
        assert!(e.to_string().contains("unknown field `bindd`"), "{e}");
    }

    #[test]
    fn a_policy_section_configures_the_policy_and_the_defaults_fill_the_rest() {
        let c = parse(
            r#"
            [policy]
            time_zone = "Europe/Berlin"
            max_nudges_per_week = 3
            [policy.lifecycle]
            renewal_window_days = 120
            [policy.signals]
            advocacy = "user.nps >= 10"
            "#,
        )
        .expect("valid");
        let p = &c.policy;
        assert_eq!(p.zone.name, "Europe/Berlin");
        assert!(!p.zone.transitions.is_empty());
        assert_eq!(p.max_nudges_per_week, 3);
        assert_eq!(p.max_modals_per_session, 1);
        assert_eq!(p.lifecycle.renewal_window_days, 120);
        assert_eq!(p.lifecycle.onboarding_days, 90);
        let source = |c: &Option<touchpoint_core::expr::Condition>| {
            c.as_ref().map(|c| c.source().to_owned())
        };
        assert_eq!(
            source(&p.lifecycle.advocacy).as_deref(),
            Some("user.nps >= 10")
        );
        assert_eq!(
            source(&p.lifecycle.growth).as_deref(),
            Some("account.seat_utilisation >= 0.85")
        );
        assert_eq!(parse("").unwrap().policy, Config::default().policy);
        assert_eq!(
            Config::default().policy,
            touchpoint_authoring::policy::defaults()
        );
    }

    #[test]
    fn policy_errors_name_the_field() {
        let e = |text: &str| parse(text).expect_err("invalid").to_string();
        assert_eq!(
            e("[policy.signals]\ngrowth = \"account.seats >= and\"\n"),
            "touchpoint.toml: policy.signals.growth: expected a value, found `and` (column 18 of \"account.seats >= and\")"
        );
        assert_eq!(
            e("[policy]\ntime_zone = \"Europe/Pariss\"\n"),
            "touchpoint.toml: policy.time_zone: unknown time zone `Europe/Pariss`: expected an IANA name like `Europe/Paris`, `UTC` or an offset like `+02:00`"
        );
        assert_eq!(
            e("[policy.lifecycle]\nrenewal_window_days = 4000\n"),
            "touchpoint.toml: policy.lifecycle.renewal_window_days: expected at most 3650 (ten years), found 4000"
        );
        let unknown = e("[policy]\nmax_nudges_per_day = 3\n");
        assert!(
            unknown.contains("unknown field `max_nudges_per_day`"),
            "{unknown}"
        );
        let negative = e("[policy]\nmax_nudges_per_week = -1\n");
        assert!(negative.contains("max_nudges_per_week"), "{negative}");
    }

    #[test]
    fn the_workspace_section_validates() {
        let c =
            parse("[workspace]\nsecure_cookies = true\nidle_timeout_secs = 600\n").expect("valid");
        assert!(c.workspace.secure_cookies);
        assert_eq!(c.workspace.idle_timeout, Duration::from_secs(600));
        assert_eq!(c.workspace.absolute_timeout, Duration::from_secs(12 * 3600));
        assert_eq!(parse("").unwrap().workspace, WorkspaceConfig::default());
        let e = |text: &str| parse(text).expect_err("invalid").to_string();
        assert_eq!(
            e("[workspace]\nidle_timeout_secs = 5\n"),
            "touchpoint.toml: workspace.idle_timeout_secs: expected at least 60"
        );
        assert_eq!(
            e("[workspace]\nidle_timeout_secs = 7200\nabsolute_timeout_secs = 3600\n"),
            "touchpoint.toml: workspace.absolute_timeout_secs: expected at least workspace.idle_timeout_secs"
        );
        assert_eq!(
            e("[workspace]\nlogin_per_ip_per_minute = 0\n"),
            "touchpoint.toml: workspace.login_per_ip_per_minute: expected at least 1"
        );
        assert!(e("[workspace]\nsecure = true\n").contains("unknown field `secure`"));
    }

    #[test]
    fn origin_patterns() {
        let o = Origins::List(vec![
            "https://app.example.com".into(),
            "https://*.example.org".into(),
        ]);
        assert!(o.allows("https://app.example.com"));
        assert!(!o.allows("http://app.example.com"));
        assert!(!o.allows("https://app.example.com.evil.net"));
        assert!(o.allows("https://eu.example.org"));
        assert!(!o.allows("https://example.org"));
        assert!(!o.allows("https://a.b.example.org"));
        assert!(!o.allows("https://evilexample.org"));
        assert!(Origins::Any.allows("https://anything.test"));
    }
}
