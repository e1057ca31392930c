//! The core's layers (ARCHITECTURE.md, "Layers"), read from its sources: every
//! `crate::…` and `super::…` path in `src/**/*.rs` that leaves its own module is an
//! edge, and each edge must be in [`ALLOWED`], a graph with no cycle. The binary
//! (`src/main.rs`, `src/cli/`) sits above the core and is not read; a file is read up
//! to its first `#[cfg(test)]`, and comments are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may import whom. A module not listed imports nothing from the crate. Keep it
/// the graph ARCHITECTURE.md draws: lower layers first.
const ALLOWED: &[(&str, &[&str])] = &[
    // Layer 0: primitives.
    ("error", &[]),
    ("clock", &[]),
    ("text", &[]),
    ("digest", &[]),
    ("fsutil", &["error"]),
    ("case", &["clock", "error"]),
    // Layer 1: formats (pure: no store, no I/O of their own but reading what they are given).
    ("custody", &["clock"]),
    ("event", &["case", "clock", "custody"]),
    // Reading an e-mail's bytes (both sides).
    ("mail", &["case"]),
    ("keys::format", &["error"]),
    ("bundle::format", &["case", "clock", "custody", "digest"]),
    (
        "receipt",
        &["bundle::format", "clock", "event", "keys::format"],
    ),
    ("replay", &["case", "clock", "custody", "event"]),
    ("objects", &["error", "fsutil"]),
    // The keys folder, above the key files' formats.
    ("keys::dir", &["clock", "keys::format"]),
    // Layer 2: reading a bundle, trusting nothing.
    (
        "verify",
        &[
            "bundle::format",
            "case",
            "custody",
            "digest",
            "error",
            "keys::format",
            "replay",
            "text",
        ],
    ),
    // Above the verifier: `settings.json`, and the rules both shells apply over the keys
    // folder (the school's name, verify options from its keys, the designated person's
    // set-up); and `keys` itself (`keys/mod.rs`), which only names them all
    // (`keys::Profile`).
    (
        "settings",
        &["bundle::format", "keys::dir", "keys::format", "verify"],
    ),
    ("keys", &["keys::dir", "keys::format", "settings"]),
    // Layer 3: the index.
    (
        "store",
        &[
            "case", "clock", "custody", "digest", "error", "event", "fsutil", "objects", "receipt",
        ],
    ),
    // Layer 4: features over the store.
    ("thumbnail", &["error", "store"]),
    (
        "capture",
        &["case", "clock", "error", "mail", "objects", "store"],
    ),
    (
        "check",
        &[
            "case", "custody", "digest", "error", "event", "replay", "store", "verify",
        ],
    ),
    (
        "bundle::seal",
        &[
            "bundle::format",
            "case",
            "event",
            "clock",
            "digest",
            "error",
            // `copy_sealed` syncs the folder a copy was saved in.
            "fsutil",
            "keys::format",
            "objects",
            "store",
        ],
    ),
    (
        "form",
        &[
            "bundle::format",
            "case",
            "clock",
            "custody",
            "digest",
            "error",
            "event",
            "keys::format",
            "objects",
            "store",
            "text",
            "verify",
        ],
    ),
    // Layer 5: the designated person's side.
    (
        "register",
        &[
            "bundle::format",
            "case",
            "clock",
            "digest",
            "error",
            // The bundle's custody log read as events: items removed as possible
            // indecent images, counted on the bundle's page (issue 16).
            "event",
            "form",
            "fsutil",
            "keys::dir",
            "keys::format",
            "mail",
            "objects",
            "receipt",
            "thumbnail",
            "verify",
        ],
    ),
    // Layer 6: the transport types' TypeScript, generated from every module that
    // defines one (nothing imports it but its tests and the desktop's).
    (
        "transport",
        &[
            "bundle::format",
            "case",
            "clock",
            "keys",
            "mail",
            "register",
            "store",
            "verify",
        ],
    ),
];

/// What a module must never reach, through any path (the promises): a
/// lean verifier, and an index below the features that use it.
const NEVER_REACHES: &[(&str, &[&str])] = &[
    (
        "verify",
        &[
            "store",
            "bundle::seal",
            "capture",
            "check",
            "form",
            "register",
        ],
    ),
    ("store", &["form", "register", "capture"]),
];

/// What a module must never import itself: the register reads bundles only through
/// `verify` (and the format's records), never the store or sealing.
const NEVER_IMPORTS: &[(&str, &[&str])] = &[("register", &["store", "bundle::seal"])];

