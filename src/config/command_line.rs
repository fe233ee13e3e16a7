//! redis-server's command line turned into config text: a config file, stdin, and `--name value` options as the
//! lines redis-server synthesizes from them (so that errors quote them as it does).

use super::error::{can_t_open, ConfigError};
use super::parse::{read_config_file, redis_absolute_path, Loader};
use super::Config;
use crate::protocol::decode::split_args;
use std::io::{self, Read};

impl Config {
    /// redis-server's command line: `[config-file] [--directive value ...] [-]`, where config-file `-` means
    /// read the config from stdin, and `--directive v1 v2` takes every following word up to the next `--`
    /// word as the directive's arguments (like redis-server, which joins them into a config line). `args`
    /// excludes the program name. `--version`/`-v` and `--help`/`-h` are NOT handled here (main does).
    /// Returns redis-server's fatal error on bad input.
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        // Like redis-server, which reads no configuration at all without arguments.
        if !args.is_empty() {
            let line = CommandLine::parse(args);
            let mut text = Vec::new();
            if let Some(file) = line.config_file {
                let path = redis_absolute_path(file.as_bytes());
                text = read_config_file(&path).map_err(|e| can_t_open(&path, &e))?;
                cfg.config_file = Some(path);
            }
            if line.from_stdin {
                // An unreadable stdin reads as empty, as with fgets().
                let _ = io::stdin().read_to_end(&mut text);
            }
            text.push(b'\n');
            text.extend_from_slice(&line.options);
            let mut loader = Loader::default();
            cfg.load_bytes(&text, &mut loader)?;
            loader.finish()?;
        }
        if let Ok(dir) = cfg.absolute_dir() {
            cfg.dir = dir;
        }
        Ok(cfg)
    }
}

/// redis-server's arguments turned into a config file name and synthesized config lines.
struct CommandLine<'a> {
    config_file: Option<&'a str>,
    from_stdin: bool,
    /// `--port 6380 --save ""` becomes `port "6380" \nsave "" `.
    options: Vec<u8>,
}

