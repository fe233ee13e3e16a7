//! The README's examples, run as written: the Python fixture and test with pytest and redis-py (when both are
//! installed: `.ci/run` installs them; without them the test says so on stderr, and fails under CI=true).

use std::path::Path;
use std::process::Command;

/// The README's code blocks of `lang`, in order.
fn code_blocks(lang: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let fence = format!("```{lang}\n");
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```\n").unwrap_or(body.len());
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

#[test]
fn the_python_example_passes_with_pytest() {
    let ready = Command::new("python3").args(["-c", "import pytest, redis"]).output();
    if !ready.is_ok_and(|o| o.status.success()) {
        assert!(!crate::support::in_ci(), "CI=true needs python3 with pytest and redis-py");
        eprintln!("skipped: python3 with pytest and redis-py is not installed (pip install pytest redis)");
        return;
    }
    let blocks = code_blocks("python");
    assert_eq!(blocks.len(), 2, "the README's Python example is conftest.py then test_sessions.py");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("conftest.py"), &blocks[0]).unwrap();
    std::fs::write(dir.path().join("test_sessions.py"), &blocks[1]).unwrap();
    // The example spawns `embedis-server` from PATH: this build's.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_embedis-server")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let out = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("1 passed"), "{text}");
}

/// Where `.ci/run` installs ioredis for the Node example (`npm install --prefix target/node ioredis`).
fn node_modules() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/node/node_modules")
}

#[test]
fn the_node_example_passes_with_node_test() {
    let modules = node_modules();
    let ready = Command::new("node").args(["-e", "require('ioredis')"]).env("NODE_PATH", &modules).output();
    if !ready.is_ok_and(|o| o.status.success()) {
        assert!(!crate::support::in_ci(), "CI=true needs node and ioredis in {}", modules.display());
        eprintln!("skipped: node with ioredis is not installed (npm install --prefix target/node ioredis)");
        return;
    }
    let blocks = code_blocks("js");
    assert_eq!(blocks.len(), 1, "the README's Node example is one test file");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.test.js");
    std::fs::write(&file, &blocks[0]).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_embedis-server")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let out =
        Command::new("node").arg("--test").arg(&file).env("NODE_PATH", &modules).env("PATH", path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("# pass 1"), "{text}");
}
