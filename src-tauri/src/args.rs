//! The command line: only `--store DIR`. Anything else is ignored, because WebDriver and
//! desktop launchers may add arguments of their own.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line says about the store folder.
#[derive(Debug, PartialEq, Eq)]
pub enum StoreArg {
    /// No `--store`: use `$EVIDENCE_KIT_STORE` or the default folder.
    Default,
    /// `--store DIR` or `--store=DIR`.
    Dir(PathBuf),
    /// `--store` with nothing after it.
    MissingValue,
}

/// Find `--store DIR` (or `--store=DIR`) in the arguments after the program name.
pub fn store_dir(args: impl IntoIterator<Item = OsString>) -> StoreArg {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--store" {
            return match args.next() {
                Some(dir) if !dir.is_empty() => StoreArg::Dir(dir.into()),
                _ => StoreArg::MissingValue,
            };
        }
        if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--store=")) {
            return if dir.is_empty() {
                StoreArg::MissingValue
            } else {
                StoreArg::Dir(dir.into())
            };
        }
    }
    StoreArg::Default
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> StoreArg {
        store_dir(args.iter().map(OsString::from))
    }

    #[test]
    fn store_forms() {
        assert_eq!(parse(&[]), StoreArg::Default);
        assert_eq!(parse(&["--other", "x"]), StoreArg::Default);
        assert_eq!(parse(&["--store", "/s"]), StoreArg::Dir("/s".into()));
        assert_eq!(parse(&["-x", "--store=/s t"]), StoreArg::Dir("/s t".into()));
        assert_eq!(parse(&["--store"]), StoreArg::MissingValue);
        assert_eq!(parse(&["--store="]), StoreArg::MissingValue);
    }
}
