//! The command line: only `--store DIR` and `--config DIR`. Anything else is ignored,
//! because WebDriver and desktop launchers may add arguments of their own.

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

/// `--config DIR` (or `--config=DIR`): the keys and settings folder, if given.
pub fn config_dir(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().filter(|d| !d.is_empty()).map(PathBuf::from);
        }
        if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return (!dir.is_empty()).then(|| dir.into());
        }
    }
    None
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

    #[test]
    fn config_forms() {
        let c = |a: &[&str]| config_dir(a.iter().map(OsString::from));
        assert_eq!(c(&[]), None);
        assert_eq!(c(&["--store", "/s", "--config", "/k"]), Some("/k".into()));
        assert_eq!(c(&["--config=/k l"]), Some("/k l".into()));
        assert_eq!(c(&["--config"]), None);
    }
}
