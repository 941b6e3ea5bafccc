//! Which checkpoints a store keeps: the latest few of each agent and every
//! one a tag points at (`best`); older ones go in the transaction that
//! saves a new one, so a long run's store stays the size of a few
//! checkpoints instead of growing with every save.

use std::collections::BTreeSet;

use redb::{ReadableTable, Table};

/// Keep every checkpoint.
pub const KEEP_ALL: usize = 0;

type Checkpoints<'txn> = Table<'txn, (&'static str, &'static str, u64), &'static [u8]>;
type Tags<'txn> = Table<'txn, (&'static str, &'static str, &'static str), u64>;

/// Deletes the checkpoints of (`run`, `agent`) other than the latest
/// `keep_latest` and the tagged ones; answers how many went.
pub(super) fn prune(
    data: &mut Checkpoints<'_>,
    metas: &mut Checkpoints<'_>,
    tags: &Tags<'_>,
    run: &str,
    agent: &str,
    keep_latest: usize,
) -> Result<usize, redb::StorageError> {
    if keep_latest == KEEP_ALL {
        return Ok(0);
    }
    let mut sequences = Vec::new();
    for entry in metas.range((run, agent, 0)..=(run, agent, u64::MAX))? {
        sequences.push(entry?.0.value().2);
    }
    if sequences.len() <= keep_latest {
        return Ok(0);
    }
    let mut kept: BTreeSet<u64> = sequences.iter().rev().take(keep_latest).copied().collect();
    for entry in tags.range((run, agent, "")..)? {
        let (key, sequence) = entry?;
        let (r, a, _) = key.value();
        if r != run || a != agent {
            break;
        }
        kept.insert(sequence.value());
    }
    let mut removed = 0;
    for sequence in sequences.into_iter().filter(|s| !kept.contains(s)) {
        data.remove((run, agent, sequence))?;
        metas.remove((run, agent, sequence))?;
        removed += 1;
    }
    Ok(removed)
}
