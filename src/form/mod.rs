//! The E-safety incident-logging form: an A4 PDF made from a case (staff side, from the
//! store) or from a sealed bundle that verified (designated person's side), so that
//! the paper file and the sealed digital bundle cannot drift apart.
//!
//! Sections, in order: header; the person reporting; the incident; steps already
//! taken; the police decision (and any indecent-image record, boxed); the evidence
//! schedule (one row per item, withdrawn ones marked); the seal, with a QR code of the
//! bundle's SHA-256; what this proves; for the designated person; signatures; and an
//! appendix with each image on its own page. Every page has a footer with the case
//! reference, "page X of Y" and the bundle's SHA-256 in short. A bundle that failed
//! verification gets "VERIFICATION FAILED" in large type on every page.
//!
//! The PDF holds text (as glyphs of the embedded DejaVu fonts), lines, boxes and
//! images, nothing else: no JavaScript, actions, links, forms or embedded files.

mod images;
mod layout;
mod limits;

pub use limits::{MAX_FORM_ITEM_CHARS, MAX_FORM_ITEMS};
// How times are written is the clock's; the form's many call sites keep the short name.
pub use crate::clock::in_words as when;

use crate::StoreError;
use crate::bundle::format as bundle;
use crate::case::{Case, Item};
use crate::clock::Stamp;
use crate::store::Store;
use crate::verify::{self, VerifyError};
use layout::{Face, Fonts, LEFT, Layout, Style, WIDTH, grey, red};
use printpdf::{OffsetDateTime, ParsedFont, PdfDocument, PdfPage, PdfSaveOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const FONT_MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Default school name on the form.
pub const DEFAULT_SCHOOL: &str = bundle::DEFAULT_ORGANIZATION;

/// Something stopped the form being made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bundle could not be read at all.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The output exists.
    #[error("{path} already exists. Choose another name with --out; nothing was overwritten.")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("Could not write the form to {}: {}.", path.display(), crate::error::plain_io(source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The built-in fonts could not be read (a damaged program).
    #[error(
        "The form's built-in font could not be read; Evidence Kit's files are damaged. Reinstall it."
    )]
    Font,
}

impl FormError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::Store(e) => e.code(),
            FormError::Verify(e) => e.code(),
            FormError::OutputExists { .. } => "output_exists",
            FormError::Write { .. } => "write",
            FormError::Font => "font",
        }
    }
}

/// The seal the form points at.
#[derive(Debug, Clone)]
pub struct SealBlock {
    /// The bundle's file name.
    pub file: String,
    /// SHA-256 of the bundle file.
    pub sha256: String,
    /// Who sealed it.
    pub signer: String,
    /// The signer's key fingerprint.
    pub fingerprint: String,
    /// When (RFC 3339).
    pub sealed: String,
    /// The designated persons it was encrypted to (age recipients).
    pub recipients: Vec<String>,
    /// Custody entries about the case after the seal (the case changed since).
    pub changed_since: usize,
}

/// Where the form's content comes from, and what was checked.
#[derive(Debug, Clone)]
pub enum Source {
    /// The evidence store on this computer; every stored file of the case re-hashed.
    Store {
        /// Files checked.
        checked: usize,
        /// What did not match.
        problems: Vec<String>,
    },
    /// A bundle, verified.
    Bundle {
        /// The verification report.
        report: Box<verify::Report>,
    },
}

impl Source {
    /// Problems that make every page say so.
    fn failures(&self) -> Vec<String> {
        match self {
            Source::Store { problems, .. } => problems.clone(),
            Source::Bundle { report } => {
                report.findings.iter().map(|f| f.message.clone()).collect()
            }
        }
    }
}

/// The designated person's section, filled from their register.
#[derive(Debug, Clone, Default)]
pub struct DslSection {
    /// When the bundle was received (local time with offset).
    pub received: String,
    /// By whom.
    pub received_by: String,
    /// What was done: (when, status, note), oldest first.
    pub actions: Vec<(String, String, Option<String>)>,
}

/// Everything the form shows.
pub struct FormInput {
    /// The school's name.
    pub school: String,
    /// The case (with its incident report); `None` when a failed bundle's case record
    /// could not be read.
    pub case: Option<Case>,
    /// Its items, in bundle order.
    pub items: Vec<Item>,
    /// The seal, if sealed.
    pub seal: Option<SealBlock>,
    /// What was checked.
    pub source: Source,
    /// When the form was made.
    pub completed: Stamp,
    /// The designated person's section as their register has it (else left blank to
    /// fill in by hand).
    pub dsl: Option<DslSection>,
    /// What the bundle holds beyond the form's limits (see [`limits`]).
    left_out: limits::LeftOut,
}

/// A finished form.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Its pages.
    pub pages: usize,
    /// False when it is marked as failed (verification or store check).
    pub intact: bool,
}

/// Reads an item's bytes (for the image appendix); safe to call from two threads.
pub type Fetch<'a> = dyn Fn(usize, &Item) -> Result<Vec<u8>, String> + Sync + 'a;

fn or_not_recorded(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "not recorded".into())
}

