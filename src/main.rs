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
//! - `println!`, `print!` and `eprintln!` in this file are the `out` module's, not std's:
//!   a closed stdout (`verify X | head -1`) is a normal end, not a panic. The rest of
//!   the output is dropped, the command finishes and exits with its own code. Any other
//!   failure to write stdout (a full disk) is said on stderr and exits 2.

use clap::{Args, Parser, Subcommand};
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Details, Target};
use evidence_kit::case::{Item, Sender};
use evidence_kit::check;
use evidence_kit::form;
use evidence_kit::keys::{KeyDir, PublicKey};
use evidence_kit::store::{self, ItemField, Store};
use evidence_kit::text::{visible, visible_lines};
use evidence_kit::verify;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Printing that survives a closed stdout (see the crate comment). These shadow std's
/// macros in this file, so every line printed, in every command, goes through `out`.
macro_rules! println {
    () => {
        crate::out::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        crate::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! print {
    ($($arg:tt)*) => {
        crate::out::stdout(format_args!($($arg)*))
    };
}
macro_rules! eprintln {
    ($($arg:tt)*) => {
        crate::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod out {
    use std::io::Write;
    use std::sync::Mutex;

    /// How writing stdout has gone so far.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Open,
        /// The reader went away (broken pipe): a normal end, the rest is dropped.
        Closed,
        /// Writing failed otherwise (e.g. a full disk): said on stderr at the end.
        Failed(std::io::ErrorKind),
    }

    static STATE: Mutex<State> = Mutex::new(State::Open);

    fn state() -> State {
        STATE.lock().map_or(State::Closed, |s| *s)
    }

    fn set(to: State) {
        if let Ok(mut s) = STATE.lock()
            && *s == State::Open
        {
            *s = to;
        }
    }

    fn note(r: std::io::Result<()>) {
        if let Err(e) = r {
            set(if e.kind() == std::io::ErrorKind::BrokenPipe {
                State::Closed
            } else {
                State::Failed(e.kind())
            });
        }
    }

    /// Write to stdout, unless it was found closed or failing.
    pub fn stdout(args: std::fmt::Arguments<'_>) {
        if state() == State::Open {
            note(std::io::stdout().lock().write_fmt(args));
        }
    }

    /// Write to stderr; if that fails there is nowhere left to say so, and the exit
    /// code still does.
    pub fn stderr(args: std::fmt::Arguments<'_>) {
        let _ = std::io::stderr().lock().write_fmt(args);
    }

    /// At the end: flush stdout; `Some(sentence)` when the output could not be written
    /// for a reason other than a closed reader.
    pub fn finish() -> Option<String> {
        if state() == State::Open {
            note(std::io::stdout().lock().flush());
        }
        match state() {
            State::Failed(kind) => Some(format!(
                "Could not write the output: {}.",
                evidence_kit::error::plain_io(&std::io::Error::from(kind))
            )),
            State::Open | State::Closed => None,
        }
    }
}

/// A path to print (it may hold any characters).
fn shown_path(p: &Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// The most a receipt file is read to (they are about 1 KiB).
const MAX_RECEIPT_BYTES: u64 = 1024 * 1024;
/// The most a `--description-file` is read to (the description itself is limited to
/// 200,000 characters).
const MAX_DESCRIPTION_FILE_BYTES: u64 = 4 * 1024 * 1024;

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
    /// The keys folder (default: your config folder, or $EVIDENCE_KIT_CONFIG).
    #[arg(long, global = true, value_name = "DIR")]
    config: Option<PathBuf>,
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
    /// Your signing key and the designated persons you seal to.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Seal a case into one signed bundle (optionally encrypted to the designated person).
    Seal(SealArgs),
    /// Check a bundle: signature, signer, every file, the custody chain. Exit 0 only
    /// when it is intact and signed by a key you trust.
    Verify {
        /// The bundle (.evidence or .evidence.age).
        file: PathBuf,
        #[command(flatten)]
        v: VerifyArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the E-safety incident-logging form (PDF): for a case in your evidence
    /// store, or for a bundle you received (verified first; a bundle that fails gets a
    /// form that says so on every page, and exit 1).
    Form(FormArgs),
    /// The designated safeguarding person's register of bundles received.
    #[command(subcommand)]
    Dsl(DslCommand),
    /// Receipts from the designated person.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// Verify a bundle and extract it into a new folder, read-only, for viewing.
    Open {
        /// The bundle.
        file: PathBuf,
        /// The folder to create.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        v: VerifyArgs,
        /// Extract even if verification failed (the folder is marked as failed).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Check a receipt: exit 0 when it is signed by a key you trust (given here, or
    /// trusted in your keys folder: the designated person's shared keys).
    Verify {
        /// The receipt file.
        file: PathBuf,
        /// The designated person's public key (.pub); repeat for several.
        #[arg(long, value_name = "KEY.pub")]
        trust: Vec<PathBuf>,
        /// (Staff) record it on the case it is for, which must be one you sealed.
        #[arg(long)]
        record: bool,
    },
}

#[derive(Subcommand)]
enum DslCommand {
    /// Verify a bundle and record it in the register (the same bundle twice is
    /// recognised; one sealed before a bundle already on file for its case is flagged).
    Receive {
        /// The bundle (.evidence or .evidence.age).
        file: PathBuf,
        #[command(flatten)]
        v: VerifyArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List every bundle received, with its case's status.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move a case along: received, reviewed, referred, closed; with a dated note.
    Status {
        /// The case reference.
        #[arg(long)]
        case: String,
        /// The new status.
        #[arg(long, value_name = "STATUS")]
        set: String,
        /// A note (who it was referred to, what was done).
        #[arg(long)]
        note: Option<String>,
    },
    /// A receipt for the latest bundle of a case, signed with your key, to give back to
    /// the staff member.
    Receipt {
        /// The case reference.
        #[arg(long)]
        case: String,
        /// The receipt file to write (a new file).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        pass: PassArgs,
    },
    /// The accounts named across every case received (usernames, e-mails, phone
    /// numbers, profile addresses): which cases and items, first and last seen.
    Accounts {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the register as CSV (opens in a spreadsheet).
    Export {
        /// The CSV file to write.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
    },
}

#[derive(Args, Clone)]
struct FormArgs {
    /// The case (staff side: from the evidence store on this computer).
    #[arg(long, conflicts_with = "bundle", required_unless_present = "bundle")]
    case: Option<String>,
    /// A sealed bundle (designated person's side).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    #[command(flatten)]
    v: VerifyArgs,
    /// Where to write the PDF (a new file).
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// The school's name on the form (default: $EVIDENCE_KIT_SCHOOL, the "school" in
    /// settings.json in the keys folder, or Newport CE Junior School).
    #[arg(long, env = "EVIDENCE_KIT_SCHOOL")]
    school: Option<String>,
    /// (Designated person, with --bundle) fill in your section from your register:
    /// when it was received, by whom, and each status with its note.
    #[arg(long, requires = "bundle")]
    register: bool,
}

#[derive(Args, Clone, Default)]
struct VerifyArgs {
    /// The designated person's age identity file, for encrypted (.age) bundles
    /// (default: your own, from `keys new-recipient`).
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// A signer's public key (.pub) you trust; repeat for several.
    #[arg(long, value_name = "KEY.pub")]
    trust: Vec<PathBuf>,
    /// Read the passphrase of a protected identity from this file (for scripts; else
    /// $EVIDENCE_KIT_PASSPHRASE, else it is asked for at a terminal).
    #[arg(long, value_name = "FILE")]
    identity_passphrase_file: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct PassArgs {
    /// Read the signing key's passphrase from this file (for scripts).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make your signing key (minisign, Ed25519), protected by a passphrase.
    New {
        /// Your name, as the designated person knows you.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        pass: PassArgs,
        /// Make the key without a passphrase (anyone with this computer could sign as you).
        #[arg(long)]
        no_passphrase: bool,
        /// Replace an existing key (only if it is lost or compromised).
        #[arg(long)]
        replace: bool,
    },
    /// Show your public key, its fingerprint, and your designated persons.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write your public key to a file to give to the designated person.
    Export {
        /// The file (e.g. teacher.pub).
        #[arg(long)]
        out: PathBuf,
    },
    /// (Designated person) make your decryption key, protected by a passphrase; prints
    /// the age1… to give to staff.
    NewRecipient {
        /// Your name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        pass: PassArgs,
        /// Make the key without a passphrase (anyone with this computer could open
        /// the bundles sealed to you).
        #[arg(long)]
        no_passphrase: bool,
        /// Replace an existing key.
        #[arg(long)]
        replace: bool,
    },
    /// (Designated person) print what to give staff: your age1… and the key your
    /// receipts are signed with.
    Share,
    /// Trust a signing key (a staff member's .pub, compared with them in person).
    Trust {
        /// The .pub file.
        file: PathBuf,
        /// Whose key it is.
        #[arg(long)]
        name: String,
    },
    /// Add a designated person you can seal bundles to.
    AddRecipient {
        /// Their name.
        #[arg(long)]
        name: String,
        /// The age1… they gave you.
        recipient: String,
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
    /// Show a case and its incident report.
    Show {
        /// The case id.
        #[arg(long)]
        case: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record that you gave the sealed record to your designated safeguarding person.
    HandedOver {
        /// The case id.
        #[arg(long)]
        case: String,
        /// Their name.
        #[arg(long, value_name = "NAME")]
        to: Option<String>,
    },
    /// Fill in the incident report (the fields of the E-safety incident-logging form).
    /// Each change is kept in the custody log with the old value; an empty value clears
    /// a field.
    Report(Box<ReportArgs>),
    /// Record that a possible indecent image of a child was seen. Nothing is captured:
    /// never copy, screenshot or save such an image; tell the police now. With --item,
    /// an item just captured is marked as such and its bytes are removed from the store.
    Safeguard {
        /// The case id.
        #[arg(long)]
        case: String,
        /// An item of this case that may be such an image: its bytes are removed.
        #[arg(long)]
        item: Option<String>,
        /// Where it was seen (site, app, address), as you would describe it.
        #[arg(long)]
        site: Option<String>,
        /// When the police were told (RFC 3339), if they have been.
        #[arg(long, value_name = "TIME")]
        police_informed: Option<String>,
    },
}

#[derive(Args, Clone)]
struct ReportArgs {
    /// The case id.
    #[arg(long)]
    case: String,
    /// What happened, in your own words.
    #[arg(long, conflicts_with = "description_file")]
    description: Option<String>,
    /// Read the description from this file (UTF-8 text).
    #[arg(long, value_name = "FILE")]
    description_file: Option<PathBuf>,
    /// Who you believe is responsible.
    #[arg(long, value_parser = ["pupil", "parent", "colleague", "unknown", "other", ""])]
    responsible: Option<String>,
    /// Is it still going on?
    #[arg(long, value_parser = ["yes", "no", ""])]
    continuing: Option<String>,
    /// Do you wish to report this to the police? Your choice.
    #[arg(long, value_parser = ["yes", "no", "undecided", ""])]
    police: Option<String>,
    /// The police reference, if they have been told.
    #[arg(long, value_name = "REF")]
    police_ref: Option<String>,
    /// Reported to the platform: "DATE REF".
    #[arg(long, value_name = "DATE REF")]
    platform_report: Option<String>,
    /// Others involved, or witnesses.
    #[arg(long)]
    witnesses: Option<String>,
    /// The designated safeguarding person the form is addressed to.
    #[arg(long, value_name = "NAME")]
    addressed_to: Option<String>,
    /// Your role at school.
    #[arg(long)]
    role: Option<String>,
    /// Your school e-mail or phone (never a personal one).
    #[arg(long)]
    contact: Option<String>,
    /// Advice sought (e.g. the Professionals Online Safety Helpline).
    #[arg(long)]
    advice: Option<String>,
    /// Others you have informed.
    #[arg(long)]
    informed: Option<String>,
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

fn dsl(root: &std::path::Path, config: &Option<PathBuf>, d: DslCommand) -> Result<u8, Failure> {
    use evidence_kit::register::Register;
    let reg = Register::open(root)?;
    match d {
        DslCommand::Receive { file, v, json } => {
            let opts = verify_options(config, &v, &file)?;
            let got = reg.receive(&file, &opts)?;
            let b = &got.bundle;
            if json {
                println!("{}", to_json(&got));
            } else if got.duplicate && got.file_sha256 == b.sha256 {
                println!(
                    "Already received on {}: the same bundle (SHA-256 {}). Nothing was added; checked again: {}.",
                    visible(&b.received),
                    visible(&b.sha256),
                    if b.intact {
                        "intact"
                    } else {
                        "VERIFICATION FAILED"
                    }
                );
            } else if got.duplicate {
                println!(
                    "Already received on {}: the same seal as the bundle on file (SHA-256 {}), in a file whose bytes differ (SHA-256 {}). Nothing was added; checked again: {}.",
                    visible(&b.received),
                    visible(&b.sha256),
                    visible(&got.file_sha256),
                    if b.intact {
                        "intact"
                    } else {
                        "VERIFICATION FAILED"
                    }
                );
            } else {
                println!(
                    "Received {} for case {}: {}.",
                    visible(&b.file),
                    visible(b.case_ref.as_deref().unwrap_or("(unreadable)")),
                    if b.intact {
                        "intact"
                    } else {
                        "VERIFICATION FAILED"
                    }
                );
                for f in &b.findings {
                    println!("  - {}", visible(&f.to_string()));
                }
                if b.replay {
                    println!(
                        "  Note: this bundle was sealed before one already on file for the same case (an older copy)."
                    );
                }
                if let Some(c) = &b.conflict {
                    println!("  Warning: {}", visible(c));
                }
            }
            Ok(if b.intact { 0 } else { 1 })
        }
        DslCommand::List { json } => {
            print_list(&reg.list()?, json, "No bundles received yet.", |b| {
                format!(
                    "{}  {}  {}  received {}  {}{}{}  [{}]",
                    visible(b.case_ref.as_deref().unwrap_or("?")),
                    visible(b.staff.as_deref().unwrap_or("?")),
                    visible(&b.sha256.chars().take(12).collect::<String>()),
                    visible(&b.received),
                    if b.intact { "intact" } else { "FAILED" },
                    if b.replay { ", older copy" } else { "" },
                    if b.conflict.is_some() {
                        ", claims a seal on file but differs"
                    } else {
                        ""
                    },
                    visible(b.status.as_deref().unwrap_or("received"))
                )
            });
            Ok(0)
        }
        DslCommand::Status { case, set, note } => {
            reg.set_status(&case, &set, note.as_deref())?;
            println!(
                "Case {} is now {}.",
                visible(case.trim()),
                visible(&set.trim().to_lowercase())
            );
            Ok(0)
        }
        DslCommand::Receipt { case, out, pass } => {
            if out.exists() {
                return Err(Failure {
                    message: format!(
                        "{} already exists. Choose another name with --out; nothing was overwritten.",
                        shown_path(&out)
                    ),
                    code: 2,
                });
            }
            let dir = keydir(config)?;
            let pw = if dir.signing_key_is_encrypted(None)? {
                Some(passphrase(&pass, false)?)
            } else {
                None
            };
            let key = dir.signing_key(None, pw.as_deref())?;
            let text = reg.receipt(&case, &key)?;
            std::fs::write(&out, text).map_err(|e| Failure {
                message: format!(
                    "Could not write {}: {}.",
                    out.display(),
                    evidence_kit::error::plain_io(&e)
                ),
                code: 2,
            })?;
            println!(
                "Wrote the receipt for case {} to {}.",
                visible(case.trim()),
                shown_path(&out)
            );
            Ok(0)
        }
        DslCommand::Accounts { json } => {
            print_list(&reg.accounts()?, json, "No accounts named yet.", |a| {
                format!(
                    "{} ({}): {} case(s) [{}], {} item(s); first seen {}, last seen {}",
                    visible(&a.shown),
                    visible(&a.kind.to_string()),
                    a.cases.len(),
                    visible(&a.cases.join(", ")),
                    a.mentions.len(),
                    visible(&a.first_seen),
                    visible(&a.last_seen)
                )
            });
            Ok(0)
        }
        DslCommand::Export { csv } => {
            let n = reg.export_csv(&csv)?;
            println!("Wrote {n} row(s) to {}.", shown_path(&csv));
            Ok(0)
        }
    }
}

/// The school's name, the same for `seal` (Source-Organization) and `form`: the flag
/// (or its environment variable), else the school in settings.json in the keys folder
/// (`keys::Profile`, read field by field; a settings file that cannot be used is
/// refused with a sentence rather than silently replaced by the default), else the
/// default.
fn school_name(config: &Option<PathBuf>, given: &Option<String>) -> Result<String, Failure> {
    if let Some(s) = given.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return Ok(s.to_string());
    }
    Ok(keydir(config)?
        .read_profile()?
        .school
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| form::DEFAULT_SCHOOL.to_string()))
}

fn form(root: &std::path::Path, config: &Option<PathBuf>, a: FormArgs) -> Result<u8, Failure> {
    let school = school_name(config, &a.school)?;
    if a.out.exists() {
        return Err(form::FormError::OutputExists { path: a.out }.into());
    }
    let (made, failed) = match (&a.case, &a.bundle) {
        (_, Some(bundle)) => {
            let opts = verify_options(config, &a.v, bundle)?;
            let dsl = if a.register {
                evidence_kit::register::Register::open(root)?
                    .dsl_section(bundle, &keydir(config)?)?
            } else {
                None
            };
            let made = form::for_bundle(bundle, &opts, &school, evidence_kit::clock::now(), dsl)?;
            let failed = !made.intact;
            (made, failed)
        }
        (Some(case), None) => {
            let store = Store::open_for_reading(root)?;
            let made = form::for_case(&store, case, &school)?;
            let failed = !made.intact;
            (made, failed)
        }
        (None, None) => {
            return Err(Failure {
                message:
                    "Say which case (--case ID) or which bundle (--bundle FILE) the form is for."
                        .into(),
                code: 2,
            });
        }
    };
    form::write_new(&a.out, &made.pdf)?;
    println!(
        "Wrote the E-safety incident-logging form to {} ({} page(s)).",
        shown_path(&a.out),
        made.pages
    );
    if failed {
        eprintln!(
            "Verification FAILED: the form says so on every page, with the reasons. Do not rely on this evidence as it is."
        );
        return Ok(1);
    }
    Ok(0)
}

/// The report fields given on the command line; an empty value clears a field.
fn report_update(a: &ReportArgs) -> Result<store::ReportUpdate, Failure> {
    use evidence_kit::case::{PoliceDecision, Responsible};
    let text = |v: &Option<String>| v.as_ref().map(|s| Some(s.clone()));
    let description = match &a.description_file {
        Some(path) => {
            let bytes = evidence_kit::keys::read_regular(path, MAX_DESCRIPTION_FILE_BYTES)?;
            let t = String::from_utf8(bytes).map_err(|_| Failure {
                message: format!(
                    "{} is not UTF-8 text; save it as plain text (UTF-8) and try again.",
                    path.display()
                ),
                code: 2,
            })?;
            Some(Some(t))
        }
        None => text(&a.description),
    };
    fn pick<T: Copy>(v: &Option<String>, all: &[(&str, T)]) -> Option<Option<T>> {
        v.as_ref()
            .map(|s| all.iter().find(|(k, _)| *k == s.as_str()).map(|(_, v)| *v))
    }
    Ok(store::ReportUpdate {
        role: text(&a.role),
        contact: text(&a.contact),
        addressed_to: text(&a.addressed_to),
        description,
        responsible: pick(&a.responsible, Responsible::ALL),
        witnesses: text(&a.witnesses),
        continuing: a.continuing.as_ref().map(|s| match s.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }),
        platform_report: text(&a.platform_report),
        advice: text(&a.advice),
        informed: text(&a.informed),
        police: pick(&a.police, PoliceDecision::ALL),
        police_ref: text(&a.police_ref),
    })
}

fn print_case(c: &evidence_kit::case::Case) {
    let r = &c.report;
    let or = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "not recorded".into(), |s| visible(s).into_owned())
    };
    println!("Case {}: {}", visible(&c.id), visible(&c.title));
    println!(
        "  Staff member: {}, opened {}",
        visible(&c.staff),
        visible(&c.created.local)
    );
    println!("  Role: {}", or(&r.role));
    println!("  Contact: {}", or(&r.contact));
    println!("  Addressed to: {}", or(&r.addressed_to));
    println!(
        "  Believed responsible: {}",
        r.responsible.map_or("not recorded", |v| v.words())
    );
    println!(
        "  Continuing: {}",
        r.continuing
            .map_or("not recorded", |v| if v { "yes" } else { "no" })
    );
    println!("  Witnesses: {}", or(&r.witnesses));
    println!("  Reported to the platform: {}", or(&r.platform_report));
    println!("  Advice sought: {}", or(&r.advice));
    println!("  Others informed: {}", or(&r.informed));
    println!(
        "  Wishes to report to the police: {}{}",
        r.police.map_or("not recorded", |v| v.words()),
        r.police_decided
            .as_ref()
            .map(|s| format!(" (recorded {})", visible(&s.local)))
            .unwrap_or_default()
    );
    println!("  Police reference: {}", or(&r.police_ref));
    for n in &r.indecent_images {
        println!(
            "  Possible indecent image of a child seen ({}), recorded {}: not captured; police informed: {}",
            visible(n.site.as_deref().unwrap_or("site not recorded")),
            visible(&n.recorded.local),
            visible(
                n.police_informed
                    .as_deref()
                    .unwrap_or("not yet — tell them now")
            )
        );
    }
    match &r.description {
        Some(d) => println!("  Description:\n{}", visible_lines(d)),
        None => println!("  Description: not recorded"),
    }
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
    let code = match run(cli) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("evidence-kit: {}", visible_lines(&f.message));
            f.code
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

fn root(cli_store: &Option<PathBuf>) -> Result<PathBuf, Failure> {
    match cli_store {
        Some(p) => Ok(p.clone()),
        None => Ok(store::default_root()?),
    }
}

fn parse_item(s: &str) -> Result<i64, Failure> {
    s.trim().parse().map_err(|_| Failure {
        message: format!(
            "\"{}\" is not an item number; `evidence-kit items --case ID` lists them.",
            visible(s)
        ),
        code: 2,
    })
}

fn keydir(config: &Option<PathBuf>) -> Result<KeyDir, Failure> {
    match config {
        Some(p) => Ok(KeyDir::at(p.clone())),
        None => Ok(KeyDir::default_location()?),
    }
}

/// The passphrase: --passphrase-file, else $EVIDENCE_KIT_PASSPHRASE, else asked on the
/// terminal (twice when `confirm`).
fn passphrase(pass: &PassArgs, confirm: bool) -> Result<String, Failure> {
    ask_passphrase(pass, confirm, "your signing key")
}

fn ask_passphrase(pass: &PassArgs, confirm: bool, what: &str) -> Result<String, Failure> {
    if let Some(f) = &pass.passphrase_file {
        let text = evidence_kit::keys::read_regular_text(
            f,
            evidence_kit::keys::MAX_PASSPHRASE_FILE_BYTES,
        )?;
        return Ok(text.trim_end_matches(['\n', '\r']).to_string());
    }
    if let Ok(p) = std::env::var("EVIDENCE_KIT_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure {
            message: "A passphrase is needed: type it at a terminal, or give --passphrase-file FILE or EVIDENCE_KIT_PASSPHRASE.".into(),
            code: 2,
        });
    }
    let first = rpassword::prompt_password(format!("Passphrase for {what}: "))?;
    if confirm {
        let again = rpassword::prompt_password("The same passphrase again: ")?;
        if again != first {
            return Err(Failure {
                message: "The two passphrases were different; nothing was made. Try again.".into(),
                code: 2,
            });
        }
    }
    if first.is_empty() {
        return Err(Failure {
            message:
                "The passphrase was empty; use --no-passphrase if you really want no passphrase."
                    .into(),
            code: 2,
        });
    }
    Ok(first)
}

fn keys(config: &Option<PathBuf>, c: KeysCommand) -> Result<(), Failure> {
    let dir = keydir(config)?;
    match c {
        KeysCommand::New {
            name,
            pass,
            no_passphrase,
            replace,
        } => {
            let pw = if no_passphrase {
                eprintln!(
                    "Warning: this key has no passphrase. Anyone who can use this computer can sign bundles in your name."
                );
                None
            } else {
                Some(passphrase(&pass, true)?)
            };
            let k = dir.new_signing_key(&name, pw.as_deref(), replace)?;
            println!("Your signing key is made.");
            println!("Name:        {}", visible(&name));
            println!("Fingerprint: {}", k.fingerprint());
            println!("Public key:  {}", k.key.to_base64());
            println!(
                "Give your designated person your public key (evidence-kit keys export --out you.pub) and read them the fingerprint."
            );
        }
        KeysCommand::Show { json } => {
            // No key yet is a normal state (a designated person may have none); a key
            // that cannot be read is a refusal: exit 2, the sentence on stderr.
            let k = match dir.public_signing_key() {
                Err(evidence_kit::keys::KeyError::NoSigningKey) => None,
                k => Some(k?),
            };
            let recipients = dir.recipients()?;
            let identity = dir.identity_info().ok();
            if json {
                let v = serde_json::json!({
                    "signing_key": k.as_ref().map(|k| serde_json::json!({
                        "name": k.name, "key_id": k.key_id, "fingerprint": k.fingerprint(),
                        "public_key": k.key.to_base64(),
                    })),
                    "recipients": recipients.iter().map(|r| serde_json::json!({
                        "name": r.name, "recipient": r.recipient, "fingerprint": r.fingerprint(),
                    })).collect::<Vec<_>>(),
                    "identity": identity.as_ref().map(|i| serde_json::json!({
                        "name": i.name, "recipient": i.recipient, "fingerprint": i.fingerprint(),
                    })),
                });
                println!("{}", to_json(&v));
                return Ok(());
            }
            match k {
                Some(k) => {
                    println!(
                        "Signing key of {}",
                        visible(k.name.as_deref().unwrap_or("unknown"))
                    );
                    println!("Fingerprint: {}", k.fingerprint());
                    println!("Public key:  {}", k.key.to_base64());
                }
                None => println!("{}", evidence_kit::keys::KeyError::NoSigningKey),
            }
            for r in recipients {
                println!(
                    "Designated person: {} ({}) {}",
                    visible(&r.name),
                    visible(&r.fingerprint()),
                    visible(&r.recipient)
                );
            }
            if let Some(i) = identity {
                println!(
                    "Your designated-person key: {} {}",
                    visible(&i.name),
                    visible(&i.recipient)
                );
            }
        }
        KeysCommand::Export { out } => {
            let k = dir.public_signing_key()?;
            if out.exists() {
                return Err(Failure {
                    message: format!("{} already exists; choose another name.", shown_path(&out)),
                    code: 2,
                });
            }
            std::fs::write(&out, k.to_pub_file()).map_err(|e| Failure {
                message: format!("Could not write {}: {e}.", shown_path(&out)),
                code: 2,
            })?;
            println!(
                "Wrote {} (fingerprint {}).",
                shown_path(&out),
                k.fingerprint()
            );
        }
        KeysCommand::NewRecipient {
            name,
            pass,
            no_passphrase,
            replace,
        } => {
            let pw = if no_passphrase {
                eprintln!(
                    "Warning: this key has no passphrase. Anyone who can use this computer can open the bundles sealed to you."
                );
                None
            } else {
                Some(ask_passphrase(&pass, true, "your designated-person key")?)
            };
            let r = dir.new_identity(&name, pw.as_deref(), replace)?;
            println!("{}", visible(&r.recipient));
            eprintln!(
                "Give this to staff (it is public): {}\nFingerprint: {}\nYour secret key is in {}; keep it safe.",
                visible(&r.recipient),
                visible(&r.fingerprint()),
                shown_path(&dir.identity_path(None))
            );
        }
        KeysCommand::Share => print!("{}", visible_lines(&dir.share_text()?)),
        KeysCommand::Trust { file, name } => {
            let k = PublicKey::read(&file)?;
            dir.trust(&k, &name)?;
            println!(
                "Trusted {}'s key {} (check it with them in person).",
                visible(&name),
                k.fingerprint()
            );
        }
        KeysCommand::AddRecipient { name, recipient } => {
            let r = dir.add_recipient(&name, &recipient)?;
            println!(
                "Added {} ({}). Check the fingerprint with them.",
                visible(&r.name),
                visible(&r.fingerprint())
            );
        }
    }
    Ok(())
}

fn seal(root: &std::path::Path, config: &Option<PathBuf>, args: SealArgs) -> Result<(), Failure> {
    let store = Store::open(root)?;
    let dir = keydir(config)?;
    // Check the case and the recipient before asking for a passphrase.
    store.case(&args.case)?;
    let to = args
        .to
        .iter()
        .map(|t| dir.resolve_recipient(t))
        .collect::<Result<Vec<_>, _>>()?;
    let pw = if dir.signing_key_is_encrypted(args.key.as_deref())? {
        Some(passphrase(&args.pass, false)?)
    } else {
        None
    };
    let organization = school_name(config, &args.organization)?;
    let key = dir.signing_key(args.key.as_deref(), pw.as_deref())?;
    let bar = progress_bar(0, "sealing");
    let req = SealRequest {
        case_id: args.case.clone(),
        out: args.out.clone(),
        to,
        organization,
    };
    let sealed = bundle::seal(&store, &key, &req, &mut |n, total| {
        bar.set_length(total);
        bar.set_position(n);
    });
    bar.finish_and_clear();
    let sealed = sealed?;
    if args.json {
        println!("{}", to_json(&sealed));
    } else {
        println!(
            "Sealed {} item(s) into {}",
            sealed.items,
            shown_path(&sealed.path)
        );
        println!("SHA-256: {}", sealed.sha256);
        println!(
            "Signed by {} ({})",
            visible(&key.name),
            sealed.signer_fingerprint
        );
        for t in &req.to {
            println!(
                "Encrypted to {} ({})",
                visible(&t.name),
                visible(&t.fingerprint())
            );
        }
        println!("Give this file to your designated safeguarding person; keep your copy.");
    }
    Ok(())
}

#[derive(Args)]
struct SealArgs {
    /// The case id.
    #[arg(long)]
    case: String,
    /// The bundle file, used exactly as given (default: CASE.evidence here, or
    /// CASE.evidence.age with --to).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Encrypt to this designated person (a name from `keys add-recipient`, or
    /// age1…); repeat for several (e.g. the designated person and their deputy).
    #[arg(long)]
    to: Vec<String>,
    /// Sign with this minisign secret key file instead of your own.
    #[arg(long)]
    key: Option<PathBuf>,
    #[command(flatten)]
    pass: PassArgs,
    /// The school, for the bag's Source-Organization (default: the "school" in
    /// settings.json in the keys folder, or Newport CE Junior School).
    #[arg(long)]
    organization: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn verify_options(
    config: &Option<PathBuf>,
    v: &VerifyArgs,
    file: &std::path::Path,
) -> Result<verify::Options, Failure> {
    let dir = keydir(config)?;
    let trusted = dir.trusted_keys();
    let mut trusted_files = Vec::new();
    for p in &v.trust {
        trusted_files.push((p.clone(), PublicKey::read(p)?));
    }
    let identity = match &v.identity {
        Some(p) => Some(p.clone()),
        None => {
            let p = dir.identity_path(None);
            p.exists().then_some(p)
        }
    };
    let identity_passphrase = match &identity {
        Some(p) if verify::is_encrypted(file) && evidence_kit::keys::identity_is_protected(p) => {
            Some(ask_passphrase(
                &PassArgs {
                    passphrase_file: v.identity_passphrase_file.clone(),
                },
                false,
                "your designated-person key",
            )?)
        }
        _ => None,
    };
    Ok(verify::Options {
        identity,
        identity_passphrase,
        trusted,
        trusted_files,
    })
}

fn print_report(r: &verify::Report) {
    let when = r
        .facts
        .as_ref()
        .map(|f| f.sealed.clone())
        .unwrap_or_default();
    if r.intact() {
        let s = r.signer.as_ref();
        println!(
            "INTACT: signed with {} (key {}), sealed on {}; unchanged since it was sealed.",
            visible(&s.map_or_else(|| "?".to_string(), verify::Signer::described)),
            visible(s.map_or("?", |s| s.fingerprint.as_str())),
            visible(&when)
        );
    } else {
        println!("NOT VERIFIED: {} problem(s) found.", r.findings.len());
        for f in &r.findings {
            println!("- {}: {}", visible(f.kind.as_str()), visible(&f.message));
        }
        if let Some(s) = &r.signer {
            println!(
                "Signed by {} (key {}){}.",
                visible(&s.name),
                visible(&s.fingerprint),
                if s.signature_valid {
                    ""
                } else {
                    " — but the signature does not match"
                }
            );
        }
    }
    if let Some(c) = &r.case {
        println!(
            "Case {}: {} ({} item(s), {} bytes)",
            visible(&c.id),
            visible(&c.title),
            r.items,
            r.payload_bytes
        );
    }
    println!("Bundle SHA-256: {}", visible(&r.sha256));
    for n in &r.notes {
        println!("note: {}", visible(n));
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let root = root(&cli.store)?;
    match cli.command {
        Command::Verify { file, v, json } => {
            let opts = verify_options(&cli.config, &v, &file)?;
            let report = verify::verify(&file, &opts)?;
            if json {
                println!("{}", to_json(&report));
            } else {
                print_report(&report);
            }
            return Ok(if report.intact() { 0 } else { 1 });
        }
        Command::Open {
            file,
            out,
            v,
            force,
        } => {
            let opts = verify_options(&cli.config, &v, &file)?;
            let opened = verify::open(&file, &opts)?;
            let report = verify::check(&opened, &opts);
            print_report(&report);
            if !report.intact() && !force {
                return Err(Failure {
                    message: "The bundle did not verify, so it was not extracted. Use --force to extract it anyway (the folder will be marked as failed).".into(),
                    code: 1,
                });
            }
            let n = verify::extract(&opened, &report, &out)?;
            println!(
                "Extracted {n} file(s) into {} (read-only).",
                shown_path(&out)
            );
            return Ok(if report.intact() { 0 } else { 1 });
        }
        Command::Form(args) => return form(&root, &cli.config, args),
        Command::Dsl(d) => return dsl(&root, &cli.config, d),
        Command::Receipt(ReceiptCommand::Verify {
            file,
            trust,
            record,
        }) => {
            let mut keys = trust
                .iter()
                .map(|p| PublicKey::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            keys.extend(keydir(&cli.config)?.receipt_keys());
            let text = evidence_kit::keys::read_regular_text(&file, MAX_RECEIPT_BYTES)?;
            return match evidence_kit::register::verify_receipt(&text, &keys) {
                Ok((r, k)) => {
                    println!(
                        "Received and verified by {} on {}: case {}, bundle SHA-256 {} ({}). Signed with key {}.",
                        visible(&r.received_by),
                        visible(&r.received),
                        visible(&r.case),
                        visible(&r.bundle_sha256),
                        visible(&r.verdict),
                        k.fingerprint()
                    );
                    if record {
                        let words = Store::open(&root)?.record_receipt(&r, &k.fingerprint())?;
                        println!(
                            "Recorded on case {}: {}",
                            visible(&r.case),
                            visible_lines(&words.to_string())
                        );
                    }
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("{}", visible_lines(&e.to_string()));
                    Ok(1)
                }
            };
        }
        Command::Keys(k) => keys(&cli.config, k)?,
        Command::Seal(args) => seal(&root, &cli.config, args)?,
        Command::Case(CaseCommand::New { title, staff }) => {
            let store = Store::open(&root)?;
            let case = store.create_case(&title, &staff)?;
            println!("{}", visible(&case.id));
        }
        Command::Case(CaseCommand::List { json }) => {
            let store = Store::open_for_reading(&root)?;
            let empty =
                "No cases yet. Start one with: evidence-kit case new --title T --staff NAME";
            print_list(&store.cases()?, json, empty, |c| {
                let state = match (c.state, c.changed_since_seal) {
                    (evidence_kit::case::CaseState::Open, _) => "open",
                    (_, true) => "changed since sealed",
                    (evidence_kit::case::CaseState::Sealed, false) => "sealed",
                    (evidence_kit::case::CaseState::Sent, false) => {
                        "given to the designated person"
                    }
                };
                format!(
                    "{}  {}  {} item(s)  opened {} by {}  [{state}]",
                    visible(&c.case.id),
                    visible(&c.case.title),
                    c.items,
                    visible(&c.case.created.local),
                    visible(&c.case.staff)
                )
            });
        }
        Command::Case(CaseCommand::Show { case, json }) => {
            let store = Store::open_for_reading(&root)?;
            let c = store.case(&case)?;
            if json {
                println!("{}", to_json(&c));
            } else {
                print_case(&c);
            }
        }
        Command::Case(CaseCommand::HandedOver { case, to }) => {
            let store = Store::open(&root)?;
            let actor = store.case(&case)?.staff;
            store.record_handed_over(&case, to.as_deref(), &actor)?;
            println!("Recorded: the sealed record was given to the designated person.");
        }
        Command::Case(CaseCommand::Report(args)) => {
            let store = Store::open(&root)?;
            let update = report_update(&args)?;
            let actor = store.case(&args.case)?.staff;
            let c = store.update_report(&args.case, &update, &actor)?;
            print_case(&c);
        }
        Command::Case(CaseCommand::Safeguard {
            case,
            item,
            site,
            police_informed,
        }) => {
            let store = Store::open(&root)?;
            let c = store.case(&case)?;
            match item {
                Some(item) => {
                    let id = parse_item(&item)?;
                    if store.item(id)?.case_id != c.id {
                        return Err(Failure {
                            message: format!(
                                "Item {id} is not in case {}; nothing was changed.",
                                visible(&c.id)
                            ),
                            code: 2,
                        });
                    }
                    let i = store.remove_indecent_item(id, police_informed.as_deref(), &c.staff)?;
                    println!(
                        "Item {} is marked as a possible indecent image of a child. Its bytes were removed from the evidence store; only its record and hash remain.",
                        i.id
                    );
                }
                None => {
                    let note = store.record_indecent_image(
                        &case,
                        site.as_deref(),
                        police_informed.as_deref(),
                        &c.staff,
                    )?;
                    println!(
                        "Recorded at {}. Nothing was captured.",
                        visible(&note.recorded.local)
                    );
                }
            }
            println!("{}", store::INDECENT_IMAGE_ADVICE);
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
                message: format!("\"{}\" is not a field you can change; use one of note, site, url, seen, from_handle, from_email, from_phone, from_profile.", visible(&field)),
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
                    let flag = if e.clock_anomaly {
                        "  [clock went back]"
                    } else {
                        ""
                    };
                    println!(
                        "{:>5}  {}  {}  {}{}",
                        e.seq,
                        visible(&e.at.local),
                        visible(&e.actor),
                        visible(&e.describe()),
                        flag
                    );
                }
            }
        }
        Command::Check { json } => {
            let checked = (|| {
                let store = Store::open_for_reading(&root)?;
                let total = store.all_items()?.iter().map(|i| i.size).sum();
                let bar = progress_bar(total, "re-hashing the evidence");
                let report = check::run(&store, &mut |n| bar.set_position(n));
                bar.finish_and_clear();
                report
            })();
            // An index too damaged to read is what `check` is for: a problem (exit 1)
            // with the advice, not an error.
            let report = match checked {
                Ok(r) => r,
                Err(e) => check::damaged_index(&e).ok_or(e)?,
            };
            if json {
                println!("{}", to_json(&report));
            } else {
                for p in &report.problems {
                    println!("PROBLEM {}", visible(&p.to_string()));
                    if let Some(t) = p.technical_details() {
                        println!("  Technical details: {}", visible(t));
                    }
                }
                for n in &report.notes {
                    println!("note: {}", visible(n));
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
            // All or nothing: every file is checked (and read and hashed) before any
            // is kept, and all are recorded in one transaction, so a refusal of the
            // third file does not leave the first two kept while exit 2 says nothing
            // changed.
            let mut bar: Option<(usize, indicatif::ProgressBar)> = None;
            let items =
                capture::files(&store, &d.case, &paths, &d.details(), &mut |i, n, total| {
                    if bar.as_ref().is_none_or(|(at, _)| *at != i) {
                        if let Some((_, b)) = bar.take() {
                            b.finish_and_clear();
                        }
                        let shown = paths.get(i).map(|p| p.display().to_string());
                        bar = Some((i, progress_bar(total, &shown.unwrap_or_default())));
                    }
                    if let Some((_, b)) = &bar {
                        b.set_position(n);
                    }
                });
            if let Some((_, b)) = bar {
                b.finish_and_clear();
            }
            for item in &items? {
                report(item, d.json);
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
            i.id,
            visible(&i.original_name),
            i.size,
            visible(&i.captured.local),
            i.sha256
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
    let opt = |o: &Option<String>| {
        o.as_deref()
            .map_or_else(|| "-".into(), |s| visible(s).into_owned())
    };
    let withdrawn = i
        .withdrawn
        .as_ref()
        .map(|w| format!("withdrawn ({})", visible(&w.reason)))
        .unwrap_or_else(|| "-".into());
    println!(
        "{}\t{}\t{}\t{}\tsite: {}\tseen: {}\tcaptured: {}\tnote: {}\t{}\t{}",
        i.id,
        visible(&i.sha256),
        i.size,
        visible(&i.media_type),
        opt(&i.site),
        opt(&i.seen),
        visible(&i.captured.local),
        opt(&i.note),
        withdrawn,
        visible(&i.original_name)
    );
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
