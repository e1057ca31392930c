//! Small PNG previews of image items, made in the core so the UI never decodes
//! evidence itself. Decoding is size-limited: a hostile 50,000 × 50,000 image is
//! refused, not rendered.

use crate::StoreError;
use crate::store::Store;
use std::io::BufReader;

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
    let mut reader = image::ImageReader::new(BufReader::new(f));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_PX);
    limits.max_image_height = Some(MAX_DECODE_PX);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let Ok(reader) = reader.with_guessed_format() else {
        return Ok(None);
    };
    let Ok(img) = reader.decode() else {
        return Ok(None);
    };
    let small = img.thumbnail(max_px.max(1), max_px.max(1));
    let mut out = std::io::Cursor::new(Vec::new());
    if small.write_to(&mut out, image::ImageFormat::Png).is_err() {
        return Ok(None);
    }
    Ok(Some(out.into_inner()))
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
