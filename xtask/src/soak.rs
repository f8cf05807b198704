//! `cargo xtask soak`: the long delivery soak (issue 12; the chaos soak of issue 19). It runs
//! `tests/e2e/chaos.test.mjs` at full size — two tabs tracking through a fault-injecting
//! proxy, collector kills, reloads in the middle of flushes, then a fast case without faults
//! — once per origin set-up, optionally with the collector on PostgreSQL, and prints one
//! table of what the database holds. `cargo xtask test` runs the same file at its shortened
//! defaults; this command only changes the sizes, never the assertions.
//!
//! Arguments are read in two steps: the raw flags as given, then a checked [`Soak`] whose
//! every number is known to be usable, so a typo fails before anything is built.
use crate::{build, run, target_dir, tools};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The database the soak uses with `--postgres` and no URL (`TOUCHPOINT_TEST_POSTGRES`
/// overrides it, as for the server's own PostgreSQL tests).
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

pub const USAGE: &str = "usage: cargo xtask soak [options]
  --events N        events of the chaos case (default 5000)
  --rate N          events per second per tab in the chaos case (default 50)
  --faults P        share of event requests dropped or reset after the answer (default 0.3)
  --kills N         collector kills (SIGKILL, then a restart) (default 3)
  --reloads N       page reloads while a batch is in flight (default 20)
  --down-ms N       how long each kill keeps the collector away (default 1000)
  --fast-events N   events of the fast case, no faults (default 5000)
  --fast-rate N     events per second per tab in the fast case (default 250)
  --cases LIST      chaos, fast or chaos,fast (default chaos,fast)
  --origin MODE     same, cross or both (default both)
  --postgres [URL]  store in PostgreSQL (default URL: $TOUCHPOINT_TEST_POSTGRES or
                    postgres://postgres@127.0.0.1:5432/test) instead of a fresh SQLite file
  --seed N          the proxy's fault sequence (default: random, printed)";

/// A soak run, every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Soak {
    events: u64,
    rate: u64,
    faults: f64,
    kills: u64,
    reloads: u64,
    down_ms: u64,
    fast_events: u64,
    fast_rate: u64,
    cases: Vec<&'static str>,
    origins: Vec<&'static str>,
    postgres: Option<String>,
    seed: Option<u64>,
}

impl Default for Soak {
    /// The issue's case: 2 tabs × 50 events/s, 30% faults, 3 kills, 20 reloads, 5,000
    /// events; and 2 × 250 events/s without faults.
    fn default() -> Self {
        Self {
            events: 5000,
            rate: 50,
            faults: 0.3,
            kills: 3,
            reloads: 20,
            down_ms: 1000,
            fast_events: 5000,
            fast_rate: 250,
            cases: vec!["chaos", "fast"],
            origins: vec!["same", "cross"],
            postgres: None,
            seed: None,
        }
    }
}

/// Read the flags after `soak`.
///
/// # Errors
/// An unknown flag, a missing or unreadable value, named with what was expected.
pub fn parse(args: &[String], postgres_env: Option<&str>) -> Result<Soak, String> {
    let mut soak = Soak::default();
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let value = args.get(i + 1).filter(|v| !v.starts_with("--"));
        let need = || {
            value
                .map(String::as_str)
                .ok_or(format!("{flag} needs a value"))
        };
        let number = || -> Result<u64, String> {
            let v = need()?;
            v.parse()
                .map_err(|_| format!("{flag} {v}: expected a whole number"))
        };
        match flag {
            "--events" => soak.events = positive(flag, number()?)?,
            "--rate" => soak.rate = positive(flag, number()?)?,
            "--kills" => soak.kills = number()?,
            "--reloads" => soak.reloads = number()?,
            "--down-ms" => soak.down_ms = number()?,
            "--fast-events" => soak.fast_events = positive(flag, number()?)?,
            "--fast-rate" => soak.fast_rate = positive(flag, number()?)?,
            "--seed" => soak.seed = Some(number()?),
            "--faults" => {
                let v = need()?;
                soak.faults = v
                    .parse::<f64>()
                    .ok()
                    .filter(|p| (0.0..=1.0).contains(p))
                    .ok_or(format!("--faults {v}: expected a share from 0 to 1"))?;
            }
            "--cases" => {
                let v = need()?;
                soak.cases = v
                    .split(',')
                    .map(|c| match c.trim() {
                        "chaos" => Ok("chaos"),
                        "fast" => Ok("fast"),
                        other => Err(format!("--cases: no case `{other}` (chaos, fast)")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--origin" => {
                soak.origins = match need()? {
                    "same" => vec!["same"],
                    "cross" => vec!["cross"],
                    "both" => vec!["same", "cross"],
                    other => return Err(format!("--origin {other}: expected same, cross or both")),
                };
            }
            "--postgres" => {
                // The URL is optional: `--postgres` alone takes the default database.
                let Some(url) = value else {
                    soak.postgres = Some(postgres_env.unwrap_or(DEFAULT_POSTGRES).to_owned());
                    i += 1;
                    continue;
                };
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(format!("--postgres {url}: expected a postgres:// URL"));
                }
                soak.postgres = Some(url.clone());
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
        i += 2;
    }
    Ok(soak)
}

fn positive(flag: &str, n: u64) -> Result<u64, String> {
    if n == 0 {
        Err(format!("{flag} 0: expected at least 1"))
    } else {
        Ok(n)
    }
}

impl Soak {
    /// The environment chaos.test.mjs reads its sizes from.
    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("TOUCHPOINT_CHAOS_EVENTS", self.events.to_string()),
            ("TOUCHPOINT_CHAOS_RATE", self.rate.to_string()),
            ("TOUCHPOINT_CHAOS_FAULTS", self.faults.to_string()),
            ("TOUCHPOINT_CHAOS_KILLS", self.kills.to_string()),
            ("TOUCHPOINT_CHAOS_RELOADS", self.reloads.to_string()),
            ("TOUCHPOINT_CHAOS_DOWN_MS", self.down_ms.to_string()),
            ("TOUCHPOINT_CHAOS_FAST_EVENTS", self.fast_events.to_string()),
            ("TOUCHPOINT_CHAOS_FAST_RATE", self.fast_rate.to_string()),
            ("TOUCHPOINT_CHAOS_CASES", self.cases.join(",")),
        ];
        if let Some(url) = &self.postgres {
            env.push(("TOUCHPOINT_CHAOS_DATABASE", url.clone()));
        }
        if let Some(seed) = self.seed {
            env.push(("TOUCHPOINT_CHAOS_SEED", seed.to_string()));
        }
        env
    }
}

/// Build the widget and the server, run the soak in each origin set-up, print the table.
///
/// # Errors
/// When a build fails, or any case lost an event, stored one twice or misreported drops.
pub fn soak(root: &Path, soak: &Soak) -> Result<(), run::Error> {
    tools::ensure_test_tools(root)?;
    build::build(root)?;
    run::cargo(root, &["build", "-p", "touchpoint-server"])?;
    let mut results = Vec::new();
    let mut failed = Vec::new();
    for origin in &soak.origins {
        let mut cmd = Command::new("node");
        cmd.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .arg("tests/e2e/chaos.test.mjs")
            .current_dir(root)
            .env("TOUCHPOINT_BIN", target_dir(root).join("debug/touchpoint"))
            .env("TOUCHPOINT_ROOT", root)
            .env("TOUCHPOINT_E2E_ORIGIN", origin)
            .envs(soak.env());
        let (ok, out) = run::streamed(&mut cmd)?;
        results.extend(result_lines(&out));
        if !ok {
            failed.push(format!("{origin}-origin"));
        }
    }
    println!();
    println!("{}", table(&results));
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("soak failed: {}", failed.join(", ")))
    }
}

