//! `cargo xtask build | demo | test | soak | bench`: every set-up, build and test step of Touchpoint
//! in one place, so that a fresh machine needs only these commands. Each step installs the
//! tools it needs when they are missing, and only then.
mod bench;
mod build;
mod demo;
mod run;
mod soak;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <build | demo | test | soak | bench>
  build   build the widget into dist/ (wasm32 release, wasm-bindgen, wasm-opt, .br/.gz twins)
  demo    build, then serve the demo product, the widget and the API on http://127.0.0.1:8080
  test    every check: fmt, clippy (native + wasm32), native tests, wasm tests in Node and
          headless Chromium, the size budget, the Playwright end-to-end suite
  soak    the long delivery soak: two tabs through a fault-injecting proxy, collector kills,
          reloads mid-flush, counted in the database (`cargo xtask soak --help` for sizes)
  bench   run the benchmarks and print figures against their baselines: the decision
          (10 to 10,000 campaigns), then what track()/page()/identify() cost the host page";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build::build(&root()).map(|_| ()),
        Some("demo") => demo::demo(&root()),
        Some("test") => test::test(&root()),
        Some("soak") if args.iter().any(|a| a == "--help" || a == "-h") => {
            println!("{}", soak::USAGE);
            return ExitCode::SUCCESS;
        }
        Some("soak") => {
            let postgres = std::env::var("TOUCHPOINT_TEST_POSTGRES").ok();
            match soak::parse(&args[1..], postgres.as_deref()) {
                Ok(s) => soak::soak(&root(), &s),
                Err(e) => {
                    eprintln!("xtask soak: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        Some("bench") => bench::bench(&root()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's folder).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The cargo target folder (honours `CARGO_TARGET_DIR`).
fn target_dir(root: &std::path::Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}