fn short_sha(sha: &str) -> String {
    match (sha.get(..12), sha.get(sha.len().saturating_sub(6)..)) {
        (Some(a), Some(b)) if sha.len() > 20 => format!("{a}…{b}"),
        _ => sha.to_string(),
    }
}

/// What kind of thing an item is, in plain words.
fn what_it_is(item: &Item) -> String {
    let kind = match item.source {
        crate::case::Source::Screen => "Screenshot of the screen",
        crate::case::Source::Window => "Screenshot of a window",
        crate::case::Source::Clipboard => "From the clipboard",
        crate::case::Source::Other => "Other",
        crate::case::Source::File => match item.media_type.as_str() {
            "message/rfc822" => "E-mail",
            t if t.starts_with("image/") => "Image",
            t if t.starts_with("video/") => "Video",
            t if t.starts_with("audio/") => "Audio",
            "application/pdf" => "PDF document",
            "text/html" => "Saved web page",
            t if t.starts_with("text/") => "Text",
            _ => "File",
        },
    };
    format!("{kind} ({})", item.media_type)
}

fn is_image(item: &Item) -> bool {
    item.removed.is_none()
        && matches!(
            item.media_type.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp"
        )
}

fn sender(item: &Item) -> Option<String> {
    let f = &item.from;
    let parts: Vec<&str> = [&f.handle, &f.email, &f.phone, &f.profile]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn load_fonts(doc: &mut PdfDocument) -> Result<Fonts, FormError> {
    let mut face = |bytes: &[u8], name: &str| -> Result<Face, FormError> {
        let mut font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or(FormError::Font)?;
        // Its PostScript name, as viewers and `pdffonts` show it.
        font.font_name = Some(name.to_string());
        let id = doc.add_font(&font);
        Ok(Face::new(id, font))
    };
    Ok(Fonts {
        regular: face(FONT_REGULAR, "DejaVuSans")?,
        bold: face(FONT_BOLD, "DejaVuSans-Bold")?,
        mono: face(FONT_MONO, "DejaVuSansMono")?,
    })
}

/// Prepare the image items on two threads (decoding is most of the work).
fn prepare_images(
    items: &[Item],
    fetch: &Fetch<'_>,
) -> Vec<Option<Result<images::Prepared, String>>> {
    let todo: Vec<usize> = (0..items.len()).filter(|&i| is_image(&items[i])).collect();
    let results = std::sync::Mutex::new(
        (0..items.len())
            .map(|_| None)
            .collect::<Vec<Option<Result<images::Prepared, String>>>>(),
    );
    let next = std::sync::atomic::AtomicUsize::new(0);
    let placed_bytes = std::sync::atomic::AtomicU64::new(0);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
        .min(todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else { break };
                    let r = fetch(i, &items[i])
                        .and_then(|b| images::prepare(&b))
                        .and_then(|p| {
                            let n = p.xobject.stream.content.len() as u64;
                            let before =
                                placed_bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                            if before + n > limits::MAX_FORM_IMAGE_BYTES {
                                return Err(format!(
                                    "the form already holds as many pictures as it can ({} MiB)",
                                    limits::MAX_FORM_IMAGE_BYTES / (1024 * 1024)
                                ));
                            }
                            Ok(p)
                        });
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// Make the form.
pub fn render(input: &FormInput, fetch: &Fetch<'_>) -> Result<Rendered, FormError> {
    let case_id = input
        .case
        .as_ref()
        .map_or("unknown case", |c| c.id.as_str());
    let mut doc = PdfDocument::new(&format!("E-safety incident-logging form — {case_id}"));
    let fonts = load_fonts(&mut doc)?;
    let prepared = prepare_images(&input.items, fetch);
    let mut xobjects = Vec::with_capacity(prepared.len());
    for p in prepared {
        xobjects.push(match p {
            Some(Ok(p)) => {
                let id = doc.add_xobject(&p.xobject);
                Some(Ok((id, p.width, p.height)))
            }
            Some(Err(e)) => Some(Err(e)),
            None => None,
        });
    }

    let failures = input.source.failures();
    // Every page says it failed, and why (the first reason; all of them on page 1).
    let banner = failures.first().map(|first| {
        let title = match &input.source {
            Source::Bundle { .. } => "VERIFICATION FAILED",
            Source::Store { .. } => "STORE CHECK FAILED",
        };
        let n = failures.len();
        (
            title.to_string(),
            format!("Do not rely on it as it is. {n} finding(s), all on page 1. {first}"),
        )
    });
    let mut l = Layout::new(&fonts, banner);

    header(&mut l, input);
    if !failures.is_empty() {
        l.heading("Why this form is marked as failed");
        for f in failures.iter().take(limits::MAX_FORM_FINDINGS) {
            let mut f = f.clone();
            limits::cut(&mut f, limits::MAX_FINDING_CHARS);
            l.paragraph(
                LEFT + 8.0,
                WIDTH - 8.0,
                Style::Bold,
                10.0,
                &format!("• {f}"),
            );
        }
        let more = failures.len().saturating_sub(limits::MAX_FORM_FINDINGS);
        if more > 0 {
            l.paragraph(
                LEFT + 8.0,
                WIDTH - 8.0,
                Style::Bold,
                10.0,
                &format!("• …and {more} more finding(s), not listed here: evidence-kit verify lists every one."),
            );
        }
        l.gap(4.0);
    }
    if let Some(case) = &input.case {
        person(&mut l, case);
        incident(&mut l, case, &input.items);
        steps(&mut l, case);
        police(&mut l, case, input.left_out.notes);
        schedule(&mut l, input);
    }
    seal(&mut l, input);
    proves(&mut l, input);
    for_dsl(&mut l, input);
    signatures(&mut l);
    appendix(&mut l, &input.items, &xobjects);

    let bundle_short = input
        .seal
        .as_ref()
        .map_or("bundle: not sealed yet".to_string(), |s| {
            format!("bundle SHA-256 {}", short_sha(&s.sha256))
        });
    l.footers(&format!("Case {case_id}  ·  {bundle_short}"));

    let pages: Vec<PdfPage> = std::mem::take(&mut l.pages)
        .into_iter()
        .map(|ops| PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops))
        .collect();
    let info = &mut doc.metadata.info;
    info.author = input
        .case
        .as_ref()
        .map(|c| c.staff.clone())
        .unwrap_or_default();
    info.creator = format!("Evidence Kit {}", env!("CARGO_PKG_VERSION"));
    info.producer = "Evidence Kit (printpdf)".into();
    info.subject = format!("E-safety incident-logging form, {}", input.school);
    if let Some(t) = input.completed.instant()
        && let Ok(d) = OffsetDateTime::from_unix_timestamp(t.timestamp())
    {
        info.creation_date = d;
        info.modification_date = d;
        info.metadata_date = d;
    }
    let n_pages = pages.len();
    doc.with_pages(pages);
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut lo = doc.to_lopdf_document(&opts, &mut Vec::new());
    drop(doc);
    // printpdf always writes a `GTS_PDFXVersion` (empty here), which viewers read as a
    // PDF/X claim this form does not make.
    if let Ok(info) = lo
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference)
        && let Ok(dict) = lo.get_object_mut(info).and_then(lopdf::Object::as_dict_mut)
    {
        dict.remove(b"GTS_PDFXVersion");
    }
    lo.compress();
    let mut pdf = Vec::new();
    lo.save_to(&mut pdf).map_err(|source| FormError::Write {
        path: PathBuf::from("the form"),
        source,
    })?;
    Ok(Rendered {
        pdf,
        pages: n_pages,
        intact: failures.is_empty(),
    })
}

fn header(l: &mut Layout<'_>, input: &FormInput) {
    let school = l.fonts.bold.printable(&input.school);
    l.text(LEFT, l.y - 14.0, Style::Bold, 14.0, &school);
    l.gap(22.0);
    l.text(
        LEFT,
        l.y - 20.0,
        Style::Bold,
        20.0,
        "E-safety incident-logging form",
    );
    l.gap(28.0);
    l.rect(LEFT, l.y - 18.0, 190.0, 18.0, Some(red()), None);
    let white = printpdf::Color::Rgb(printpdf::Rgb::new(1.0, 1.0, 1.0, None));
    l.text_colored(
        LEFT + 7.0,
        l.y - 13.0,
        Style::Bold,
        10.0,
        "Confidential — safeguarding",
        &white,
    );
    l.gap(28.0);
    let case = input.case.as_ref();
    l.field(
        "Case reference",
        case.map_or("not readable", |c| c.id.as_str()),
    );
    if let Some(c) = case {
        l.field("Case title", &c.title);
        l.field("Case opened", &when(&c.created.local));
    }
    l.field("Form completed", &when(&input.completed.local));
    l.field(
        "Addressed to",
        &case
            .and_then(|c| c.report.addressed_to.clone())
            .map(|n| format!("{n} (designated safeguarding person)"))
            .unwrap_or_else(|| "the designated safeguarding person (name not recorded)".into()),
    );
    let from = match &input.source {
        Source::Store { checked, problems } if problems.is_empty() => format!(
            "The evidence store on the staff member's computer. All {checked} stored file(s) were re-checked just now against the SHA-256 recorded when each was captured: none has changed."
        ),
        Source::Store { checked, problems } => format!(
            "The evidence store on the staff member's computer. {} of {checked} stored file(s) did not match what was captured.",
            problems.len()
        ),
        Source::Bundle { report } if report.intact() => format!(
            "The sealed bundle {}, verified just now: intact, signature valid, signed by a key you trust.",
            Path::new(&report.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        Source::Bundle { report } => format!(
            "The bundle {}, which FAILED verification ({} finding(s)).",
            Path::new(&report.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            report.findings.len()
        ),
    };
    l.field("Made from", &from);
}

fn person(l: &mut Layout<'_>, case: &Case) {
    l.heading("1. The person reporting");
    l.field("Name", &case.staff);
    l.field("Role", &or_not_recorded(&case.report.role));
    l.field(
        "Contact (school e-mail or phone only)",
        &or_not_recorded(&case.report.contact),
    );
}

fn incident(l: &mut Layout<'_>, case: &Case, items: &[Item]) {
    l.heading("2. The incident");
    // When: from each item's "seen" time, or its capture time.
    let mut times: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            let t = i.seen.clone().unwrap_or_else(|| i.captured.local.clone());
            let key = chrono::DateTime::parse_from_rfc3339(&t)
                .map(|d| d.to_utc().to_rfc3339())
                .unwrap_or_else(|_| t.clone());
            (key, t)
        })
        .collect();
    times.sort();
    let dates = match (times.first(), times.last()) {
        (Some(a), Some(b)) if a.0 == b.0 => when(&a.1),
        (Some(a), Some(b)) => format!(
            "from {} to {} (when each item was seen, or else captured)",
            when(&a.1),
            when(&b.1)
        ),
        _ => "not recorded".into(),
    };
    l.field("Date(s) and time(s)", &dates);
    let mut places = BTreeSet::new();
    let mut senders = BTreeSet::new();
    for i in items {
        for p in [&i.site, &i.url].into_iter().flatten() {
            places.insert(p.clone());
        }
        for p in [
            &i.from.handle,
            &i.from.email,
            &i.from.phone,
            &i.from.profile,
        ]
        .into_iter()
        .flatten()
        {
            senders.insert(p.clone());
        }
    }
    let list = |s: BTreeSet<String>| {
        if s.is_empty() {
            "not recorded".to_string()
        } else {
            s.into_iter().collect::<Vec<_>>().join("\n")
        }
    };
    l.field("Where (platform, app, site, addresses)", &list(places));
    l.field(
        "Who it came from (usernames, e-mail addresses, phone numbers)",
        &list(senders),
    );
    let r = &case.report;
    l.field(
        "Believed responsible",
        r.responsible.map_or("not recorded", |v| v.words()),
    );
    l.field(
        "Others involved or witnesses",
        &or_not_recorded(&r.witnesses),
    );
    l.field(
        "Is it continuing?",
        r.continuing
            .map_or("not recorded", |v| if v { "yes" } else { "no" }),
    );
    l.need(40.0);
    l.text(
        LEFT,
        l.y - 9.5,
        Style::Bold,
        9.5,
        "What happened, in the staff member's own words:",
    );
    l.gap(16.0);
    l.paragraph(
        LEFT + 8.0,
        WIDTH - 8.0,
        Style::Regular,
        10.0,
        r.description.as_deref().unwrap_or("not recorded"),
    );
    l.gap(4.0);
}

fn steps(l: &mut Layout<'_>, case: &Case) {
    let r = &case.report;
    l.heading("3. Steps already taken");
    l.field(
        "Reported to the platform (date, reference)",
        &or_not_recorded(&r.platform_report),
    );
    l.field("Advice sought", &or_not_recorded(&r.advice));
    l.field("Others informed", &or_not_recorded(&r.informed));
}

fn police(l: &mut Layout<'_>, case: &Case, notes_left_out: usize) {
    use crate::case::PoliceDecision;
    let r = &case.report;
    l.heading("4. The police — the staff member's own decision");
    let mark = |d: PoliceDecision| if r.police == Some(d) { "☒" } else { "☐" };
    let choice = format!(
        "{} yes     {} no     {} not yet decided",
        mark(PoliceDecision::Yes),
        mark(PoliceDecision::No),
        mark(PoliceDecision::Undecided)
    );
    l.need(30.0);
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Bold,
        10.0,
        &format!("I wish to report this to the police:   {choice}"),
    );
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Regular,
        8.5,
        "This is the staff member's own choice: the school's policy leaves the decision about the police to the person bullied.",
    );
    l.gap(4.0);
    l.field(
        "Decision recorded",
        &match (&r.police, &r.police_decided) {
            (Some(d), Some(at)) => format!("{} — {}", d.words(), when(&at.local)),
            (Some(d), None) => d.words().to_string(),
            _ => "not recorded (the school's policy leaves this choice to the staff member)".into(),
        },
    );
    l.field(
        "Police informed (reference)",
        &or_not_recorded(&r.police_ref),
    );
    for n in &r.indecent_images {
        let informed = match &n.police_informed {
            Some(t) => format!("Police informed at {}.", when(t)),
            None => "Police to be informed now (999 in an emergency, otherwise 101).".into(),
        };
        l.boxed(
            &format!(
                "Possible indecent image of a child seen{}, recorded {}. Not captured, as the school's policy requires: it was not copied, saved or forwarded. {informed}",
                n.site.as_deref().map(|s| format!(" on {s}")).unwrap_or_default(),
                when(&n.recorded.local)
            ),
            &red(),
        );
    }
    if notes_left_out > 0 {
        l.boxed(
            &format!(
                "The bundle holds {notes_left_out} more record(s) of a possible indecent image, not shown here (a form shows at most {}).",
                limits::MAX_FORM_NOTES
            ),
            &red(),
        );
    }
}

