//! Every command is listed three times: in `main.rs`'s handler (so it runs), in
//! `build.rs` (so it has a permission) and in `capabilities/main.json` (so the window is
//! granted it). A command in the handler but missing from the other two is refused by
//! Tauri at run time with "not allowed", which only a person clicking the button would
//! find: this test finds it first.

use std::collections::BTreeSet;

fn read(rel: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + rel;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `module::name` entries of `generate_handler![…]`.
fn handled() -> BTreeSet<String> {
    let main = read("src/main.rs");
    let start = main.find("generate_handler![").expect("the handler list");
    let end = start + main[start..].find(']').expect("its end");
    main[start + "generate_handler![".len()..end]
        .split(',')
        .filter_map(|s| s.trim().rsplit("::").next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The quoted names in `build.rs`'s command list.
fn built() -> BTreeSet<String> {
    let build = read("build.rs");
    let start = build.find(".commands(&[").expect("the command list");
    let end = start + build[start..].find("])").expect("its end");
    build[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The `allow-…` permissions the main window is granted, as command names.
fn granted() -> BTreeSet<String> {
    let caps: serde_json::Value =
        serde_json::from_str(&read("capabilities/main.json")).expect("JSON");
    caps["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| {
            p.as_str()?
                .strip_prefix("allow-")
                .map(|c| c.replace('-', "_"))
        })
        .collect()
}

#[test]
fn every_command_handled_is_permitted_and_granted_and_no_other() {
    let handled = handled();
    assert!(handled.len() > 50, "{handled:?}");
    assert_eq!(
        handled,
        built(),
        "main.rs's handler and build.rs's command list differ"
    );
    assert_eq!(
        handled,
        granted(),
        "main.rs's handler and capabilities/main.json differ"
    );
}
