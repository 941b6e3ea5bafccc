//! Integration tests: one binary, one module per area (see DESIGN.md).

mod support;
mod transport;