fn schedule(l: &mut Layout<'_>, input: &FormInput) {
    let items = &input.items;
    l.heading("5. Evidence schedule");
    if items.is_empty() && input.left_out.items == 0 {
        l.paragraph(LEFT, WIDTH, Style::Regular, 10.0, "No items were captured.");
        return;
    }
    // A failed bundle's records are only what it claims.
    let sha_words = match &input.source {
        Source::Bundle { report } if !report.intact() => {
            "The SHA-256 is each file's fingerprint as the bundle claims it was taken at capture."
        }
        Source::Bundle { .. } => {
            "The SHA-256 is each file's fingerprint as the signer's record says it was taken at capture."
        }
        Source::Store { .. } => {
            "The SHA-256 is each file's fingerprint, taken when it was captured."
        }
    };
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Regular,
        8.5,
        &format!(
            "One row per item, withdrawn items included. Times are local, with their offset from UTC. {sha_words}"
        ),
    );
    left_out_note(l, input);
    l.gap(3.0);
    // Columns: No. | What / where / from | When | Original kept.
    let cols = [
        (0.0, 26.0),
        (26.0, 235.0),
        (261.0, 150.0),
        (411.0, WIDTH - 411.0),
    ];
    let size = 8.5;
    let lead = size * 1.32;
    let head = |l: &mut Layout<'_>| {
        let y = l.y - size;
        for ((x, _), t) in
            cols.iter()
                .zip(["No.", "What it is, where, from whom", "When", "Original"])
        {
            l.text(LEFT + x, y, Style::Bold, size, t);
        }
        l.y -= lead + 2.0;
        l.rule(LEFT, l.y + 1.0, LEFT + WIDTH, 0.6, &grey());
        l.y -= 3.0;
    };
    l.need(60.0);
    head(l);
    for (n, item) in items.iter().enumerate() {
        let what = format!(
            "{}\nName: {}\nSite: {}\nAddress: {}\nFrom: {}\nNote: {}",
            what_it_is(item),
            item.original_name,
            or_not_recorded(&item.site),
            or_not_recorded(&item.url),
            sender(item).unwrap_or_else(|| "not recorded".into()),
            or_not_recorded(&item.note),
        );
        let times = format!(
            "Seen: {}\nCaptured: {}\nby {}",
            item.seen.as_deref().map_or("not recorded".into(), when),
            when(&item.captured.local),
            item.captured_by
        );
        let kept = match (&item.removed, &item.withdrawn) {
            (Some(r), _) => format!(
                "NOT KEPT: possible indecent image of a child, removed {} as the policy requires",
                when(&r.at.local)
            ),
            (None, None) => "Original kept".to_string(),
            (None, Some(w)) => format!(
                "Original kept; WITHDRAWN {}: {}",
                when(&w.at.local),
                w.reason
            ),
        };
        let texts = [(n + 1).to_string(), what, times, kept];
        let wrapped: Vec<Vec<String>> = cols
            .iter()
            .zip(&texts)
            .map(|((_, w), t)| {
                let face = &l.fonts.regular;
                layout::wrap(face, &face.printable(t), size, w - 6.0)
            })
            .collect();
        let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let sha_lead = 11.0;
        let h = rows as f32 * lead + sha_lead + 6.0;
        if l.need(h.min(600.0)) {
            head(l);
        }
        for r in 0..rows {
            if l.need(lead) {
                head(l);
            }
            let style = |c: usize| if c == 0 { Style::Bold } else { Style::Regular };
            for (c, ((x, _), lines)) in cols.iter().zip(&wrapped).enumerate() {
                if let Some(t) = lines.get(r) {
                    l.text(LEFT + x, l.y - size, style(c), size, t);
                }
            }
            l.y -= lead;
        }
        l.need(sha_lead);
        l.text(LEFT + 26.0, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
        l.text(LEFT + 70.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
        l.y -= sha_lead;
        l.rule(LEFT, l.y - 1.0, LEFT + WIDTH, 0.3, &grey());
        l.y -= 5.0;
    }
    left_out_note(l, input);
}

/// Says, boxed, how many items of the bundle the form does not show.
fn left_out_note(l: &mut Layout<'_>, input: &FormInput) {
    let more = input.left_out.items;
    if more == 0 {
        return;
    }
    l.boxed(
        &format!(
            "The bundle lists {} items; this form shows the first {}, as many as a form holds (at most {MAX_FORM_ITEMS} items, or fewer with long details). The other {more} are not on this form: open the bundle (evidence-kit open) to see every one. The incident summary above covers the items shown.",
            input.items.len() + more,
            input.items.len(),
        ),
        &red(),
    );
}

fn seal(l: &mut Layout<'_>, input: &FormInput) {
    l.heading("6. The sealed bundle");
    let Some(s) = &input.seal else {
        l.paragraph(
            LEFT,
            WIDTH,
            Style::Bold,
            10.0,
            "Not sealed yet. Seal the case (Seal and send, or `evidence-kit seal`) and print this form again, so that the paper points at exactly one bundle.",
        );
        return;
    };
    // The QR code, to the right of the fields.
    let qr_side = 96.0;
    l.need(qr_side + 10.0);
    if let Ok(code) =
        qrcode::QrCode::with_error_correction_level(s.sha256.as_bytes(), qrcode::EcLevel::M)
    {
        let w = code.width();
        let colors = code.to_colors();
        let rows: Vec<Vec<bool>> = colors
            .chunks(w)
            .map(|r| r.iter().map(|c| *c == qrcode::Color::Dark).collect())
            .collect();
        let module = qr_side / w as f32;
        l.squares(LEFT + WIDTH - qr_side, l.y, module, &rows);
    }
    let top = l.y;
    let narrow = |l: &mut Layout<'_>, label: &str, value: &str, style: Style| {
        let size = 9.0;
        l.text(LEFT, l.y - size, Style::Bold, size, label);
        let face = match style {
            Style::Mono => &l.fonts.mono,
            _ => &l.fonts.regular,
        };
        let lines = layout::wrap(face, &face.printable(value), size, WIDTH - qr_side - 110.0);
        for line in lines {
            l.text(LEFT + 100.0, l.y - size, style, size, &line);
            l.y -= size * 1.35;
        }
        l.y -= 2.0;
    };
    narrow(l, "Bundle file", &s.file, Style::Regular);
    narrow(l, "Bundle SHA-256", &s.sha256, Style::Mono);
    narrow(
        l,
        "Signed by",
        &format!("{} (key {})", s.signer, s.fingerprint),
        Style::Regular,
    );
    narrow(l, "Sealed", &when(&s.sealed), Style::Regular);
    if !s.recipients.is_empty() {
        narrow(l, "Encrypted to", &s.recipients.join(", "), Style::Mono);
    }
    l.y = l.y.min(top - qr_side - 12.0);
    let face = &l.fonts.regular;
    let caption = "The QR code holds the bundle's SHA-256.";
    let w = face.width(caption, 7.0);
    l.text(LEFT + WIDTH - w, l.y, Style::Regular, 7.0, caption);
    l.gap(10.0);
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Bold,
        9.0,
        &format!(
            "The full SHA-256 of the bundle, to compare with the file: {}",
            s.sha256
        ),
    );
    if s.changed_since > 0 {
        l.boxed(
            &format!(
                "The case has changed since it was sealed ({} change(s) in its custody log after the seal). Seal it again and print a new form so that the paper and the bundle match.",
                s.changed_since
            ),
            &red(),
        );
    }
}

