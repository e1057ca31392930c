//! Small PNG previews of image items, made in the core so the UI never decodes
//! evidence itself. Decoding is size-limited: a hostile 50,000 × 50,000 image is
//! refused, not rendered.

use crate::StoreError;
use crate::store::Store;
use std::io::{BufRead, BufReader, Seek};
use std::path::Path;

/// Largest width or height decoded, in pixels.
pub const MAX_DECODE_PX: u32 = 16_384;
/// Most memory the decoder may allocate, in bytes.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// A PNG preview of item `item_id` no larger than `max_px` on its longer side, or
/// `None` when the item is not an image we can show.
pub fn png(store: &Store, item_id: i64, max_px: u32) -> Result<Option<Vec<u8>>, StoreError> {
    let item = store.item(item_id)?;
    if !item.media_type.starts_with("image/") {
        return Ok(None);
    }
    let f = store.open_object(&item.sha256)?;
    Ok(png_of_reader(BufReader::new(f), max_px))
}

/// A PNG preview of the picture in the file at `path` (a bundle's unpacked item on the
/// designated person's side), or `None` when it is not one that can be shown.
pub fn png_of_file(path: &Path, max_px: u32) -> Option<Vec<u8>> {
    let f = std::fs::File::open(path).ok()?;
    png_of_reader(BufReader::new(f), max_px)
}

fn png_of_reader(r: impl BufRead + Seek, max_px: u32) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(r);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_PX);
    limits.max_image_height = Some(MAX_DECODE_PX);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = reader.with_guessed_format().ok()?.decode().ok()?;
    // Made smaller when larger, never larger.
    let small = if img.width().max(img.height()) > max_px.max(1) {
        img.thumbnail(max_px.max(1), max_px.max(1))
    } else {
        img
    };
    let mut out = std::io::Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

/// A PNG no larger than `max_px` on its longer side, of pixels in memory (the screen
/// grabbed for choosing a region; it is shown, never stored).
pub fn of_image(img: &image::RgbaImage, max_px: u32) -> Option<Vec<u8>> {
    let (w, h) = img.dimensions();
    let scale = (f64::from(max_px) / f64::from(w.max(h).max(1))).min(1.0);
    let (tw, th) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let small = image::imageops::thumbnail(img, tw, th);
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(small)
        .write_to(&mut out, image::ImageFormat::Png)
        .ok()?;
    Some(out.into_inner())
}
