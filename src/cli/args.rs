//! The command line as clap parses it: the raw arguments, before any is checked.
//! Values with a fixed set of spellings are `ValueEnum`s over the core's enums
//! (`values::Spelled`); the rest are checked by the core or by the command's module.

use super::values::Spelled;
use clap::{Args, Parser, Subcommand};
use evidence_kit::capture::Details;
use evidence_kit::case::{PoliceDecision, Responsible, Sender};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "evidence-kit",
    version,
    about = "Keep evidence of online abuse: capture, hash, store, check.",
    disable_help_subcommand = true
)]
pub(crate) struct Cli {
    /// The evidence store folder (default: your data folder, or $EVIDENCE_KIT_STORE).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) store: Option<PathBuf>,
    /// The keys folder (default: your config folder, or $EVIDENCE_KIT_CONFIG).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum ReceiptCommand {
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
pub(crate) enum DslCommand {
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
        /// With `--set referred`: who it was referred to, once for each (headteacher,
        /// chair-of-governors, hr, lado, police, or other:WHO); ticks the form's boxes.
        #[arg(long = "to", value_name = "WHO")]
        to: Vec<String>,
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
pub(crate) struct FormArgs {
    /// The case (staff side: from the evidence store on this computer).
    #[arg(long, conflicts_with = "bundle", required_unless_present = "bundle")]
    pub(crate) case: Option<String>,
    /// A sealed bundle (designated person's side).
    #[arg(long, value_name = "FILE")]
    pub(crate) bundle: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) v: VerifyArgs,
    /// Where to write the PDF (a new file).
    #[arg(long, value_name = "FILE.pdf")]
    pub(crate) out: PathBuf,
    /// The school's name on the form (default: $EVIDENCE_KIT_SCHOOL, else the "school"
    /// in settings.json in the keys folder; with none the form says "School: not
    /// recorded").
    #[arg(long, env = "EVIDENCE_KIT_SCHOOL")]
    pub(crate) school: Option<String>,
    /// (Designated person, with --bundle) fill in your section from your register:
    /// when it was received, by whom, and each status with its note.
    #[arg(long, requires = "bundle")]
    pub(crate) register: bool,
}

#[derive(Args, Clone, Default)]
pub(crate) struct VerifyArgs {
    /// The designated person's age identity file, for encrypted (.age) bundles
    /// (default: your own, from `keys new-recipient`).
    #[arg(long, value_name = "FILE")]
    pub(crate) identity: Option<PathBuf>,
    /// A signer's public key (.pub) you trust; repeat for several.
    #[arg(long, value_name = "KEY.pub")]
    pub(crate) trust: Vec<PathBuf>,
    /// Read the passphrase of a protected identity from this file (for scripts; else
    /// $EVIDENCE_KIT_PASSPHRASE, else it is asked for at a terminal).
    #[arg(long, value_name = "FILE")]
    pub(crate) identity_passphrase_file: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
pub(crate) struct PassArgs {
    /// Read the signing key's passphrase from this file (for scripts).
    #[arg(long, value_name = "FILE")]
    pub(crate) passphrase_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
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
        /// Replace an existing key (only if it is lost, its passphrase forgotten, or it is
        /// compromised); the old key's files are kept in retired/.
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
        /// Replace the key kept under that name (only after checking the new one with
        /// them in person); the old one is kept aside.
        #[arg(long)]
        replace: bool,
    },
    /// Remove a designated person you seal bundles to (their key is kept aside).
    RemoveRecipient {
        /// Their name, as `keys show` lists it.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum CaseCommand {
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
pub(crate) struct ReportArgs {
    /// The case id.
    #[arg(long)]
    pub(crate) case: String,
    /// What happened, in your own words.
    #[arg(long, conflicts_with = "description_file")]
    pub(crate) description: Option<String>,
    /// Read the description from this file (UTF-8 text).
    #[arg(long, value_name = "FILE")]
    pub(crate) description_file: Option<PathBuf>,
    /// Who you believe is responsible.
    #[arg(long)]
    pub(crate) responsible: Option<Spelled<Responsible>>,
    /// Is it still going on?
    #[arg(long)]
    pub(crate) continuing: Option<Spelled<bool>>,
    /// Do you wish to report this to the police? Your choice.
    #[arg(long)]
    pub(crate) police: Option<Spelled<PoliceDecision>>,
    /// The police reference, if they have been told.
    #[arg(long, value_name = "REF")]
    pub(crate) police_ref: Option<String>,
    /// Reported to the platform: "DATE REF".
    #[arg(long, value_name = "DATE REF")]
    pub(crate) platform_report: Option<String>,
    /// Others involved, or witnesses.
    #[arg(long)]
    pub(crate) witnesses: Option<String>,
    /// The designated safeguarding person the form is addressed to.
    #[arg(long, value_name = "NAME")]
    pub(crate) addressed_to: Option<String>,
    /// Your role at school.
    #[arg(long)]
    pub(crate) role: Option<String>,
    /// Your school e-mail or phone (never a personal one).
    #[arg(long)]
    pub(crate) contact: Option<String>,
    /// Advice sought (e.g. the Professionals Online Safety Helpline).
    #[arg(long)]
    pub(crate) advice: Option<String>,
    /// Others you have informed.
    #[arg(long)]
    pub(crate) informed: Option<String>,
}

#[derive(Args, Clone)]
pub(crate) struct DetailArgs {
    /// The case id.
    #[arg(long)]
    pub(crate) case: String,
    /// Where it was seen: site or app.
    #[arg(long)]
    pub(crate) site: Option<String>,
    /// The full address (URL).
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// When it was seen, if not now (RFC 3339, e.g. 2026-11-25T14:30:00+00:00).
    #[arg(long)]
    pub(crate) seen: Option<String>,
    /// A note.
    #[arg(long)]
    pub(crate) note: Option<String>,
    /// Who it came from: username or handle.
    #[arg(long = "from")]
    pub(crate) from_handle: Option<String>,
    /// Who it came from: e-mail address.
    #[arg(long)]
    pub(crate) from_email: Option<String>,
    /// Who it came from: phone number.
    #[arg(long)]
    pub(crate) from_phone: Option<String>,
    /// Who it came from: profile address.
    #[arg(long)]
    pub(crate) from_profile: Option<String>,
    /// Who is capturing (default: the case's staff member).
    #[arg(long = "by")]
    pub(crate) captured_by: Option<String>,
    /// Print the new items as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

impl DetailArgs {
    pub(crate) fn details(&self) -> Details {
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
pub(crate) enum CaptureCommand {
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

#[derive(Args)]
pub(crate) struct SealArgs {
    /// The case id.
    #[arg(long)]
    pub(crate) case: String,
    /// The bundle file, used exactly as given (default: CASE.evidence here, or
    /// CASE.evidence.age with --to).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Encrypt to this designated person (a name from `keys add-recipient`, or
    /// age1…); repeat for several (e.g. the designated person and their deputy).
    #[arg(long)]
    pub(crate) to: Vec<String>,
    /// Sign with this minisign secret key file instead of your own.
    #[arg(long)]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) pass: PassArgs,
    /// The school, for the bag's Source-Organization (default: the "school" in
    /// settings.json in the keys folder; with none the line is left out).
    #[arg(long)]
    pub(crate) organization: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}