/// Section 7 claims only what the checks just made support (issue 12, item 8):
/// - from the store, "unchanged since captured" and "nothing has been deleted" only
///   when every stored file re-hashed to what was recorded at capture;
/// - from a bundle that verified, that its files are unchanged since it was sealed, by
///   the holder of the key, and no more: its capture times and history are what the
///   signer's computer recorded (the signer could have sealed anything);
/// - from a bundle with any finding, none of these: it shows only what it claims.
fn proves(l: &mut Layout<'_>, input: &FormInput) {
    l.heading("7. What this proves, and what it does not");
    let mut points: Vec<String> = Vec::new();
    let screenshot = "A screenshot shows what was on the screen at that moment. It does not by itself prove who wrote the content, or who an account belongs to.";
    match &input.source {
        Source::Store { checked, problems } if problems.is_empty() => {
            points.push(format!("These files are unchanged since they were captured at the times shown: each one's SHA-256 fingerprint was taken at capture, and all {checked} stored file(s) were checked against it just now. A change to any byte would change it."));
            points.push("Once sealed, the bundle's signature with the staff member's key lets the designated person check who sealed it, and that it has not been changed since.".into());
            points.push(
                "The times come from this laptop's clock. They are as accurate as that clock was."
                    .into(),
            );
            points.push(screenshot.into());
            points.push(
                "Nothing has been deleted: withdrawn items are kept and listed with the reason."
                    .into(),
            );
        }
        Source::Store { checked, problems } => {
            points.push(format!("{} of the {checked} stored file(s) did not match the SHA-256 recorded when they were captured, or are missing (listed on page 1). This form cannot show that the evidence is unchanged; keep the store as it is and tell your designated safeguarding person.", problems.len()));
            points.push(screenshot.into());
        }
        Source::Bundle { report } if report.intact() => {
            let (signer, key, sealed) = input.seal.as_ref().map_or_else(
                || ("the signer".to_string(), String::new(), String::new()),
                |s| {
                    (
                        s.signer.clone(),
                        format!(" (key {})", s.fingerprint),
                        format!(" on {}", when(&s.sealed)),
                    )
                },
            );
            points.push(format!("These files are unchanged since the bundle was sealed{sealed}: it verified just now, and its signature, made with the key you trust as {signer}'s{key}, covers every file's SHA-256 fingerprint. Nothing was added, removed or changed after sealing."));
            points.push("This proves what the holder of that key sealed, not that it is true. The capture times, who captured each item, and what the custody log says happened before the seal are what the signer's computer recorded; the seal shows only that they were not changed afterwards.".into());
            points.push("Those times come from the staff member's computer's clock. They are as accurate as that clock was.".into());
            points.push(screenshot.into());
            points.push("Withdrawn items are in the bundle and listed with the reason, as the signer's record shows them.".into());
        }
        Source::Bundle { report } => {
            points.push(format!("This bundle FAILED its checks ({} finding(s), listed on page 1). What this form shows is only what the bundle claims: it does not show that these files are unchanged, when they were captured, who sealed them, or that nothing was removed.", report.findings.len()));
            points.push(
                "Keep the bundle as it is, and ask the staff member for their sealed bundle again."
                    .into(),
            );
            points.push(screenshot.into());
        }
    }
    for p in &points {
        l.paragraph(
            LEFT + 8.0,
            WIDTH - 8.0,
            Style::Regular,
            9.5,
            &format!("• {p}"),
        );
    }
}

