//! RGB frames and the few drawing primitives environments render with.
//!
//! A [`Frame`] is `height × width × 3` bytes, row-major, origin top-left:
//! the layout of Gymnasium's `render_mode="rgb_array"` arrays, ready for the
//! dashboard or a GIF encoder. Drawing is flat-colour and aliased (filled
//! rectangles, polygons, circles and one-pixel lines); no fonts. Shapes are
//! clipped to the frame, so environments may draw partly off-screen objects
//! (a cart leaving the track) without checks.
//!
//! [`render_observation`] draws a recorded observation with the env's own
//! renderer (see [`observation`]).

pub mod observation;

pub use observation::{ObservationRenderer, render_observation};

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Colours shared by several environments' renderers.
pub mod colors {
    use super::Rgb;
    /// White background.
    pub const WHITE: Rgb = [255, 255, 255];
    /// Black outlines and tracks.
    pub const BLACK: Rgb = [0, 0, 0];
    /// Mid grey.
    pub const GREY: Rgb = [128, 128, 128];
    /// Light grey grid lines.
    pub const LIGHT_GREY: Rgb = [200, 200, 200];
    /// The agent marker in grid worlds.
    pub const RED: Rgb = [220, 40, 40];
    /// Goal / target tiles.
    pub const GREEN: Rgb = [40, 170, 60];
    /// Gold and flags.
    pub const GOLD: Rgb = [230, 190, 20];
    /// Water, holes.
    pub const BLUE: Rgb = [30, 70, 160];
}

