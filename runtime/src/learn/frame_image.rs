//! RGB frames of visual mode as they travel: PNG, base64 in the frame's
//! JSON, so any MQTT client (a browser, paho) can show them.

use agora_agents::render::Frame;
use base64::Engine;
use serde::Serialize;

/// One RGB picture of an env, for the episodes topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameImage {
    /// Pixels across.
    pub width: usize,
    /// Pixels down.
    pub height: usize,
    /// The PNG file, base64 (standard alphabet, padded).
    pub png_base64: String,
}

impl FrameImage {
    /// The frame as PNG; `None` (logged at debug) if it cannot be encoded.
    pub fn encode(frame: &Frame) -> Option<Self> {
        let (width, height) = (frame.width(), frame.height());
        let mut png = Vec::with_capacity(width * height / 8);
        let encoded = (|| {
            let mut encoder = png::Encoder::new(
                &mut png,
                u32::try_from(width).ok()?,
                u32::try_from(height).ok()?,
            );
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().ok()?;
            writer.write_image_data(frame.pixels()).ok()?;
            writer.finish().ok()
        })();
        if encoded.is_none() {
            tracing::debug!(width, height, "frame not encoded as PNG");
            return None;
        }
        Some(Self {
            width,
            height,
            png_base64: base64::engine::general_purpose::STANDARD.encode(&png),
        })
    }
}
