//! End-to-end tests of the `agora` binary.
