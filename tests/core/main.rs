//! The core's integration tests: real SQLite files, real object files, the real
//! CLI binary, real screenshots under Xvfb. One test binary (faster to link).

mod util;

mod acquisition;
mod bundle;
mod capture;
mod check;
mod cli;
mod concurrency;
mod crash;
mod durability;
mod faults;
mod form;
mod fuzzed;
mod golden;
mod keys;
mod layers;
mod mail;
mod register;
mod replay;
mod report;
mod report_table;
mod screen;
mod settings;
mod store;
mod vectors;
