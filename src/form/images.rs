//! Evidence images as PDF image objects, as cheaply as each format allows:
//! - a JPEG (greyscale or RGB) goes in as it is (`/DCTDecode`);
//! - an 8-bit, non-interlaced greyscale or RGB PNG (what Evidence Kit's own screen
//!   captures are) goes in without decoding: its compressed pixel rows are already a
//!   PDF `/FlateDecode` stream with the PNG predictor;
//! - anything else is decoded with size limits, put on white (no transparency in
//!   print), reduced to at most [`MAX_SIDE`] pixels and compressed.
//!
//! An image larger than [`MAX_PIXELS`] is refused, never decoded.

use printpdf::{DictItem, ExternalStream, ExternalXObject, Px};
use std::collections::BTreeMap;
use std::io::Write;

/// Largest image placed, in pixels (width × height): 100 megapixels.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Longest side of a decoded image after reduction, in pixels (≈ 250 dpi across A4).
pub const MAX_SIDE: u32 = 2000;

/// An image ready for the page.
pub struct Prepared {
    pub xobject: ExternalXObject,
    pub width: u32,
    pub height: u32,
}

fn name(s: &str) -> DictItem {
    DictItem::Name(s.as_bytes().to_vec())
}

fn image_xobject(
    width: u32,
    height: u32,
    colour: &str,
    filter: &str,
    parms: Option<DictItem>,
    data: Vec<u8>,
) -> Prepared {
    let mut dict = BTreeMap::new();
    dict.insert("Type".to_string(), name("XObject"));
    dict.insert("Subtype".to_string(), name("Image"));
    dict.insert("Width".to_string(), DictItem::Int(i64::from(width)));
    dict.insert("Height".to_string(), DictItem::Int(i64::from(height)));
    dict.insert("ColorSpace".to_string(), name(colour));
    dict.insert("BitsPerComponent".to_string(), DictItem::Int(8));
    dict.insert("Filter".to_string(), name(filter));
    if let Some(p) = parms {
        dict.insert("DecodeParms".to_string(), p);
    }
    Prepared {
        xobject: ExternalXObject {
            stream: ExternalStream {
                dict,
                content: data,
                // Already compressed: never deflate it a second time.
                compress: false,
            },
            width: Some(Px(width as usize)),
            height: Some(Px(height as usize)),
            dpi: None,
        },
        width,
        height,
    }
}

/// Prepare `bytes` (an evidence file) as an image, or say why it cannot be shown.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, String> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        && let Some(p) = png_passthrough(bytes)?
    {
        return Ok(p);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        && let Some(p) = jpeg_passthrough(bytes)?
    {
        return Ok(p);
    }
    decode(bytes)
}

fn too_large(w: u64, h: u64) -> Result<(), String> {
    if w == 0 || h == 0 {
        return Err("it has no pixels".into());
    }
    if w.saturating_mul(h) > MAX_PIXELS {
        return Err(format!(
            "it is {w} × {h} pixels, larger than the {MAX_PIXELS} pixels shown"
        ));
    }
    Ok(())
}

/// The PNG's compressed rows, when the PDF can read them as they are.
fn png_passthrough(bytes: &[u8]) -> Result<Option<Prepared>, String> {
    let mut pos = 8;
    let mut header = None;
    let mut data = Vec::new();
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
            as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let body = pos + 8;
        let Some(end) = body.checked_add(len).filter(|e| e + 4 <= bytes.len()) else {
            return Ok(None); // cut short: let the decoder say what is wrong
        };
        match kind {
            b"IHDR" if len == 13 => {
                let b = &bytes[body..end];
                let w = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                let h = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
                header = Some((w, h, b[8], b[9], b[12]));
            }
            // Transparency or a palette needs decoding.
            b"tRNS" | b"PLTE" => return Ok(None),
            b"IDAT" => data.extend_from_slice(&bytes[body..end]),
            b"IEND" => break,
            _ => {}
        }
        pos = end + 4;
    }
    let Some((w, h, depth, colour, interlace)) = header else {
        return Ok(None);
    };
    too_large(u64::from(w), u64::from(h))?;
    let (space, colours) = match colour {
        0 => ("DeviceGray", 1),
        2 => ("DeviceRGB", 3),
        _ => return Ok(None),
    };
    if depth != 8 || interlace != 0 || data.is_empty() {
        return Ok(None);
    }
    let mut parms = BTreeMap::new();
    parms.insert("Predictor".to_string(), DictItem::Int(15));
    parms.insert("Colors".to_string(), DictItem::Int(colours));
    parms.insert("BitsPerComponent".to_string(), DictItem::Int(8));
    parms.insert("Columns".to_string(), DictItem::Int(i64::from(w)));
    Ok(Some(image_xobject(
        w,
        h,
        space,
        "FlateDecode",
        Some(DictItem::Dict { map: parms }),
        data,
    )))
}

