//! `evidence-kit`: the command line over the core. It parses, calls the core and
//! prints; it owns the exit codes: 0 ok, 1 a problem was found (check), 2 the input
//! could not be used (one plain sentence on stderr).

use clap::{Args, Parser, Subcommand};
use evidence_kit::capture::{self, Details, Target};
use evidence_kit::case::{Item, Sender};
use evidence_kit::check;
use evidence_kit::store::{self, ItemField, Store};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "evidence-kit",
    version,
    about = "Keep evidence of online abuse: capture, hash, store, check.",
    disable_help_subcommand = true
)]
struct Cli {
    /// The evidence store folder (default: your data folder, or $EVIDENCE_KIT_STORE).
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open, list and describe incident cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Capture evidence into a case.
    #[command(subcommand)]
    Capture(Box<CaptureCommand>),
    /// List the evidence items of a case.
    Items {
        /// The case id.
        #[arg(long)]
        case: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Withdraw an item (it is kept and marked withdrawn; nothing is deleted).
    Withdraw {
        /// The item number.
        #[arg(long)]
        item: String,
        /// Why, in your words.
        #[arg(long)]
        reason: String,
    },
    /// Change an item's note or details (the old value stays in the custody log).
    Edit {
        /// The item number.
        #[arg(long)]
        item: String,
        /// Which: note, site, url, seen, from_handle, from_email, from_phone, from_profile.
        #[arg(long)]
        field: String,
        /// The new value (empty to clear).
        #[arg(long)]
        value: String,
    },
    /// Show the custody log of a case.
    Log {
        /// The case id.
        #[arg(long)]
        case: String,
        /// Print JSON lines' array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every stored file and walk the custody chain; exit 1 if anything is wrong.
    Check {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Open a new case; prints its id.
    New {
        /// A short title.
        #[arg(long)]
        title: String,
        /// The staff member's name.
        #[arg(long)]
        staff: String,
    },
    /// List the cases.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Clone)]
struct DetailArgs {
    /// The case id.
    #[arg(long)]
    case: String,
    /// Where it was seen: site or app.
    #[arg(long)]
    site: Option<String>,
    /// The full address (URL).
    #[arg(long)]
    url: Option<String>,
    /// When it was seen, if not now (RFC 3339, e.g. 2026-11-25T14:30:00+00:00).
    #[arg(long)]
    seen: Option<String>,
    /// A note.
    #[arg(long)]
    note: Option<String>,
    /// Who it came from: username or handle.
    #[arg(long = "from")]
    from_handle: Option<String>,
    /// Who it came from: e-mail address.
    #[arg(long)]
    from_email: Option<String>,
    /// Who it came from: phone number.
    #[arg(long)]
    from_phone: Option<String>,
    /// Who it came from: profile address.
    #[arg(long)]
    from_profile: Option<String>,
    /// Who is capturing (default: the case's staff member).
    #[arg(long = "by")]
    captured_by: Option<String>,
    /// Print the new items as JSON.
    #[arg(long)]
    json: bool,
}

impl DetailArgs {
    fn details(&self) -> Details {
        Details {
            site: self.site.clone(),
            url: self.url.clone(),
            from: Sender {
                handle: self.from_handle.clone(),
                email: self.from_email.clone(),
                phone: self.from_phone.clone(),
                profile: self.from_profile.clone(),
            },
            seen: self.seen.clone(),
            note: self.note.clone(),
            captured_by: self.captured_by.clone(),
        }
    }
}

#[derive(Subcommand)]
enum CaptureCommand {
    /// Keep files from disk, byte for byte.
    File {
        #[command(flatten)]
        d: DetailArgs,
        /// The files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Take a screenshot of the screen, one monitor or one window.
    Screen {
        #[command(flatten)]
        d: DetailArgs,
        /// Monitor number, from 1.
        #[arg(long, conflicts_with = "window")]
        monitor: Option<usize>,
        /// A window whose title contains this text.
        #[arg(long)]
        window: Option<String>,
    },
    /// Keep the image (or text) on the clipboard.
    Clipboard {
        #[command(flatten)]
        d: DetailArgs,
    },
}

/// An error for the user: one sentence, and the exit code.
struct Failure {
    message: String,
    code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            message: e.to_string(),
            code: 2,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("evidence-kit: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn root(cli_store: &Option<PathBuf>) -> Result<PathBuf, Failure> {
    match cli_store {
        Some(p) => Ok(p.clone()),
        None => Ok(store::default_root()?),
    }
}

fn parse_item(s: &str) -> Result<i64, Failure> {
    s.trim().parse().map_err(|_| Failure {
        message: format!(
            "\"{s}\" is not an item number; `evidence-kit items --case ID` lists them."
        ),
        code: 2,
    })
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let root = root(&cli.store)?;
    match cli.command {
        Command::Case(CaseCommand::New { title, staff }) => {
            let store = Store::open(&root)?;
            let case = store.create_case(&title, &staff)?;
            println!("{}", case.id);
        }
        Command::Case(CaseCommand::List { json }) => {
            let store = Store::open_for_reading(&root)?;
            let cases = store.cases()?;
            if json {
                println!("{}", to_json(&cases));
            } else if cases.is_empty() {
                println!(
                    "No cases yet. Start one with: evidence-kit case new --title T --staff NAME"
                );
            } else {
                for c in cases {
                    println!(
                        "{}  {}  {} item(s)  opened {} by {}",
                        c.case.id, c.case.title, c.items, c.case.created.local, c.case.staff
                    );
                }
            }
        }
        Command::Capture(c) => capture(&root, *c)?,
        Command::Items { case, json } => {
            let store = Store::open_for_reading(&root)?;
            let items = store.items(&case)?;
            if json {
                println!("{}", to_json(&items));
            } else {
                for i in &items {
                    print_item(i);
                }
            }
        }
        Command::Withdraw { item, reason } => {
            let store = Store::open(&root)?;
            let id = parse_item(&item)?;
            let actor = store.case(&store.item(id)?.case_id)?.staff;
            let i = store.withdraw(id, &reason, &actor)?;
            println!(
                "Item {} is withdrawn. It is kept, marked withdrawn, with your reason.",
                i.id
            );
        }
        Command::Edit { item, field, value } => {
            let store = Store::open(&root)?;
            let id = parse_item(&item)?;
            let f = ItemField::parse(&field).ok_or_else(|| Failure {
                message: format!("\"{field}\" is not a field you can change; use one of note, site, url, seen, from_handle, from_email, from_phone, from_profile."),
                code: 2,
            })?;
            let actor = store.case(&store.item(id)?.case_id)?.staff;
            store.edit_item(id, f, Some(&value), &actor)?;
            println!("Item {id} updated; the old value is kept in the custody log.");
        }
        Command::Log { case, json } => {
            let store = Store::open_for_reading(&root)?;
            let log = store.custody(Some(&case))?;
            if json {
                println!("{}", to_json(&log));
            } else {
                for e in log {
                    let item = e.item_id.map(|i| format!(" item {i}")).unwrap_or_default();
                    let flag = if e.clock_anomaly {
                        "  [clock went back]"
                    } else {
                        ""
                    };
                    println!(
                        "{:>5}  {}  {}  {}{}  {}{}",
                        e.seq, e.at.local, e.actor, e.action, item, e.details, flag
                    );
                }
            }
        }
        Command::Check { json } => {
            let store = Store::open_for_reading(&root)?;
            let total = store.all_items()?.iter().map(|i| i.size).sum();
            let bar = progress_bar(total, "re-hashing the evidence");
            let report = check::run(&store, &mut |n| bar.set_position(n));
            bar.finish_and_clear();
            let report = report?;
            if json {
                println!("{}", to_json(&report));
            } else {
                for p in &report.problems {
                    println!("PROBLEM {p}");
                }
                for n in &report.notes {
                    println!("note: {n}");
                }
                if report.intact() {
                    println!(
                        "All intact: {} item(s), {} bytes re-hashed, {} custody entries in an unbroken chain.",
                        report.items_checked, report.bytes_checked, report.entries_checked
                    );
                } else {
                    println!(
                        "{} problem(s) found. Keep this store as it is and tell your designated safeguarding person.",
                        report.problems.len()
                    );
                }
            }
            return Ok(if report.intact() { 0 } else { 1 });
        }
    }
    Ok(0)
}

fn capture(root: &std::path::Path, c: CaptureCommand) -> Result<(), Failure> {
    let store = Store::open(root)?;
    let (d, item) = match c {
        CaptureCommand::File { d, paths } => {
            // Check every path first, so a typo in the third name does not leave
            // the first two kept without the person noticing.
            for p in &paths {
                capture::check_source(p)?;
            }
            let details = d.details();
            for p in &paths {
                let bar = progress_bar(0, &p.display().to_string());
                let item =
                    capture::file_with_progress(&store, &d.case, p, &details, &mut |n, total| {
                        bar.set_length(total);
                        bar.set_position(n);
                    });
                bar.finish_and_clear();
                report(&item?, d.json);
            }
            return Ok(());
        }
        CaptureCommand::Screen { d, monitor, window } => {
            let target = match (monitor, window) {
                (Some(n), _) => Target::Monitor(n),
                (None, Some(t)) => Target::Window(t),
                (None, None) => Target::Screen,
            };
            let item = capture::screen(&store, &d.case, &target, &d.details())?;
            (d, item)
        }
        CaptureCommand::Clipboard { d } => {
            let item = capture::clipboard(&store, &d.case, &d.details())?;
            (d, item)
        }
    };
    report(&item, d.json);
    Ok(())
}

/// One line per kept item (or one JSON object per line with --json).
fn report(i: &Item, json: bool) {
    if json {
        println!("{}", serde_json::to_string(i).unwrap_or_default());
    } else {
        println!(
            "Kept item {} ({}, {} bytes) recorded {} — SHA-256 {}",
            i.id, i.original_name, i.size, i.captured.local, i.sha256
        );
    }
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

fn print_item(i: &Item) {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let withdrawn = i
        .withdrawn
        .as_ref()
        .map(|w| format!("withdrawn ({})", w.reason))
        .unwrap_or_else(|| "-".into());
    println!(
        "{}\t{}\t{}\t{}\tsite: {}\tseen: {}\tcaptured: {}\tnote: {}\t{}\t{}",
        i.id,
        i.sha256,
        i.size,
        i.media_type,
        opt(&i.site),
        opt(&i.seen),
        i.captured.local,
        opt(&i.note),
        withdrawn,
        i.original_name
    );
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
}
