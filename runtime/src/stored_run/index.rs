//! The data dir's index of stores: which redb files hold runs, so a run
//! started with its own `[store] path` can still be found by id.
//!
//! The index is a plain text file, one absolute path per line, only ever
//! appended to: an append of one short line is atomic, so two runs starting
//! at once cannot lose each other's entry, and a reader never sees half a
//! file. Duplicates and paths that no longer exist are skipped on read.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::LocateError;

/// File name of the index inside the data dir.
const INDEX_FILE: &str = "stores.index";
/// File name of the default store inside the data dir.
const DEFAULT_STORE: &str = "agora.redb";

/// The stores a data dir knows of.
#[derive(Debug, Clone)]
pub struct StoreIndex {
    data_dir: PathBuf,
}

impl StoreIndex {
    /// The index of `data_dir` (which need not exist yet).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
        }
    }

    /// The data dir.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `<data-dir>/agora.redb`, where runs go unless their config says
    /// otherwise.
    pub fn default_store(&self) -> PathBuf {
        self.data_dir.join(DEFAULT_STORE)
    }

    /// Where a run whose config names `configured` (or nothing) keeps its
    /// store, as an absolute path when the working directory is known.
    pub fn store_for(&self, configured: Option<&Path>) -> PathBuf {
        let path = configured.map_or_else(|| self.default_store(), Path::to_path_buf);
        std::path::absolute(&path).unwrap_or(path)
    }

    /// Records `store` so that later commands find its runs. The default
    /// store needs no entry.
    ///
    /// # Blocking
    ///
    /// File I/O: one read and at most one append.
    pub fn remember(&self, store: &Path) -> Result<(), LocateError> {
        let store = std::path::absolute(store).unwrap_or_else(|_| store.to_path_buf());
        if self.is_default(&store) || self.listed()?.contains(&store) {
            return Ok(());
        }
        let path = self.index_path();
        let fail = |source| LocateError::Index {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.data_dir).map_err(fail)?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        // One write call: appends of a short line are not interleaved.
        file.write_all(format!("{}\n", store.display()).as_bytes())
            .map_err(fail)
    }

    /// Every store file that exists: the default first, then the indexed
    /// ones in the order they were recorded.
    pub fn stores(&self) -> Result<Vec<PathBuf>, LocateError> {
        let mut found = Vec::new();
        let default = self.default_store();
        if default.exists() {
            found.push(default);
        }
        for path in self.listed()? {
            if path.exists() && !found.iter().any(|known| same_file(known, &path)) {
                found.push(path);
            }
        }
        Ok(found)
    }

    fn listed(&self) -> Result<Vec<PathBuf>, LocateError> {
        let path = self.index_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(PathBuf::from)
                .collect()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(LocateError::Index { path, source }),
        }
    }

    fn is_default(&self, store: &Path) -> bool {
        same_file(&self.store_for(None), store)
    }

    fn index_path(&self) -> PathBuf {
        self.data_dir.join(INDEX_FILE)
    }
}

/// Whether two paths name one file (by canonical path when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_listed_once_and_only_while_it_exists() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = StoreIndex::new(dir.path().join("data"));
        let own = dir.path().join("elsewhere/own.redb");
        index.remember(&own).expect("remember");
        index.remember(&own).expect("remember again");
        assert!(
            index.stores().expect("stores").is_empty(),
            "not created yet"
        );

        std::fs::create_dir_all(own.parent().expect("parent")).expect("mkdir");
        std::fs::write(&own, b"").expect("create");
        std::fs::write(index.default_store(), b"").expect("create default");
        let stores = index.stores().expect("stores");
        assert_eq!(stores.len(), 2, "{stores:?}");
        assert_eq!(stores[0], index.default_store());
        assert!(same_file(&stores[1], &own));
        let text = std::fs::read_to_string(index.index_path()).expect("index");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn the_default_store_is_never_indexed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = StoreIndex::new(dir.path());
        index.remember(&index.default_store()).expect("remember");
        assert!(!index.index_path().exists());
    }
}
