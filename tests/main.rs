//! Integration tests: one binary, one module per area (see DESIGN.md).
//! Every test starts the brokers, processes and files it needs and stops them.

mod bad_input;
mod batching;
mod bdi;
mod control;
mod crash;
mod dashboard_api;
mod dashboard_browser;
mod env_cli;
mod interop;
mod kinds;
mod layers;
mod learners;
mod quickstart;
mod recording;
mod regression;
mod supervision;
mod support;
mod transport;