fn for_dsl(l: &mut Layout<'_>, input: &FormInput) {
    l.heading("8. For the designated safeguarding person");
    match &input.dsl {
        Some(d) => {
            l.field("Received on", &when(&d.received));
            l.field("Received by", &d.received_by);
        }
        None => {
            l.blank("Received on", 1);
            l.blank("Received by", 1);
        }
    }
    match &input.source {
        Source::Bundle { report } => {
            let result = if report.intact() {
                "Intact: every file and the custody log match the seal; signature valid; key trusted."
                    .to_string()
            } else {
                format!(
                    "FAILED ({} finding(s), listed on page 1).",
                    report.findings.len()
                )
            };
            l.field("Verification result", &result);
        }
        Source::Store { .. } => l.blank("Verification result", 1),
    }
    match input.dsl.as_ref().filter(|d| !d.actions.is_empty()) {
        Some(d) => {
            let text = d
                .actions
                .iter()
                .map(|(at, status, note)| match note {
                    Some(n) => format!("{}: {status}. {n}", when(at)),
                    None => format!("{}: {status}.", when(at)),
                })
                .collect::<Vec<_>>()
                .join("\n");
            l.field("Actions taken (from the register)", &text);
            l.blank("Further actions", 2);
        }
        None => l.blank("Actions taken", 3),
    }
    l.field(
        "Referred to",
        "☐ headteacher   ☐ chair of governors   ☐ HR   ☐ local authority   ☐ LADO   ☐ police",
    );
    l.blank("Outcome", 2);
    l.blank("Review date", 1);
}