/// The `chaos result {...}` lines the test prints, one per case.
fn result_lines(out: &str) -> Vec<Value> {
    out.lines()
        .filter_map(|l| {
            let json = l.trim().strip_prefix("chaos result ")?;
            serde_json::from_str(json).ok()
        })
        .collect()
}

/// One row per case and set-up: what was tracked, what the database holds, what the
/// clients reported, what the proxy did, how long it took.
fn table(results: &[Value]) -> String {
    let head = [
        "case", "origin", "db", "tracked", "stored", "lost", "twice", "dropped", "faults", "kills",
        "reloads", "rate/s", "elapsed",
    ];
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|s| (*s).to_owned()).collect()];
    for r in results {
        let p = &r["proxy"];
        rows.push(vec![
            r["case"].as_str().unwrap_or("?").to_owned(),
            r["mode"].as_str().unwrap_or("?").to_owned(),
            r["database"].as_str().unwrap_or("?").to_owned(),
            n(r, "tracked").to_string(),
            n(r, "stored").to_string(),
            n(r, "lost").to_string(),
            n(r, "twice").to_string(),
            n(r, "droppedReported").to_string(),
            format!(
                "{}+{}/{}",
                n(p, "dropped"),
                n(p, "resetAfterAnswer"),
                n(p, "faultable")
            ),
            n(r, "kills").to_string(),
            format!("{}+{}", n(r, "reloadsInFlight"), n(r, "reloadsIdle")),
            format!("{}/{}", n(r, "rateReached"), n(r, "rateAsked")),
            format!("{} s", r["elapsedSeconds"].as_f64().unwrap_or(0.0)),
        ]);
    }
    if results.is_empty() {
        return "no chaos results were printed (see the output above)".to_owned();
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i < 3 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(
        "faults: dropped + reset after the answer / event requests; reloads: mid-flush + idle; \
         rate: reached / asked (both tabs)",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn defaults_are_the_issues_case() {
        let s = parse(&[], None).unwrap();
        assert_eq!(s, Soak::default());
        assert_eq!((s.events, s.rate, s.kills, s.reloads), (5000, 50, 3, 20));
        assert_eq!(s.origins, ["same", "cross"]);
    }

    #[test]
    fn issue_19_sizes_and_postgres() {
        let s = parse(
            &args("--events 10000 --kills 5 --postgres --origin cross"),
            None,
        )
        .unwrap();
        assert_eq!((s.events, s.kills), (10000, 5));
        assert_eq!(s.postgres.as_deref(), Some(DEFAULT_POSTGRES));
        assert_eq!(s.origins, ["cross"]);
        let s = parse(
            &args("--postgres postgres://x@db/y"),
            Some("postgres://env/z"),
        )
        .unwrap();
        assert_eq!(s.postgres.as_deref(), Some("postgres://x@db/y"));
        let s = parse(&args("--postgres"), Some("postgres://env/z")).unwrap();
        assert_eq!(s.postgres.as_deref(), Some("postgres://env/z"));
        let env = s.env();
        assert!(env.contains(&("TOUCHPOINT_CHAOS_DATABASE", "postgres://env/z".to_owned())));
    }

    #[test]
    fn bad_flags_are_named() {
        for (given, says) in [
            ("--events ten", "--events ten: expected a whole number"),
            ("--events 0", "--events 0: expected at least 1"),
            ("--faults 2", "--faults 2: expected a share from 0 to 1"),
            (
                "--origin left",
                "--origin left: expected same, cross or both",
            ),
            ("--cases chaos,slow", "no case `slow`"),
            ("--postgres mysql://x", "expected a postgres:// URL"),
            ("--rate", "--rate needs a value"),
            ("--bogus 1", "unknown option `--bogus`"),
        ] {
            let e = parse(&args(given), None).unwrap_err();
            assert!(e.contains(says), "{given}: {e}");
        }
    }

    #[test]
    fn the_table_reads_the_result_lines() {
        let out = "noise\n  chaos result {\"case\":\"chaos\",\"mode\":\"cross\",\"database\":\"sqlite\",\
                   \"tracked\":5000,\"stored\":4443,\"lost\":557,\"twice\":0,\"droppedReported\":13299,\
                   \"proxy\":{\"dropped\":40,\"resetAfterAnswer\":38,\"faultable\":260},\"kills\":3,\
                   \"reloadsInFlight\":20,\"reloadsIdle\":0,\"rateReached\":99,\"rateAsked\":100,\
                   \"elapsedSeconds\":71.5}\n";
        let results = result_lines(out);
        assert_eq!(results.len(), 1);
        let t = table(&results);
        let row = t.lines().nth(1).unwrap();
        for cell in [
            "chaos",
            "cross",
            "5000",
            "4443",
            "557",
            "13299",
            "40+38/260",
            "20+0",
            "99/100",
            "71.5 s",
        ] {
            assert!(row.contains(cell), "{cell} in {row}");
        }
        assert!(table(&[]).contains("no chaos results"));
    }
}