/// An RGB image, `height × width × 3` bytes, row-major, origin top-left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Frame {
    /// A frame filled with `background`.
    pub fn new(width: usize, height: usize, background: Rgb) -> Self {
        let mut pixels = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            pixels.extend_from_slice(&background);
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The bytes, `height × width × 3`.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Consumes the frame, returning its bytes.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// The colour at `(x, y)`, `None` outside the frame.
    pub fn get(&self, x: usize, y: usize) -> Option<Rgb> {
        (x < self.width && y < self.height).then(|| {
            let i = (y * self.width + x) * 3;
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        })
    }

    /// Sets one pixel; coordinates outside the frame are ignored.
    pub fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let i = (y as usize * self.width + x as usize) * 3;
            self.pixels[i..i + 3].copy_from_slice(&c);
        }
    }

    /// Fills the axis-aligned rectangle with top-left `(x, y)` and size `w × h`.
    pub fn fill_rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        let x0 = x.max(0);
        let y0 = y.max(0);
        let x1 = (x + w).min(self.width as i64);
        let y1 = (y + h).min(self.height as i64);
        for yy in y0..y1 {
            for xx in x0..x1 {
                self.set(xx, yy, c);
            }
        }
    }

    /// Draws the outline of a rectangle, one pixel wide.
    pub fn stroke_rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        self.fill_rect(x, y, w, 1, c);
        self.fill_rect(x, y + h - 1, w, 1, c);
        self.fill_rect(x, y, 1, h, c);
        self.fill_rect(x + w - 1, y, 1, h, c);
    }

    /// Fills a simple polygon (even-odd rule); a pixel is inside when its
    /// centre is.
    pub fn fill_polygon(&mut self, points: &[(f64, f64)], c: Rgb) {
        if points.len() < 3 || points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return;
        }
        let ymin = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let ymax = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let y0 = ymin.floor().max(0.0) as i64;
        let y1 = ymax.ceil().min(self.height as f64) as i64;
        let mut xs: Vec<f64> = Vec::with_capacity(points.len());
        for y in y0..y1 {
            let sy = y as f64 + 0.5;
            xs.clear();
            for i in 0..points.len() {
                let (ax, ay) = points[i];
                let (bx, by) = points[(i + 1) % points.len()];
                if (ay <= sy && sy < by) || (by <= sy && sy < ay) {
                    xs.push(ax + (sy - ay) * (bx - ax) / (by - ay));
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let xa = (pair[0] - 0.5).ceil().max(0.0) as i64;
                let xb = (pair[1] - 0.5).floor().min(self.width as f64 - 1.0) as i64;
                for x in xa..=xb {
                    self.set(x, y, c);
                }
            }
        }
    }

    /// Fills the disc of radius `r` centred on `(cx, cy)`.
    pub fn fill_circle(&mut self, cx: f64, cy: f64, r: f64, c: Rgb) {
        if !cx.is_finite() || !cy.is_finite() || !r.is_finite() {
            return;
        }
        let y0 = (cy - r).floor().max(0.0) as i64;
        let y1 = (cy + r).ceil().min(self.height as f64) as i64;
        let x0 = (cx - r).floor().max(0.0) as i64;
        let x1 = (cx + r).ceil().min(self.width as f64) as i64;
        for y in y0..y1 {
            for x in x0..x1 {
                let dx = x as f64 + 0.5 - cx;
                let dy = y as f64 + 0.5 - cy;
                if dx * dx + dy * dy <= r * r {
                    self.set(x, y, c);
                }
            }
        }
    }

    /// Draws a one-pixel line between two points (Bresenham).
    pub fn line(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), c: Rgb) {
        if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            return;
        }
        // Clamp far-away endpoints so the loop below stays bounded.
        let lim = 4.0 * (self.width + self.height) as f64;
        let (mut x, mut y) = (x0.clamp(-lim, lim) as i64, y0.clamp(-lim, lim) as i64);
        let (xe, ye) = (x1.clamp(-lim, lim) as i64, y1.clamp(-lim, lim) as i64);
        let dx = (xe - x).abs();
        let dy = -(ye - y).abs();
        let sx = if x < xe { 1 } else { -1 };
        let sy = if y < ye { 1 } else { -1 };
        let mut err = dx + dy;
        loop {
            self.set(x, y, c);
            if x == xe && y == ye {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_frame_is_filled_and_sized() {
        let f = Frame::new(3, 2, [1, 2, 3]);
        assert_eq!(f.pixels().len(), 18);
        assert_eq!(f.get(2, 1), Some([1, 2, 3]));
        assert_eq!(f.get(3, 0), None);
    }

    #[test]
    fn rectangles_are_clipped_to_the_frame() {
        let mut f = Frame::new(4, 4, colors::WHITE);
        f.fill_rect(-2, -2, 4, 4, colors::BLACK);
        assert_eq!(f.get(0, 0), Some(colors::BLACK));
        assert_eq!(f.get(1, 1), Some(colors::BLACK));
        assert_eq!(f.get(2, 2), Some(colors::WHITE));
    }

    #[test]
    fn polygon_fill_covers_interior_only() {
        let mut f = Frame::new(10, 10, colors::WHITE);
        f.fill_polygon(
            &[(2.0, 2.0), (8.0, 2.0), (8.0, 8.0), (2.0, 8.0)],
            colors::BLACK,
        );
        assert_eq!(f.get(5, 5), Some(colors::BLACK));
        assert_eq!(f.get(2, 2), Some(colors::BLACK));
        assert_eq!(f.get(8, 8), Some(colors::WHITE));
        assert_eq!(f.get(1, 5), Some(colors::WHITE));
    }

    #[test]
    fn line_reaches_both_endpoints() {
        let mut f = Frame::new(10, 10, colors::WHITE);
        f.line((1.0, 1.0), (8.0, 5.0), colors::RED);
        assert_eq!(f.get(1, 1), Some(colors::RED));
        assert_eq!(f.get(8, 5), Some(colors::RED));
    }

    #[test]
    fn circle_is_round() {
        let mut f = Frame::new(20, 20, colors::WHITE);
        f.fill_circle(10.0, 10.0, 5.0, colors::BLUE);
        assert_eq!(f.get(10, 10), Some(colors::BLUE));
        assert_eq!(f.get(14, 10), Some(colors::BLUE));
        assert_eq!(f.get(14, 14), Some(colors::WHITE));
    }
}
