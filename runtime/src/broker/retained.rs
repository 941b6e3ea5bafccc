//! Retained-message storage for the embedded broker.
//!
//! rmqtt's core leaves retained messages to a plugin and its default storage
//! refuses them; Agora needs them for presence and status topics, so this
//! wraps rmqtt's in-memory topic tree with a bound on the count.

use std::time::Duration;

use async_trait::async_trait;
use rmqtt::retain::{DefaultRetainStorage, RetainStorage};
use rmqtt::types::{Retain, TopicFilter, TopicName};

/// In-memory retained messages, at most `limit` topics.
pub(crate) struct BoundedRetainStore {
    tree: DefaultRetainStorage,
    limit: isize,
}

impl BoundedRetainStore {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            tree: DefaultRetainStorage::new(),
            limit: isize::try_from(limit).unwrap_or(isize::MAX),
        }
    }
}

#[async_trait]
impl RetainStorage for BoundedRetainStore {
    fn enable(&self) -> bool {
        true
    }

    async fn set(
        &self,
        topic: &TopicName,
        retain: Retain,
        expiry: Option<Duration>,
    ) -> rmqtt::Result<()> {
        let clearing = retain.publish.payload.is_empty();
        if !clearing && self.tree.count().await >= self.limit {
            tracing::warn!(%topic, limit = self.limit, "embedded broker: retained-message limit reached; not retained");
            return Ok(());
        }
        self.tree.set_with_timeout(topic, retain, expiry).await
    }

    async fn get(&self, filter: &TopicFilter) -> rmqtt::Result<Vec<(TopicName, Retain)>> {
        self.tree.get_message(filter).await
    }

    async fn count(&self) -> isize {
        self.tree.count().await
    }

    async fn max(&self) -> isize {
        self.tree.max().await
    }
}
