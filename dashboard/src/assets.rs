//! The page's files, embedded at build time from `dashboard/assets/`.

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The file called `name` and its content type.
pub fn asset(name: &str) -> Option<(&'static [u8], &'static str)> {
    let (_, bytes) = ASSETS.iter().find(|(file, _)| *file == name)?;
    Some((bytes, content_type(name)))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}
