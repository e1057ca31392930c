//! Screenshots through `xcap`: a whole monitor or one window, at full resolution,
//! encoded as PNG (lossless, so every pixel on screen is kept).

use crate::CaptureError;
use crate::case::Source;
use serde::Serialize;

/// What to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The whole screen: the first monitor (all of the screen under X11 with one
    /// screen; monitors are numbered from 1 in [`list_monitors`]).
    Screen,
    /// Monitor number N, from 1.
    Monitor(usize),
    /// The first window whose title contains this text.
    Window(String),
}

/// A monitor, for choosing one.
#[derive(Debug, Clone, Serialize)]
pub struct MonitorInfo {
    /// Number, from 1.
    pub number: usize,
    /// The system's name for it.
    pub name: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// A window, for choosing one.
#[derive(Debug, Clone, Serialize)]
pub struct WindowInfo {
    /// Its title.
    pub title: String,
    /// The application.
    pub app: String,
}

/// A screenshot, ready to store.
pub(crate) struct Shot {
    pub png: Vec<u8>,
    /// What it shows, for its name.
    pub shows: Shows,
    pub source: Source,
}

/// What a screenshot shows, for its name.
pub(crate) enum Shows {
    /// Monitor number N, from 1.
    Monitor(usize),
    /// A window, with its title made safe for a name when it has one.
    Window(Option<String>),
}

fn no_screen(e: impl std::fmt::Display) -> CaptureError {
    CaptureError::NoScreen {
        reason: e.to_string(),
    }
}

fn failed(e: impl std::fmt::Display) -> CaptureError {
    let reason = e.to_string();
    let reason = if reason.contains("_NET_CLIENT_LIST_STACKING") {
        // No window manager, or one that does not publish its window list.
        "this desktop does not say which windows are open, so capture the whole screen instead"
            .to_string()
    } else {
        reason
    };
    CaptureError::ScreenCapture { reason }
}

/// The monitors, numbered from 1.
pub fn list_monitors() -> Result<Vec<MonitorInfo>, CaptureError> {
    let monitors = xcap::Monitor::all().map_err(no_screen)?;
    Ok(monitors
        .iter()
        .enumerate()
        .map(|(i, m)| MonitorInfo {
            number: i + 1,
            name: m.name().unwrap_or_default(),
            width: m.width().unwrap_or(0),
            height: m.height().unwrap_or(0),
        })
        .collect())
}

/// The open windows with a title (not minimised).
pub fn list_windows() -> Result<Vec<WindowInfo>, CaptureError> {
    let windows = xcap::Window::all().map_err(failed)?;
    Ok(windows
        .iter()
        .filter(|w| !w.is_minimized().unwrap_or(false))
        .filter_map(|w| {
            let title = w.title().ok().filter(|t| !t.trim().is_empty())?;
            Some(WindowInfo {
                title,
                app: w.app_name().unwrap_or_default(),
            })
        })
        .collect())
}

/// The whole first monitor as pixels, kept in memory only (for choosing a region:
/// nothing is stored until a part of it is chosen).
pub fn grab_screen() -> Result<image::RgbaImage, CaptureError> {
    let monitors = xcap::Monitor::all().map_err(no_screen)?;
    let m = monitors
        .first()
        .ok_or_else(|| no_screen("no monitor was found"))?;
    m.capture_image().map_err(failed)
}

/// The part (x, y, width, height) of a grabbed screen, as a PNG to store.
pub(crate) fn region_png(
    screen: &image::RgbaImage,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
) -> Result<Vec<u8>, CaptureError> {
    let (sw, sh) = screen.dimensions();
    if w == 0 || h == 0 || x >= sw || y >= sh {
        return Err(CaptureError::BadRegion);
    }
    let (w, h) = (w.min(sw - x), h.min(sh - y));
    let part = image::imageops::crop_imm(screen, x, y, w, h).to_image();
    encode_png(w, h, part.into_raw())
}

pub(crate) fn capture(target: &Target) -> Result<Shot, CaptureError> {
    match target {
        Target::Screen | Target::Monitor(_) => {
            let monitors = xcap::Monitor::all().map_err(no_screen)?;
            if monitors.is_empty() {
                return Err(no_screen("no monitor was found"));
            }
            let number = match target {
                Target::Monitor(n) => *n,
                _ => 1,
            };
            let m = number.checked_sub(1).and_then(|i| monitors.get(i)).ok_or(
                CaptureError::NoSuchMonitor {
                    number,
                    count: monitors.len(),
                },
            )?;
            let img = m.capture_image().map_err(failed)?;
            Ok(Shot {
                png: encode_png(img.width(), img.height(), img.into_raw())?,
                shows: Shows::Monitor(number),
                source: Source::Screen,
            })
        }
        Target::Window(title) => {
            let windows = xcap::Window::all().map_err(failed)?;
            let w = windows
                .iter()
                .find(|w| {
                    w.title()
                        .map(|t| t.contains(title.as_str()))
                        .unwrap_or(false)
                })
                .ok_or_else(|| CaptureError::NoSuchWindow {
                    title: title.clone(),
                })?;
            let img = w.capture_image().map_err(failed)?;
            // The window's own title (what was asked for is part of it).
            let shown = w.title().unwrap_or_else(|_| title.clone());
            Ok(Shot {
                png: encode_png(img.width(), img.height(), img.into_raw())?,
                shows: Shows::Window(safe_name(&shown)),
                source: Source::Window,
            })
        }
    }
}

/// RGBA pixels → PNG bytes (fast compression: a 4K screen in well under a second).
/// When every pixel is opaque (a screen always is) the alpha channel carries nothing
/// and is left out, in place: the PNG is RGB, lossless all the same, a quarter
/// smaller to compress, and printable without decoding (the form embeds its rows as
/// they are).
pub(crate) fn encode_png(
    width: u32,
    height: u32,
    mut rgba: Vec<u8>,
) -> Result<Vec<u8>, CaptureError> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let opaque = rgba.chunks_exact(4).all(|p| p[3] == 255);
    let colour = if opaque {
        let n = rgba.len() / 4;
        for i in 0..n {
            rgba.copy_within(4 * i..4 * i + 3, 3 * i);
        }
        rgba.truncate(3 * n);
        image::ExtendedColorType::Rgb8
    } else {
        image::ExtendedColorType::Rgba8
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(&rgba, width, height, colour)
        .map_err(failed)?;
    Ok(out)
}

/// A window title made safe as part of a file name, readable as the person saw it:
/// letters, digits, spaces and everyday punctuation kept, anything a system may refuse
/// in a name (`/ \\ : * ? " < > |`, control characters) a space, runs of spaces one, at
/// most 60 characters; `None` when nothing is left.
pub(crate) fn safe_name(title: &str) -> Option<String> {
    let kept: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,()'&+!#@".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let s: String = words.join(" ").chars().take(60).collect();
    let s = s
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    (!s.is_empty()).then_some(s)
}
