//! The Python package (python/: `pip install embedis` = embedis-server on the environment's PATH + a pytest
//! plugin): its wheel is built with maturin, installed into a fresh virtual environment, and the example suite in
//! python/examples runs against the installed binary. Needs python3 with pytest and redis-py, and maturin
//! (`.ci/run` installs them); without them the test says so on stderr, and fails under CI=true.

use std::path::Path;
use std::process::Command;

fn have(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_wheel_installs_and_its_pytest_plugin_runs_the_example_suite() {
    if !have("maturin", &["--version"]) || !have("python3", &["-c", "import pytest, redis, venv"]) {
        assert!(!crate::support::in_ci(), "CI=true needs maturin, and python3 with pytest and redis-py");
        eprintln!("skipped: maturin or python3 with pytest and redis-py is not installed (pip install maturin)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let wheels = work.path().join("wheels");
    let build = Command::new("maturin")
        .args(["build", "--release", "--quiet", "-o"])
        .arg(&wheels)
        .current_dir(root.join("python"))
        .output()
        .unwrap();
    assert!(build.status.success(), "maturin: {}", String::from_utf8_lossy(&build.stderr));
    let wheel = std::fs::read_dir(&wheels).unwrap().map(|e| e.unwrap().path()).next().expect("a wheel");
    let size = std::fs::metadata(&wheel).unwrap().len();
    assert!(size < 8 << 20, "the wheel is {size} bytes: stripped binaries expected");

    // A fresh environment that sees the system's pytest and redis-py, with the wheel installed into it.
    let venv = work.path().join("venv");
    let made = Command::new("python3").args(["-m", "venv", "--system-site-packages"]).arg(&venv).status().unwrap();
    assert!(made.success());
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--no-deps", "--disable-pip-version-check"])
        .arg(&wheel)
        .output()
        .unwrap();
    assert!(pip.status.success(), "pip: {}", String::from_utf8_lossy(&pip.stderr));
    assert!(venv.join("bin/embedis-server").exists() && venv.join("bin/embedis-check-aof").exists());

    // Only the environment's own scripts on PATH: the plugin must find the binary the wheel installed.
    let out = Command::new(venv.join("bin/python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root.join("python/examples"))
        .env("PATH", format!("{}:/usr/bin:/bin", venv.join("bin").display()))
        .current_dir(work.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("4 passed"), "{text}");
}
