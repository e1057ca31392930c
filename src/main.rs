//! `evidence-kit`: the command line over the core. The CLI itself is the `cli` folder
//! (`src/cli/mod.rs` says how it is laid out); this file only starts it.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
