//! Embeds every file of `assets/` (the page's own HTML, CSS and JS) in the
//! binary, so the dashboard needs no files and no build step at run time.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    // Relative to the package: the generated code names files through
    // CARGO_MANIFEST_DIR at compile time, not this checkout's absolute path,
    // so a target dir shared by two clones (CI's cache) never embeds the
    // other clone's page.
    println!("cargo:rerun-if-changed=assets");
    let mut names: Vec<_> = std::fs::read_dir(&assets)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|entry| entry.path().is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut table = String::from("pub(crate) const ASSETS: &[(&str, &[u8])] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=assets/{name}");
        writeln!(
            table,
            "    ({name:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/assets/\", {name:?}))),"
        )
        .expect("writing to a String");
    }
    table.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
