//! Making the PDF: the embedded fonts, the pictures prepared on two threads, the
//! sections laid out in order with footers, and the file written with the form's
//! metadata.

use super::appendix::appendix;
use super::closing::{for_dsl, proves, seal, signatures};
use super::layout::{Face, Fonts, LEFT, Layout, Style, WIDTH};
use super::sections::{header, incident, is_drawn, person, police, schedule, short_sha, steps};
use super::{Fetch, FormError, FormInput, Rendered, Source, images, limits};
use crate::case::Item;
use printpdf::{OffsetDateTime, ParsedFont, PdfDocument, PdfPage, PdfSaveOptions};
use std::path::PathBuf;

pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const FONT_MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

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
    let todo: Vec<usize> = (0..items.len()).filter(|&i| is_drawn(&items[i])).collect();
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
    let (pdf, n_pages) = save(doc, std::mem::take(&mut l.pages), input)?;
    Ok(Rendered {
        pdf,
        pages: n_pages,
        intact: failures.is_empty(),
    })
}

/// The laid-out pages as the PDF file's bytes (and how many pages there are), with the
/// form's metadata.
fn save(
    mut doc: PdfDocument,
    pages: Vec<Vec<printpdf::Op>>,
    input: &FormInput,
) -> Result<(Vec<u8>, usize), FormError> {
    let pages: Vec<PdfPage> = pages
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
    info.subject = match &input.school {
        Some(s) => format!("E-safety incident-logging form, {s}"),
        None => "E-safety incident-logging form".to_string(),
    };
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
    Ok((pdf, n_pages))
}
