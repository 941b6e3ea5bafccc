//! The runtime's layering, checked from its imports: no file imports a
//! module above its layer (the table in docs/DESIGN.md), and no files of
//! `runtime/`, `agents/` or `bdi/` import each other in a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::agora::repo_file;

/// The runtime's top-level modules, lowest layer first (DESIGN.md).
const LAYERS: &[(&str, u32)] = &[
    ("settings", 0),
    ("panic_text", 0),
    ("transport", 0),
    ("store", 1),
    ("broker", 1),
    ("env", 1),
    ("telemetry", 2),
    ("agent", 3),
    ("supervisor", 4),
    ("learn", 5),
    ("kinds", 6),
    ("config", 7),
    ("control", 8),
    ("stored_run", 8),
    ("run", 9),
];

#[test]
fn no_runtime_file_imports_a_layer_above_its_own() {
    let src = repo_file("runtime/src");
    let mut upward = Vec::new();
    for file in rust_files(&src) {
        let Some(own) = top_module(&src, &file).and_then(|m| rank(&m)) else {
            continue;
        };
        for path in crate_paths(&code_of(&file)) {
            let target = path.first().cloned().unwrap_or_default();
            if let Some(theirs) = rank(&target)
                && theirs > own
            {
                upward.push(format!(
                    "{} imports crate::{}",
                    file.display(),
                    path.join("::")
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports above their layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_files_import_each_other_in_a_loop() {
    for crate_dir in ["runtime/src", "agents/src", "bdi/src"] {
        let src = repo_file(crate_dir);
        let graph = import_graph(&src);
        let loops = loops(&graph);
        assert!(
            loops.is_empty(),
            "{crate_dir}: files that import each other in a loop:\n{}",
            loops
                .iter()
                .map(|l| l.join(" <-> "))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn rank(module: &str) -> Option<u32> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, rank)| *rank)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The module path of a file: `agent/shell.rs` → `[agent, shell]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

fn top_module(src: &Path, file: &Path) -> Option<String> {
    module_of(src, file).into_iter().next()
}

/// The file's code without comments and without its unit-test module.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("source file");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b` path, with `use crate::a::{b, c::d}` expanded.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    prefixed_paths(code, "crate::")
}

fn prefixed_paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let head: Vec<String> = rest
            .split("::")
            .map_while(|segment| {
                let ident: String = segment
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (!ident.is_empty() && ident.len() == segment.len()).then_some(ident)
            })
            .collect();
        let last: String = rest
            .split("::")
            .nth(head.len())
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut path = head;
        if !last.is_empty() {
            path.push(last);
        }
        let after_path: String = rest.chars().skip(path.join("::").len()).take(3).collect();
        if after_path.starts_with("::{") {
            let body_start = rest.find('{').map_or(0, |b| b + 1);
            let body = group_body(&rest[body_start..]);
            for item in split_top_level(body) {
                let mut full = path.clone();
                full.extend(
                    item.split("::")
                        .map(|s| {
                            s.trim()
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect::<String>()
                        })
                        .filter(|s| !s.is_empty() && s != "self"),
                );
                paths.push(full);
            }
        } else if !path.is_empty() {
            paths.push(path);
        }
    }
    paths
}

fn group_body(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

fn split_top_level(body: &str) -> Vec<String> {
    let (mut items, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in body.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items.into_iter().filter(|i| !i.trim().is_empty()).collect()
}

/// Which files each file imports from (by `crate::` and `super::` paths),
/// resolved to the longest module path that is a file.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let resolve = |path: &[String]| {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|candidate| modules.contains(candidate))
    };
    let mut graph = BTreeMap::new();
    for file in &files {
        let own = module_of(src, file);
        let code = code_of(file);
        // `super::` is the parent module, for `a/b.rs` and `a/mod.rs` alike.
        let super_base: Vec<String> = own[..own.len().saturating_sub(1)].to_vec();
        let mut targets = BTreeSet::new();
        let absolute = crate_paths(&code);
        let relative = prefixed_paths(&code, "super::").into_iter().map(|p| {
            let mut full = super_base.clone();
            full.extend(p);
            full
        });
        for path in absolute.into_iter().chain(relative) {
            if let Some(target) = resolve(&path)
                && target != own
            {
                targets.insert(target.join("/"));
            }
        }
        graph.insert(own.join("/"), targets);
    }
    graph
}

/// The groups of files that reach each other (Tarjan's strongly connected
/// components with more than one file).
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            for next in self.graph.get(node).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self.stack.iter().rposition(|n| *n == node).unwrap_or(0);
                let group: Vec<String> = self.stack.drain(at..).map(str::to_string).collect();
                if group.len() > 1 {
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}
