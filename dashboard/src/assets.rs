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

#[cfg(test)]
mod tests {
    use super::*;

    /// A module missing from the list is fetched only when the module
    /// importing it has arrived: the first curve waits a round trip more.
    #[test]
    fn the_page_preloads_every_module() {
        let (index, _) = asset("index.html").expect("the page");
        let index = std::str::from_utf8(index).expect("utf-8");
        for (name, _) in ASSETS.iter().filter(|(name, _)| name.ends_with(".js")) {
            let preloaded = index.contains(&format!(
                r#"<link rel="modulepreload" href="assets/{name}">"#
            ));
            let entry = index.contains(&format!(r#"<script type="module" src="assets/{name}">"#));
            assert!(preloaded || entry, "{name} is not preloaded by index.html");
        }
    }
}
