//! `form`: print the E-safety incident-logging form (PDF) for a case in the store, or
//! for a bundle received (verified first).

use super::args::FormArgs;
use super::failure::{CliError, Failure};
use super::verify::verify_options;
use super::{keydir, school_name, shown_path};
use evidence_kit::form;
use evidence_kit::store::Store;
use std::path::{Path, PathBuf};

pub(super) fn form(root: &Path, config: &Option<PathBuf>, a: FormArgs) -> Result<u8, Failure> {
    let school = school_name(config, &a.school)?;
    if a.out.exists() {
        return Err(form::FormError::OutputExists { path: a.out }.into());
    }
    let (made, failed) = match (&a.case, &a.bundle) {
        (_, Some(bundle)) => {
            let opts = verify_options(config, &a.v, bundle)?;
            let dsl = if a.register {
                evidence_kit::register::Register::open(root)?
                    .dsl_section(bundle, &keydir(config)?)?
            } else {
                None
            };
            let made = form::for_bundle(
                bundle,
                &opts,
                school.as_deref(),
                evidence_kit::clock::now(),
                dsl,
            )?;
            let failed = !made.intact;
            (made, failed)
        }
        (Some(case), None) => {
            let store = Store::open_for_reading(root)?;
            let made = form::for_case(&store, case, school.as_deref())?;
            let failed = !made.intact;
            (made, failed)
        }
        (None, None) => {
            return Err(CliError::FormForWhat.into());
        }
    };
    form::write_new(&a.out, &made.pdf)?;
    println!(
        "Wrote the E-safety incident-logging form to {} ({} page(s)).",
        shown_path(&a.out),
        made.pages
    );
    if failed {
        eprintln!(
            "Verification FAILED: the form says so on every page, with the reasons. Do not rely on this evidence as it is."
        );
        return Ok(1);
    }
    Ok(0)
}
