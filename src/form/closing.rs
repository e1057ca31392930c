//! The form's sections 6–9: the sealed bundle (with a QR code of its SHA-256), what
//! this proves and what it does not, the designated person's part, and signatures.

use super::layout::{self, LEFT, Layout, Style, WIDTH, red};
use super::{DslSection, FormInput, Source, when};

pub(super) fn seal(l: &mut Layout<'_>, input: &FormInput) {
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
pub(super) fn proves(l: &mut Layout<'_>, input: &FormInput) {
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

pub(super) fn for_dsl(l: &mut Layout<'_>, input: &FormInput) {
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
    l.field("Referred to", &referred_boxes(input.dsl.as_ref()));
    l.blank("Outcome", 2);
    l.blank("Review date", 1);
}

/// The "Referred to" boxes, ticked (☒) from the register's referrals; `other` names who.
fn referred_boxes(dsl: Option<&DslSection>) -> String {
    let referred: &[String] = dsl.map_or(&[], |d| &d.referred);
    let boxes = [
        ("headteacher", "headteacher"),
        ("chair-of-governors", "chair of governors"),
        ("hr", "HR"),
        ("lado", "LADO (local authority designated officer)"),
        ("police", "police"),
    ];
    let mark = |on: bool| if on { "☒" } else { "☐" };
    let mut text: Vec<String> = boxes
        .iter()
        .map(|(key, words)| format!("{} {words}", mark(referred.iter().any(|r| r == key))))
        .collect();
    let others: Vec<&str> = referred
        .iter()
        .filter_map(|r| r.strip_prefix("other:"))
        .collect();
    text.push(if others.is_empty() {
        "☐ other".into()
    } else {
        format!("☒ other: {}", others.join("; "))
    });
    text.join("   ")
}

pub(super) fn signatures(l: &mut Layout<'_>) {
    // The four lines to sign and date, kept together with their heading.
    l.heading_keep("9. Signatures", 100.0);
    l.blank("Signed (staff member)", 1);
    l.blank("Date", 1);
    l.gap(6.0);
    l.blank("Signed (designated person)", 1);
    l.blank("Date", 1);
}
