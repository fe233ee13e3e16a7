//! Rules about the source itself, checked by reading it: every error text a client can receive is written in
//! `src/error.rs` (so each is written once, and a reviewer compares them with Redis's in one place).

use std::path::{Path, PathBuf};

/// Redis's error codes: a string literal starting with one of these and a space is a wire error text.
const CODES: &[&str] = &[
    "ERR",
    "WRONGTYPE",
    "NOSCRIPT",
    "BUSY",
    "BUSYKEY",
    "OOM",
    "NOAUTH",
    "EXECABORT",
    "MISCONF",
    "UNKILLABLE",
    "NOTBUSY",
    "WRONGPASS",
    "NOPROTO",
    "LOADING",
    "READONLY",
    "NOPERM",
    "DENIED",
    "NOREPLICAS",
    "MASTERDOWN",
    "CROSSSLOT",
    "NOGROUP",
    "INVALIDOBJ",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The wire error texts in `code` (unit tests and comments left out): (line number, line).
fn error_literals(code: &str) -> Vec<(usize, String)> {
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        for (at, _) in line.match_indices('"') {
            let rest = line[at + 1..].strip_prefix('-').unwrap_or(&line[at + 1..]);
            if CODES.iter().any(|c| rest.strip_prefix(c).is_some_and(|r| r.starts_with(' '))) {
                found.push((n + 1, trimmed.to_string()));
                break;
            }
        }
    }
    found
}

#[test]
fn every_error_text_is_written_in_the_error_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut strays = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("error.rs")) {
        for (line, text) in error_literals(&std::fs::read_to_string(file).unwrap()) {
            strays.push(format!("{}:{line}: {text}", file.strip_prefix(&src).unwrap().display()));
        }
    }
    assert!(strays.is_empty(), "error texts outside src/error.rs:\n{}", strays.join("\n"));
    // The rule can fail: it sees a literal where one would be.
    assert_eq!(error_literals("let e = \"-ERR no\";\n// \"ERR in a comment\"").len(), 1);
}

/// The same text twice in the error module is one error written twice: merge them.
#[test]
fn the_error_module_has_no_duplicate_texts() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/error.rs")).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut seen = std::collections::HashMap::new();
    let mut twice = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for literal in line.split('"').skip(1).step_by(2) {
            if literal.len() > 12 && CODES.iter().any(|c| literal.trim_start_matches('-').starts_with(c)) {
                if let Some(first) = seen.insert(literal.to_string(), n + 1) {
                    twice.push(format!("lines {first} and {}: {literal}", n + 1));
                }
            }
        }
    }
    assert!(twice.is_empty(), "{}", twice.join("\n"));
}