fn signatures(l: &mut Layout<'_>) {
    l.heading("9. Signatures");
    l.blank("Signed (staff member)", 1);
    l.blank("Date", 1);
    l.gap(6.0);
    l.blank("Signed (designated person)", 1);
    l.blank("Date", 1);
}

type Placed = Option<Result<(printpdf::XObjectId, u32, u32), String>>;

fn appendix(l: &mut Layout<'_>, items: &[Item], xobjects: &[Placed]) {
    let any_image = items.iter().any(is_image);
    if items.is_empty() {
        return;
    }
    if any_image {
        for (n, item) in items.iter().enumerate() {
            let Some(placed) = xobjects.get(n).and_then(Option::as_ref) else {
                continue;
            };
            l.new_page();
            l.heading(&format!("Appendix: screen prints — item {}", n + 1));
            let caption = format!(
                "Item {} · {} · Site: {} · Seen: {} · Captured: {}{}",
                n + 1,
                item.original_name,
                or_not_recorded(&item.site),
                item.seen.as_deref().map_or("not recorded".into(), when),
                when(&item.captured.local),
                if item.withdrawn.is_some() {
                    " · WITHDRAWN (kept)"
                } else {
                    ""
                }
            );
            match placed {
                Ok((id, w, h)) => {
                    let max_h = (l.room() - 70.0).max(100.0);
                    let scale = (WIDTH / *w as f32).min(max_h / *h as f32);
                    let (dw, dh) = (*w as f32 * scale, *h as f32 * scale);
                    l.image(id, LEFT + (WIDTH - dw) / 2.0, l.y - dh, dw, dh);
                    l.rect(
                        LEFT + (WIDTH - dw) / 2.0,
                        l.y - dh,
                        dw,
                        dh,
                        None,
                        Some((grey(), 0.5)),
                    );
                    l.gap(dh + 8.0);
                }
                Err(e) => {
                    l.paragraph(
                        LEFT,
                        WIDTH,
                        Style::Bold,
                        10.0,
                        &format!("This image is not shown here: {e}. The original is in the evidence itself."),
                    );
                }
            }
            l.paragraph(LEFT, WIDTH, Style::Regular, 8.5, &caption);
            l.need(12.0);
            l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
            l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
            l.gap(12.0);
        }
    }
    let others: Vec<(usize, &Item)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| !is_image(i))
        .collect();
    if !others.is_empty() {
        l.new_page();
        l.heading("Appendix: items that are not images");
        for (n, item) in others {
            l.paragraph(
                LEFT,
                WIDTH,
                Style::Regular,
                9.0,
                &format!(
                    "Item {} · {} · {}{}",
                    n + 1,
                    what_it_is(item),
                    item.original_name,
                    if item.withdrawn.is_some() {
                        " · WITHDRAWN (kept)"
                    } else {
                        ""
                    }
                ),
            );
            l.need(12.0);
            l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
            l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
            l.gap(13.0);
        }
    }
}