impl<'a> CommandLine<'a> {
    /// The loop in redis-server's main(): a first argument not starting with '-' is the config file; `-` as
    /// the first or last argument reads stdin; `--name` starts a line, and the words after it are quoted
    /// into it (the first one even if it starts with `--`, so `--maxmemory --foo` sets maxmemory to "--foo").
    fn parse(args: &'a [String]) -> Self {
        let mut line = CommandLine { config_file: None, from_stdin: false, options: Vec::new() };
        let mut j = 0;
        if let Some(first) = args.first().filter(|a| !a.starts_with('-')) {
            line.config_file = Some(first.as_str());
            j = 1;
        }
        let mut had_argument = true;
        while j < args.len() {
            let arg = args[j].as_bytes();
            let last = j + 1 == args.len();
            if arg == b"-" && (j == 0 || last) {
                line.from_stdin = true;
            } else if had_argument && arg.starts_with(b"--") {
                if !line.options.is_empty() {
                    line.options.push(b'\n');
                }
                line.options.extend_from_slice(&arg[2..]);
                line.options.push(b' ');
                // "--port 6380" as one word carries its own value.
                had_argument = split_args(arg).is_none_or(|words| words.len() != 1);
                let next_is_option = !last && args[j + 1].starts_with("--");
                let is = |name: &str| arg.eq_ignore_ascii_case(name.as_bytes());
                if !had_argument && (is("--save") || is("--sentinel")) && next_is_option {
                    // Pre-7.0.1 compatibility: `--save --port 1` means `save ""`; `--sentinel` takes nothing.
                    if is("--save") {
                        line.options.extend_from_slice(b"\"\"");
                    }
                    had_argument = true;
                } else if !had_argument && is("--save") && last {
                    line.options.extend_from_slice(b"\"\"");
                }
            } else {
                // Quoted as Redis's sdscatrepr does when it joins the command-line options.
                line.options.extend(crate::protocol::repr::repr(arg));
                line.options.push(b' ');
                had_argument = true;
            }
            j += 1;
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_helpers::*;
    use crate::config::{AppendFsync, MaxmemoryPolicy};
    use std::fs;

    #[test]
    fn from_args_options() {
        let cfg = Config::from_args(&args(&[
            "--port",
            "0",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "allkeys-lru",
            "--requirepass",
            "secret",
        ]))
        .unwrap();
        assert_eq!(cfg.port, 0);
        assert!(cfg.appendonly);
        assert_eq!(cfg.appendfsync, AppendFsync::EverySec);
        assert_eq!(cfg.maxmemory, 256 << 20);
        assert_eq!(get1(&cfg, "maxmemory"), "268435456");
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"secret"[..]));
        assert!(cfg.dir.is_absolute());
        assert_eq!(cfg.config_file, None);

        assert!(Config::from_args(&args(&["--save", ""])).unwrap().save.is_empty());
        assert!(Config::from_args(&args(&["--save"])).unwrap().save.is_empty());
        let cfg = Config::from_args(&args(&["--save", "--port", "5"])).unwrap();
        assert!(cfg.save.is_empty());
        assert_eq!(cfg.port, 5);
        assert_eq!(
            Config::from_args(&args(&["--save", "60", "5", "--save", "1", "2"])).unwrap().save,
            vec![(60, 5), (1, 2)]
        );
        assert_eq!(Config::from_args(&args(&["--bind", "127.0.0.1", "::1"])).unwrap().bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(Config::from_args(&args(&["--bind", "127.0.0.1 ::1"])).unwrap().bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(Config::from_args(&args(&["--save", "900 1 300 10"])).unwrap().save, vec![(900, 1), (300, 10)]);
        let cfg = Config::from_args(&args(&["--replicaof", "h 1", "--repl-backlog-size", "1"])).unwrap();
        assert_eq!(
            cfg.get(&[b"replicaof", b"repl-backlog-size"]),
            pairs(&[("replicaof", "h 1"), ("repl-backlog-size", "1")])
        );
        assert_eq!(Config::from_args(&args(&["--port 6380"])).unwrap().port, 6380);
        assert_eq!(Config::from_args(&[]).unwrap().port, 6379);
    }

    #[test]
    fn from_args_errors_show_the_synthesized_line() {
        let err = |words: &[&str]| Config::from_args(&args(words)).unwrap_err().to_string();
        assert_eq!(
            err(&["--port", "0", "--foo", "bar"]),
            banner(3, "foo \"bar\"", "Bad directive or wrong number of arguments")
        );
        assert_eq!(err(&["--port", "abc"]), banner(2, "port \"abc\"", "argument couldn't be parsed into an integer"));
        assert_eq!(
            err(&["--port", "0", "--maxmemory", "1", "2"]),
            banner(3, "maxmemory \"1\" \"2\"", "wrong number of arguments")
        );
        assert_eq!(err(&["--maxmemory", "--foo"]), banner(2, "maxmemory \"--foo\"", "argument must be a memory value"));
        assert_eq!(err(&["--maxmemory"]), banner(2, "maxmemory", "wrong number of arguments"));
        assert_eq!(err(&["--maxmemory x"]), banner(2, "maxmemory x", "argument must be a memory value"));
        assert_eq!(
            err(&["--port", "0 --maxmemory x"]),
            banner(2, "port \"0 --maxmemory x\"", "argument couldn't be parsed into an integer")
        );
        assert_eq!(
            err(&["--port", "a\"b\\c\n\x01\x7f\té\r\x07\x08"]),
            banner(
                2,
                "port \"a\\\"b\\\\c\\n\\x01\\x7f\\t\\xc3\\xa9\\r\\a\\b\"",
                "argument couldn't be parsed into an integer"
            )
        );
        assert_eq!(err(&["--dir", "/nonexistent"]), banner(2, "dir \"/nonexistent\"", "No such file or directory"));
        let missing = Config::from_args(&args(&["/nonexistent/x.conf"])).unwrap_err();
        assert!(missing.logged);
        assert_eq!(
            missing.to_string(),
            "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory"
        );
    }

    #[test]
    fn from_args_with_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("r.conf");
        fs::write(&file, "port 0\n\n\n").unwrap();
        let path = file.to_string_lossy().into_owned();
        let err = Config::from_args(&args(&[&path, "--port", "0", "--maxmemory", "x"])).unwrap_err();
        assert_eq!(err.to_string(), banner(6, "maxmemory \"x\"", "argument must be a memory value"));
        fs::write(&file, "port 0").unwrap();
        let err = Config::from_args(&args(&[&path, "foo", "bar"])).unwrap_err();
        assert_eq!(err.to_string(), banner(2, "\"foo\" \"bar\"", "Bad directive or wrong number of arguments"));
        let cfg = Config::from_args(&args(&[&path, "--port", "7"])).unwrap();
        assert_eq!(cfg.port, 7);
        assert_eq!(cfg.config_file.as_deref(), Some(file.as_path()));
    }
}