#[test]
fn headline_the_core_has_no_import_cycles_and_keeps_its_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(from, to)| (*from, to.iter().copied().collect()))
        .collect();
    let actual: BTreeMap<String, BTreeSet<String>> =
        edges.iter().fold(BTreeMap::new(), |mut g, e| {
            g.entry(e.from.clone()).or_default().insert(e.to.clone());
            g
        });
    let cycles = count_cycles(&actual);
    eprintln!(
        "layers: {} edges between {} modules, {} import cycle(s)",
        edges.len(),
        actual.len(),
        cycles.len()
    );
    for (from, to) in &actual {
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        eprintln!("  {from} -> {}", to.join(", "));
    }
    for c in &cycles {
        eprintln!("  cycle: {}", c.join(" -> "));
    }
    let broken: Vec<String> = edges
        .iter()
        .filter(|e| {
            !allowed
                .get(e.from.as_str())
                .is_some_and(|to| to.contains(e.to.as_str()))
        })
        .map(|e| {
            format!(
                "{}:{}: {} -> {} (`{}`) is not an allowed import",
                e.file, e.line, e.from, e.to, e.path
            )
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} import(s) break the core's layers; see ARCHITECTURE.md, Layers:\n{}",
        broken.len(),
        broken.join("\n")
    );
    assert!(cycles.is_empty(), "import cycles: {cycles:?}");
    // The allow-list itself: acyclic, and none of the promised separations allowed.
    let order = topological_order(ALLOWED);
    assert!(
        order.is_ok(),
        "ALLOWED has a cycle among (or above) {:?}; see ARCHITECTURE.md, Layers",
        order.err().unwrap_or_default()
    );
    for (from, never) in NEVER_REACHES {
        for to in *never {
            assert!(
                !reaches(ALLOWED, from, to),
                "ALLOWED lets {from} reach {to}; see ARCHITECTURE.md, Layers"
            );
        }
    }
    for (from, never) in NEVER_IMPORTS {
        for to in *never {
            assert!(
                !allowed.get(from).is_some_and(|a| a.contains(to)),
                "ALLOWED lets {from} import {to}; see ARCHITECTURE.md, Layers"
            );
        }
    }
}

/// One import that leaves its module.
#[derive(Debug)]
struct Edge {
    file: String,
    line: usize,
    from: String,
    to: String,
    path: String,
}

/// Every edge in the core's sources.
fn edges(src: &Path) -> Vec<Edge> {
    let root_names = root_reexports(&src.join("lib.rs"));
    let seal_names = seal_reexports(&src.join("bundle/mod.rs"));
    let keys_names = reexports("keys", &src.join("keys/mod.rs"));
    let mut out = Vec::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).expect("under src").to_path_buf();
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        if rel_s == "lib.rs" || rel_s == "main.rs" || rel_s.starts_with("cli/") {
            continue;
        }
        let module = module_path(&rel);
        let from = node(&module, &seal_names);
        let text = std::fs::read_to_string(&file).expect("read source");
        for (line, path) in paths(&text) {
            let mut abs: Vec<String> = match path.first().map(String::as_str) {
                Some("crate") => path[1..].to_vec(),
                Some("super") => {
                    let ups = path.iter().take_while(|s| *s == "super").count();
                    let mut m = module[..module.len().saturating_sub(ups)].to_vec();
                    m.extend(path[ups..].iter().cloned());
                    m
                }
                _ => continue,
            };
            if let Some(first) = abs.first()
                && let Some(m) = root_names.get(first)
            {
                abs.insert(0, m.clone());
            }
            // `crate::keys::Profile` is `settings`' (what `keys/mod.rs` names, resolved).
            if abs.first().is_some_and(|m| m == "keys")
                && let Some(m) = abs.get(1).and_then(|n| keys_names.get(n))
            {
                abs.splice(..1, m.iter().cloned());
            }
            if abs.is_empty() {
                continue;
            }
            let to = node(&abs, &seal_names);
            if to != from {
                out.push(Edge {
                    file: format!("src/{rel_s}"),
                    line,
                    from: from.clone(),
                    to,
                    path: path.join("::"),
                });
            }
        }
    }
    out
}

/// `src/x.rs`, `src/x/**` → `x`; in `bundle`, sealing (`seal.rs`, `stream.rs` and
/// what `mod.rs` re-exports from them, or the whole module named bare) →
/// `bundle::seal`, the rest → `bundle::format`; `keys/format/**` → `keys::format`,
/// `keys/dir/**` → `keys::dir`, and `keys/mod.rs` (or the module named bare) → `keys`.
fn node(module: &[String], seal_names: &BTreeSet<String>) -> String {
    match module {
        [b] if b == "bundle" => "bundle::seal".into(),
        [b, x, ..] if b == "bundle" => {
            if x == "seal" || x == "stream" || seal_names.contains(x) {
                "bundle::seal".into()
            } else {
                "bundle::format".into()
            }
        }
        [k, x, ..] if k == "keys" && (x == "format" || x == "dir") => format!("keys::{x}"),
        [m, ..] => m.clone(),
        [] => "crate".into(),
    }
}