// ---------------------------------------------------------------------------------
// Where the content comes from.
// ---------------------------------------------------------------------------------

/// The form's content from the store (staff side): the case, its items re-hashed,
/// and the last seal recorded in its custody log.
pub fn from_store(store: &Store, case_id: &str, school: &str) -> Result<FormInput, FormError> {
    let case = store.case(case_id)?;
    let items = store.items(&case.id)?;
    let mut problems = Vec::new();
    for (n, i) in items.iter().enumerate() {
        if i.removed.is_some() {
            continue;
        }
        let path = store.object_path(&i.sha256);
        match crate::digest::hash_file(&path) {
            Ok(h) if h == i.sha256 => {}
            Ok(_) => problems.push(format!(
                "Item {} ({}) no longer matches the SHA-256 recorded when it was captured.",
                n + 1,
                i.original_name
            )),
            Err(_) => problems.push(format!(
                "Item {} ({}) is missing from the evidence store.",
                n + 1,
                i.original_name
            )),
        }
    }
    let log = store.custody(Some(&case.id))?;
    let mut seal = None;
    for (k, e) in log.iter().enumerate() {
        if e.action != "sealed" {
            continue;
        }
        let d = e.details_json();
        let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
        seal = Some(SealBlock {
            file: s("file"),
            sha256: s("sha256"),
            signer: e.actor.clone(),
            // Seals before the fingerprint was recorded show the key id in its place.
            fingerprint: d["signer_fingerprint"].as_str().map_or_else(
                || crate::keys::fingerprint(d["signer_key_id"].as_str().unwrap_or("")),
                str::to_string,
            ),
            sealed: d["sealed"]["local"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| e.at.local.clone()),
            recipients: d["recipients"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|r| {
                            let name = r["name"].as_str()?;
                            Some(format!(
                                "{name} ({})",
                                r["fingerprint"].as_str().unwrap_or("")
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            changed_since: log.len() - k - 1,
        });
    }
    Ok(FormInput {
        school: school.to_string(),
        case: Some(case),
        source: Source::Store {
            checked: items.len(),
            problems,
        },
        items,
        seal,
        completed: store.now(),
        dsl: None,
        // The staff member's own store: its texts are within the store's limits already,
        // and every item is laid out.
        left_out: limits::LeftOut::default(),
    })
}

/// Write `bytes` to a new file `out` (never over an existing one), via a temporary
/// name and a rename, so a half-written form never appears.
pub fn write_new(out: &Path, bytes: &[u8]) -> Result<(), FormError> {
    use std::io::Write;
    if out.exists() {
        return Err(FormError::OutputExists { path: out.into() });
    }
    let werr = |source| FormError::Write {
        path: out.into(),
        source,
    };
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            FormError::OutputExists { path: out.into() }
        } else {
            werr(e.error)
        }
    })?;
    Ok(())
}

/// The form for a case in the store.
pub fn for_case(store: &Store, case_id: &str, school: &str) -> Result<Rendered, FormError> {
    let input = from_store(store, case_id, school)?;
    let root = store.root().to_path_buf();
    let fetch = move |_: usize, item: &Item| -> Result<Vec<u8>, String> {
        std::fs::read(crate::objects::object_path_in(&root, &item.sha256))
            .map_err(|e| e.to_string())
    };
    render(&input, &fetch)
}

/// The form for a bundle: verified first; a bundle that fails gets a failed form.
/// The designated person's section is filled from `dsl` when given.
pub fn for_bundle(
    path: &Path,
    opts: &verify::Options,
    school: &str,
    now: Stamp,
    dsl: Option<DslSection>,
) -> Result<Rendered, FormError> {
    let opened = verify::open(path, opts)?;
    let report = verify::check(&opened, opts);
    // `case.json` item by item: what fits the form's limits is kept, every text cut to
    // the store's limits; the rest is only counted (see `limits`).
    let mut budget = limits::ItemBudget::default();
    let head = verify::read_case_file_items(&opened, &mut |b| budget.take(b.path, b.item));
    let mut left_out = limits::LeftOut::default();
    let (case, items, bundle_items) = match head {
        Some(h) => {
            let mut case = h.case;
            left_out.notes = limits::bound_case(&mut case);
            left_out.items = budget.left_out;
            let (paths, items): (Vec<String>, Vec<Item>) = budget.kept.into_iter().unzip();
            (Some(case), items, paths)
        }
        // Unreadable (perhaps part-way through): nothing of it is shown.
        None => (None, Vec::new(), Vec::new()),
    };
    let seal = report.facts.as_ref().map(|f| SealBlock {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: report.sha256.clone(),
        signer: {
            let mut name = report
                .signer
                .as_ref()
                .map_or(f.signer.clone(), |s| s.name.clone());
            limits::cut(&mut name, crate::case::MAX_TEXT_CHARS);
            name
        },
        fingerprint: report.signer.as_ref().map_or_else(
            || crate::keys::fingerprint(&f.key_id),
            |s| s.fingerprint.clone(),
        ),
        sealed: {
            let mut t = f.sealed.clone();
            limits::cut(&mut t, crate::case::MAX_TEXT_CHARS);
            t
        },
        recipients: f
            .recipients
            .iter()
            .take(limits::MAX_FORM_NOTES)
            .map(|r| {
                let mut r = r.clone();
                limits::cut(&mut r, crate::case::MAX_TEXT_CHARS);
                r
            })
            .collect(),
        changed_since: 0,
    });
    let input = FormInput {
        school: school.to_string(),
        case,
        items,
        seal,
        source: Source::Bundle {
            report: Box::new(report),
        },
        completed: now,
        dsl,
        left_out,
    };
    let fetch = |n: usize, _: &Item| -> Result<Vec<u8>, String> {
        let name = bundle_items.get(n).ok_or("not in the bundle")?;
        verify::read_payload(&opened, name, images::MAX_PIXELS * 4)
    };
    render(&input, &fetch)
}
