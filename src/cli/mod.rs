//! `evidence-kit`: the command line over the core. It parses, calls the core and
//! prints; it owns the exit codes: 0 ok, 1 a problem was found (check), 2 the input
//! could not be used (one plain sentence on stderr).
//!
//! Two rules for everything printed:
//! - Text that came from a bundle, the store or the keys folder (titles, names, notes,
//!   file names, findings, errors) goes through `text::visible` (or `visible_lines` for
//!   text of several lines), so control and bidi characters show as `[U+XXXX]` and a
//!   title cannot clear the screen or draw a fake "INTACT". `--json` output is left to
//!   serde_json, which escapes control characters itself.
//! - `println!`, `print!` and `eprintln!` in the CLI are the `out` module's, not std's:
//!   a closed stdout (`verify X | head -1`) is a normal end, not a panic. The rest of
//!   the output is dropped, the command finishes and exits with its own code. Any other
//!   failure to write stdout (a full disk) is said on stderr and exits 2.
//!
//! The layout follows ripgrep's `crates/core`: `args` (what clap parses), `values`
//! (the `ValueEnum`s over the core's enums), one module per group of commands, each a
//! few small functions that call the core and print, `failure` (errors, their exit
//! codes and hints, from each error's `code()`), and [`run`], which only dispatches.

#[macro_use]
mod out;

mod args;
mod capture;
mod case;
mod check;
mod dsl;
mod failure;
mod form;
mod items;
mod keys;
mod receipt;
mod seal;
mod values;
mod verify;

use args::{Cli, Command};
use clap::Parser;
use evidence_kit::keys::KeyDir;
use evidence_kit::store;
use evidence_kit::text::{visible, visible_lines};
use failure::{CliError, Failure};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Parse, run, print the error (if any) and finish the output.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("evidence-kit: {}", visible_lines(&f.text()));
            f.exit()
        }
    };
    match out::finish() {
        Some(sentence) => {
            eprintln!("evidence-kit: {sentence}");
            ExitCode::from(2)
        }
        None => ExitCode::from(code),
    }
}

/// One command: its exit code (0 ok, 1 a problem found), or a failure.
fn run(cli: Cli) -> Result<u8, Failure> {
    let root = root(&cli.store)?;
    let config = &cli.config;
    match cli.command {
        Command::Verify { file, v, json } => verify::verify(config, &file, &v, json),
        Command::Open {
            file,
            out,
            v,
            force,
        } => verify::open(config, &file, &out, &v, force),
        Command::Form(args) => form::form(&root, config, args),
        Command::Dsl(d) => dsl::dsl(&root, config, d),
        Command::Receipt(r) => receipt::receipt(&root, config, r),
        Command::Keys(k) => keys::keys(config, k),
        Command::Seal(args) => seal::seal(&root, config, args),
        Command::Case(c) => case::case(&root, c),
        Command::Capture(c) => capture::capture(&root, *c),
        Command::Items { case, json } => items::items(&root, &case, json),
        Command::Withdraw { item, reason } => items::withdraw(&root, &item, &reason),
        Command::Edit { item, field, value } => items::edit(&root, &item, &field, &value),
        Command::Log { case, json } => items::log(&root, &case, json),
        Command::Check { json } => check::check(&root, json),
    }
}

fn root(cli_store: &Option<PathBuf>) -> Result<PathBuf, Failure> {
    match cli_store {
        Some(p) => Ok(p.clone()),
        None => Ok(store::default_root()?),
    }
}

fn parse_item(s: &str) -> Result<i64, Failure> {
    s.trim().parse().map_err(|_| {
        CliError::NotAnItemNumber {
            given: visible(s).into_owned(),
        }
        .into()
    })
}

fn keydir(config: &Option<PathBuf>) -> Result<KeyDir, Failure> {
    match config {
        Some(p) => Ok(KeyDir::at(p.clone())),
        None => Ok(KeyDir::default_location()?),
    }
}

/// The school's name, the same for `seal` (Source-Organization) and `form`: the flag
/// (or its environment variable), else settings.json's, else none (no school is built
/// in); the core's one rule (`settings::school_name`), the keys folder found only when
/// no school is given.
fn school_name(
    config: &Option<PathBuf>,
    given: &Option<String>,
) -> Result<Option<String>, Failure> {
    evidence_kit::settings::school_name(given.as_deref(), || keydir(config))
}

/// A path to print (it may hold any characters).
fn shown_path(p: &Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// A progress bar on stderr, shown only when stderr is a terminal and the work is long.
fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {wide_bar} {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// Print a list: as JSON with `--json`, else `empty` when there is nothing, else
/// one line a row.
fn print_list<T: serde::Serialize>(
    rows: &[T],
    json: bool,
    empty: &str,
    line: impl Fn(&T) -> String,
) {
    if json {
        println!("{}", to_json(&rows));
    } else if rows.is_empty() {
        println!("{empty}");
    } else {
        for row in rows {
            println!("{}", line(row));
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
}