/// `a/b.rs` → `[a, b]`; `a/mod.rs` → `[a]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every `crate::…` / `super::…` path in the code before the first `#[cfg(test)]`,
/// with its line, comments skipped; a `{…}` group gives one path per member.
fn paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or("")
        .lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n");
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start_ok = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let head = ["crate::", "super::"]
            .into_iter()
            .find(|h| b[i..].starts_with(h.as_bytes()));
        if start_ok
            && (i == 0 || b[i - 1] != b':')
            && let Some(h) = head
        {
            let line = code[..i].matches('\n').count() + 1;
            let (trees, end) = tree(&code, i + h.len());
            for t in trees {
                let mut p = vec![h.trim_end_matches("::").to_string()];
                p.extend(t);
                out.push((line, p));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// A use tree at `i`: `a::b`, `a::{b, c::{d}}`, `self`; returns its paths and end.
fn tree(code: &str, mut i: usize) -> (Vec<Vec<String>>, usize) {
    let b = code.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut prefix = Vec::new();
    loop {
        i = skip_ws(i);
        if i < b.len() && b[i] == b'{' {
            let mut all = Vec::new();
            i += 1;
            loop {
                i = skip_ws(i);
                if i >= b.len() || b[i] == b'}' {
                    return (all, i + 1);
                }
                let (sub, end) = tree(code, i);
                for s in sub {
                    let mut p = prefix.clone();
                    p.extend(s.into_iter().filter(|x| x != "self"));
                    all.push(p);
                }
                i = skip_ws(end);
                // Past `as name` and up to the next member.
                while i < b.len() && b[i] != b',' && b[i] != b'}' {
                    i += 1;
                }
                if i < b.len() && b[i] == b',' {
                    i += 1;
                }
            }
        }
        let s = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'*') {
            i += 1;
        }
        if s == i {
            return (vec![prefix], i);
        }
        prefix.push(code[s..i].to_string());
        if code[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// `pub use m::{A, B};` in lib.rs: `A` → `m`.
fn root_reexports(lib: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(lib).expect("read lib.rs");
    let mut out = BTreeMap::new();
    for (_, p) in paths(&text.replace("pub use ", "pub use crate::")) {
        if let [_, m, name] = p.as_slice() {
            out.insert(name.clone(), m.clone());
        }
    }
    out
}

/// The names `bundle/mod.rs` re-exports from `seal` (and `stream`).
fn seal_reexports(bundle_mod: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(bundle_mod).expect("read bundle/mod.rs");
    paths(&text.replace("pub use ", "pub use crate::"))
        .into_iter()
        .filter_map(|(_, p)| match p.as_slice() {
            [_, m, name, ..] if m == "seal" || m == "stream" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// The names `module`'s `mod.rs` re-exports, each with the module it takes it from:
/// `pub use format::{A, B};` → `A` → `[module, format]`; `pub use crate::m::C;` → `C` →
/// `[m]`.
fn reexports(module: &str, mod_rs: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(mod_rs).expect("read mod.rs");
    let mut out = BTreeMap::new();
    for (_, p) in paths(&text.replace("pub use ", "pub use crate::")) {
        // `crate::` once: a path from `module`; twice: from the crate's root.
        let (mut from, rest) = match p.as_slice() {
            [a, b, rest @ ..] if a == "crate" && b == "crate" => (Vec::new(), rest),
            [a, rest @ ..] if a == "crate" => (vec![module.to_string()], rest),
            _ => continue,
        };
        if let [path @ .., name] = rest
            && !path.is_empty()
        {
            from.extend(path.iter().cloned());
            out.insert(name.clone(), from);
        }
    }
    out
}

/// Every elementary cycle of `g`, each once (started at its smallest module).
fn count_cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn walk(
        g: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        path: &mut Vec<String>,
        out: &mut Vec<Vec<String>>,
    ) {
        let last = path.last().cloned().unwrap_or_default();
        for next in g.get(&last).into_iter().flatten() {
            if next == start {
                let mut c = path.clone();
                c.push(start.to_string());
                out.push(c);
            } else if next.as_str() > start && !path.contains(next) {
                path.push(next.clone());
                walk(g, start, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for start in g.keys() {
        walk(g, start, &mut vec![start.clone()], &mut out);
    }
    out
}

/// Kahn's algorithm over `graph`; `Err` holds the modules left on a cycle.
fn topological_order(graph: &[(&str, &[&str])]) -> Result<Vec<String>, Vec<String>> {
    let mut deps: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in graph {
        deps.entry(from).or_default().extend(to.iter().copied());
        for t in *to {
            deps.entry(t).or_default();
        }
    }
    let mut order = Vec::new();
    while !deps.is_empty() {
        let ready: Vec<&str> = deps
            .iter()
            .filter(|(_, d)| d.is_empty())
            .map(|(m, _)| *m)
            .collect();
        if ready.is_empty() {
            return Err(deps.keys().map(|m| m.to_string()).collect());
        }
        for m in ready {
            deps.remove(m);
            for d in deps.values_mut() {
                d.remove(m);
            }
            order.push(m.to_string());
        }
    }
    Ok(order)
}

/// Whether `from` reaches `to` through `graph`.
fn reaches(graph: &[(&str, &[&str])], from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from];
    while let Some(m) = todo.pop() {
        if !seen.insert(m) {
            continue;
        }
        for (f, next) in graph {
            if *f == m {
                if next.contains(&to) {
                    return true;
                }
                todo.extend(next.iter().copied());
            }
        }
    }
    false
}
