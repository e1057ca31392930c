//! Printing that survives a closed stdout. A closed stdout (`verify X | head -1`) is a
//! normal end, not a panic: the rest of the output is dropped, the command finishes and
//! exits with its own code. Any other failure to write stdout (a full disk) is said on
//! stderr and exits 2.
//!
//! The macros below shadow std's `println!`, `print!` and `eprintln!` in every module
//! of the CLI (`#[macro_use] mod out` comes first in `cli/mod.rs`), so every line
//! printed, in every command, goes through here.

/// Printing that survives a closed stdout (see the module comment). These shadow std's
/// macros in the CLI, so every line printed, in every command, goes through `out`.
macro_rules! println {
    () => {
        $crate::cli::out::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!($($arg)*))
    };
}
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::cli::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

use std::io::Write;
use std::sync::Mutex;

/// How writing stdout has gone so far.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// The reader went away (broken pipe): a normal end, the rest is dropped.
    Closed,
    /// Writing failed otherwise (e.g. a full disk): said on stderr at the end.
    Failed(std::io::ErrorKind),
}

static STATE: Mutex<State> = Mutex::new(State::Open);

fn state() -> State {
    STATE.lock().map_or(State::Closed, |s| *s)
}

fn set(to: State) {
    if let Ok(mut s) = STATE.lock()
        && *s == State::Open
    {
        *s = to;
    }
}

fn note(r: std::io::Result<()>) {
    if let Err(e) = r {
        set(if e.kind() == std::io::ErrorKind::BrokenPipe {
            State::Closed
        } else {
            State::Failed(e.kind())
        });
    }
}

/// Write to stdout, unless it was found closed or failing.
pub(crate) fn stdout(args: std::fmt::Arguments<'_>) {
    if state() == State::Open {
        note(std::io::stdout().lock().write_fmt(args));
    }
}

/// Write to stderr; if that fails there is nowhere left to say so, and the exit
/// code still does.
pub(crate) fn stderr(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// At the end: flush stdout; `Some(sentence)` when the output could not be written
/// for a reason other than a closed reader.
pub(crate) fn finish() -> Option<String> {
    if state() == State::Open {
        note(std::io::stdout().lock().flush());
    }
    match state() {
        State::Failed(kind) => Some(format!(
            "Could not write the output: {}.",
            evidence_kit::error::plain_io(&std::io::Error::from(kind))
        )),
        State::Open | State::Closed => None,
    }
}
