//! Policies (issue 5): how a learner's network or table turns a batch of
//! observations into a batch of actions (greedy, epsilon-greedy,
//! categorical sampling), with seeded randomness.
//!
//! Nothing is implemented here yet.
