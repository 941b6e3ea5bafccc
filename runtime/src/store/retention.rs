//! Which checkpoints a store keeps: the latest few of each agent that a
//! run can resume from, and every one a tag points at (`best`); older ones,
//! and policy-only ones no tag points at, go in the transaction that saves
//! a new one, so a long run's store stays the size of a few checkpoints
//! instead of growing with every save, and a burst of new bests never
//! pushes out the last checkpoint a resume needs.

use std::collections::BTreeSet;

use redb::{ReadableTable, Table};

use super::CheckpointMeta;

/// Keep every checkpoint.
pub const KEEP_ALL: usize = 0;

type Checkpoints<'txn> = Table<'txn, (&'static str, &'static str, u64), &'static [u8]>;
type Tags<'txn> = Table<'txn, (&'static str, &'static str, &'static str), u64>;

/// Deletes the checkpoints of (`run`, `agent`) other than the latest
/// `keep_latest` resumable ones and the tagged ones; answers how many went.
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
    // (sequence, resumable); a meta that does not parse counts as
    // resumable, as every checkpoint did before policy-only ones.
    let mut sequences = Vec::new();
    for entry in metas.range((run, agent, 0)..=(run, agent, u64::MAX))? {
        let (key, meta) = entry?;
        let policy_only = serde_json::from_slice::<CheckpointMeta>(meta.value())
            .is_ok_and(|meta| meta.policy_only);
        sequences.push((key.value().2, !policy_only));
    }
    let mut kept: BTreeSet<u64> = sequences
        .iter()
        .rev()
        .filter(|(_, resumable)| *resumable)
        .take(keep_latest)
        .map(|(sequence, _)| *sequence)
        .collect();
    for entry in tags.range((run, agent, "")..)? {
        let (key, sequence) = entry?;
        let (r, a, _) = key.value();
        if r != run || a != agent {
            break;
        }
        kept.insert(sequence.value());
    }
    let mut removed = 0;
    for (sequence, _) in sequences.into_iter().filter(|(s, _)| !kept.contains(s)) {
        data.remove((run, agent, sequence))?;
        metas.remove((run, agent, sequence))?;
        removed += 1;
    }
    Ok(removed)
}