/// A greyscale or RGB JPEG, as it is.
fn jpeg_passthrough(bytes: &[u8]) -> Result<Option<Prepared>, String> {
    use image::ImageDecoder;
    let Ok(d) = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)) else {
        return Ok(None);
    };
    let (w, h) = d.dimensions();
    too_large(u64::from(w), u64::from(h))?;
    let space = match d.color_type() {
        image::ColorType::L8 => "DeviceGray",
        image::ColorType::Rgb8 => "DeviceRGB",
        _ => return Ok(None),
    };
    Ok(Some(image_xobject(
        w,
        h,
        space,
        "DCTDecode",
        None,
        bytes.to_vec(),
    )))
}

/// Decode (with limits), flatten onto white, reduce, compress.
fn decode(bytes: &[u8]) -> Result<Prepared, String> {
    let open = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())
    };
    let (w, h) = open()?
        .into_dimensions()
        .map_err(|e| format!("it is not an image this can read ({e})"))?;
    let mut reader = open()?;
    too_large(u64::from(w), u64::from(h))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w.max(1));
    limits.max_image_height = Some(h.max(1));
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("it could not be decoded ({e})"))?;
    let img = if img.width().max(img.height()) > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for p in rgba.pixels() {
        let a = u16::from(p[3]);
        for c in &p.0[..3] {
            // Over white: c·a + 255·(1 − a).
            rgb.push(((u16::from(*c) * a + 255 * (255 - a)) / 255) as u8);
        }
    }
    drop(rgba);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&rgb).map_err(|e| e.to_string())?;
    let data = z.finish().map_err(|e| e.to_string())?;
    Ok(image_xobject(w, h, "DeviceRGB", "FlateDecode", None, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(color: image::ExtendedColorType, w: u32, h: u32, px: &[u8]) -> Vec<u8> {
        use image::ImageEncoder;
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(px, w, h, color)
            .expect("png");
        out
    }

    #[test]
    fn rgb_png_passes_through_rgba_png_is_flattened() {
        let rgb = png(
            image::ExtendedColorType::Rgb8,
            2,
            1,
            &[255, 0, 0, 0, 0, 255],
        );
        let p = prepare(&rgb).expect("rgb");
        assert!(p.xobject.stream.dict.contains_key("DecodeParms"));
        let rgba = png(
            image::ExtendedColorType::Rgba8,
            1,
            1,
            &[0, 0, 0, 0], // fully transparent black: white on paper
        );
        let p = prepare(&rgba).expect("rgba");
        assert!(!p.xobject.stream.dict.contains_key("DecodeParms"));
        let mut raw = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::ZlibDecoder::new(&p.xobject.stream.content[..]),
            &mut raw,
        )
        .expect("inflate");
        assert_eq!(raw, vec![255, 255, 255]);
    }

    #[test]
    fn enormous_and_broken_images_are_refused_without_decoding() {
        // A PNG header claiming 50,000 × 50,000 pixels, and no pixel data.
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&50_000u32.to_be_bytes());
        b.extend_from_slice(&50_000u32.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        let e = prepare(&b).err().expect("refused");
        assert!(e.contains("50000 × 50000"), "{e}");
        assert!(prepare(b"not an image at all").is_err());
    }
}
