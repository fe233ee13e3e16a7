//! Reading redis.conf text: lines, quoting, the directive each line sets (or the few lines that are not
//! directives: `rename-command`, `user`, modules, deprecated names), what redis-server checks once everything is
//! read, and `include` with the paths a config names, resolved as redis-server does.

use super::error::{can_t_open, strerror, ConfigError};
use super::rows::{lookup, DEPRECATED, MULTI_ARG};
use super::special::{wrong_args, Origin};
use super::{Config, RenameCommand};
use crate::protocol::decode::split_args;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Redis has no limit and recurses until it crashes; we stop here instead.
const MAX_INCLUDE_DEPTH: u32 = 32;

/// State that lives for one load (a file with its includes and command-line options), like config.c's
/// statics.
#[derive(Default)]
pub(super) struct Loader {
    /// The first `save` line replaces the default points; later ones add to them.
    pub(super) save_loaded: bool,
    pub(super) include_depth: u32,
    /// `loadmodule` paths: we cannot load modules, which redis-server reports once the config is read.
    pub(super) modules: Vec<String>,
    /// A `module.name value` line was seen.
    pub(super) module_configs: bool,
}

impl Loader {
    /// The checks redis-server makes after the configuration is read.
    pub(super) fn finish(&self) -> Result<(), ConfigError> {
        if let Some(path) = self.modules.first() {
            return Err(ConfigError::logged(format!("Module {path} failed to load: embedis does not support modules")));
        }
        if self.module_configs {
            return Err(ConfigError::logged(
                "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting".into(),
            ));
        }
        Ok(())
    }
}

impl Config {
    /// Parse config text (redis.conf syntax): comments, blank lines, quoted args ("..." with \n \x41
    /// escapes, '...'), case-insensitive directive names, memory units (1k=1000, 1kb=1024, mb, gb,
    /// case-insensitive), yes/no, `include path` (relative to the working directory, i.e. the current `dir`,
    /// as Redis which chdir's), later lines override earlier ones. `source`, when given, is recorded as the
    /// config file.
    pub fn load_str(&mut self, text: &str, source: Option<&Path>) -> Result<(), ConfigError> {
        if let Some(path) = source {
            self.config_file = Some(redis_absolute_path(path.as_os_str().as_bytes()));
        }
        let mut loader = Loader::default();
        self.load_bytes(text.as_bytes(), &mut loader)?;
        loader.finish()
    }

    /// Config text as bytes (a file need not be UTF-8), no source: for the fuzz targets (`crate::fuzzing`).
    pub(crate) fn load_text(&mut self, text: &[u8]) -> Result<(), ConfigError> {
        let mut loader = Loader::default();
        self.load_bytes(text, &mut loader)?;
        loader.finish()
    }

    /// loadServerConfigFromString.
    pub(super) fn load_bytes(&mut self, text: &[u8], loader: &mut Loader) -> Result<(), ConfigError> {
        for (index, raw) in text.split(|c| *c == b'\n').enumerate() {
            // C strings end at a NUL byte.
            let raw = raw.split(|c| *c == 0).next().unwrap_or_default();
            let line = trim(raw, b" \t\r\n");
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let at_line = |reason: String| ConfigError {
                line: Some((index + 1, String::from_utf8_lossy(line).into_owned())),
                reason,
                logged: false,
            };
            let args = split_args(line).ok_or_else(|| at_line("Unbalanced quotes in configuration line".into()))?;
            let Some(first) = args.first() else { continue };
            let name = String::from_utf8_lossy(first).to_ascii_lowercase();
            if name == "include" && args.len() == 2 {
                self.include(&args[1], loader)?;
                continue;
            }
            self.apply_line(&name, &args, loader, index + 1, line).map_err(at_line)?;
        }
        self.check_loaded()
    }

    /// One config line, `args[0]` being the directive (lowercased as `name`).
    fn apply_line(
        &mut self,
        name: &str,
        args: &[Vec<u8>],
        loader: &mut Loader,
        line_number: usize,
        line: &[u8],
    ) -> Result<(), String> {
        if let Some((directive, _)) = lookup(name.as_bytes()) {
            if !directive.has(MULTI_ARG) && args.len() != 2 {
                return Err(wrong_args());
            }
            if directive.has(MULTI_ARG) && args.len() == 2 && !args[1].is_empty() {
                // One non-empty argument is split again, so that `--save "900 1 300 10"` works.
                let words = split_args(&args[1]).unwrap_or_default();
                return self.set_directive(directive, &words, Origin::File { save_seen: &mut loader.save_loaded });
            }
            return self.set_directive(directive, &args[1..], Origin::File { save_seen: &mut loader.save_loaded });
        }
        let text = |arg: &Vec<u8>| String::from_utf8_lossy(arg).into_owned();
        match name {
            _ if DEPRECATED.contains(&name) && args.len() == 2 => {}
            "rename-command" if args.len() == 3 => {
                self.rename_commands.push(RenameCommand {
                    from: text(&args[1]),
                    to: text(&args[2]),
                    line: line_number,
                    text: String::from_utf8_lossy(line).into_owned(),
                });
            }
            "user" if args.len() >= 2 => self.users.push(args[1..].iter().map(text).collect()),
            "loadmodule" if args.len() >= 2 => loader.modules.push(text(&args[1])),
            _ if name.contains('.') => {
                if args.len() != 2 {
                    return Err("Module config specified without value".into());
                }
                loader.module_configs = true;
            }
            // A bare `sentinel` line is how redis-server enters sentinel mode; we do not have one.
            "sentinel" if args.len() == 1 => {}
            "sentinel" => return Err("sentinel directive while not in sentinel mode".into()),
            _ => return Err("Bad directive or wrong number of arguments".into()),
        }
        Ok(())
    }

    /// `include <path>`: one file, or every match of a glob (none is fine), read in sorted order.
    pub(super) fn include(&mut self, pattern: &[u8], loader: &mut Loader) -> Result<(), ConfigError> {
        let shown = String::from_utf8_lossy(pattern).into_owned();
        if loader.include_depth >= MAX_INCLUDE_DEPTH {
            return Err(ConfigError::logged(format!(
                "Fatal error, can't open config file '{shown}': more than {MAX_INCLUDE_DEPTH} nested includes"
            )));
        }
        let base = self.absolute_dir().unwrap_or_else(|_| self.dir.clone());
        let files = if pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
            glob_paths(&base, pattern)
        } else {
            vec![(shown, base.join(OsStr::from_bytes(pattern)))]
        };
        loader.include_depth += 1;
        for (shown, path) in files {
            let text = read_config_file(&path).map_err(|e| can_t_open(Path::new(&shown), &e))?;
            self.load_bytes(&text, loader)?;
        }
        loader.include_depth -= 1;
        Ok(())
    }

    /// The sanity checks at the end of loadServerConfigFromString.
    fn check_loaded(&self) -> Result<(), ConfigError> {
        if !self.logfile.is_empty() {
            // Redis tries to open the log file now: it could not abort later.
            let path = self.absolute_dir().unwrap_or_else(|_| self.dir.clone()).join(&self.logfile);
            if let Err(e) = fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(ConfigError::fatal(format!("Can't open the log file: {}", strerror(&e))));
            }
        }
        if self.value_of("cluster-enabled") == "yes" && !self.value_of("replicaof").is_empty() {
            return Err(ConfigError::fatal("replicaof directive not allowed in cluster mode".into()));
        }
        Ok(())
    }
}

/// `s` without the bytes of `chars` at either end (sdstrim).
pub(super) fn trim<'a>(s: &'a [u8], chars: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !chars.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !chars.contains(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Reads a config file. fopen() accepts a directory, which then reads as empty.
pub(super) fn read_config_file(path: &Path) -> io::Result<Vec<u8>> {
    if path.is_dir() {
        return Ok(Vec::new());
    }
    fs::read(path)
}

/// Redis's getAbsolutePath: the working directory joined with a relative path, leading "../" folded in.
pub(super) fn redis_absolute_path(path: &[u8]) -> PathBuf {
    let mut relative = trim(path, b" \r\n\t");
    if relative.first() == Some(&b'/') {
        return PathBuf::from(OsStr::from_bytes(relative));
    }
    let Ok(cwd) = std::env::current_dir() else {
        return PathBuf::from(OsStr::from_bytes(relative));
    };
    let mut absolute = cwd.into_os_string().into_vec();
    if absolute.last() != Some(&b'/') {
        absolute.push(b'/');
    }
    while let Some(rest) = relative.strip_prefix(b"../") {
        relative = rest;
        if absolute.len() > 1 {
            let parent_end = absolute[..absolute.len() - 1].iter().rposition(|c| *c == b'/').map_or(0, |i| i + 1);
            absolute.truncate(parent_end);
        }
    }
    absolute.extend_from_slice(relative);
    PathBuf::from(std::ffi::OsString::from_vec(absolute))
}

/// The files an `include` glob names, sorted, each with the name shown in errors. A wildcard may appear in
/// any path component; names starting with '.' match only a pattern starting with '.', as glob(3).
fn glob_paths(base: &Path, pattern: &[u8]) -> Vec<(String, PathBuf)> {
    let absolute = pattern.first() == Some(&b'/');
    let mut found: Vec<(Vec<u8>, PathBuf)> = vec![(
        if absolute { b"/".to_vec() } else { Vec::new() },
        if absolute { PathBuf::from("/") } else { base.to_path_buf() },
    )];
    for component in pattern.split(|c| *c == b'/').filter(|c| !c.is_empty()) {
        let wild = component.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        let mut next = Vec::new();
        for (shown, path) in &found {
            let join = |name: &[u8]| {
                let mut s = shown.clone();
                if !s.is_empty() && s.last() != Some(&b'/') {
                    s.push(b'/');
                }
                s.extend_from_slice(name);
                (s, path.join(OsStr::from_bytes(name)))
            };
            if !wild {
                next.push(join(component));
                continue;
            }
            let Ok(entries) = fs::read_dir(path) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.as_bytes();
                let hidden_ok = !name.starts_with(b".") || component.starts_with(b".");
                if hidden_ok && crate::glob::matches(component, name) {
                    next.push(join(name));
                }
            }
        }
        found = next;
    }
    found.retain(|(_, path)| path.exists());
    found.sort();
    found.into_iter().map(|(shown, path)| (String::from_utf8_lossy(&shown).into_owned(), path)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_helpers::*;
    use crate::config::{AppendFsync, LogLevel, MaxmemoryPolicy, Protection};

    #[test]
    fn typed_fields_from_file() {
        let cfg = load(
            "# comment\n\n   port 7000  \nPROTECTED-MODE No\nbind 127.0.0.1 ::1\nrequirepass \"s3cr\\x65t\"\n\
             databases 4\nmaxmemory 1GB\nmaxmemory-policy ALLKEYS-LRU\nappendonly yes\nappendfsync always\n\
             timeout 30\nloglevel warning\nhz 1000\nunixsocketperm 700\nunixsocket /tmp/x.sock\n\
             lua-time-limit 100\nhash-max-ziplist-entries 7\nslowlog-log-slower-than -1\n\
             notify-keyspace-events KEA\nenable-debug-command local\nclient-query-buffer-limit 2mb\n",
        )
        .unwrap();
        assert_eq!(cfg.port, 7000);
        assert!(!cfg.protected_mode);
        assert_eq!(cfg.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"s3cret"[..]));
        assert_eq!(cfg.databases, 4);
        assert_eq!(cfg.maxmemory, 1 << 30);
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
        assert!(cfg.appendonly);
        assert_eq!(cfg.appendfsync, AppendFsync::Always);
        assert_eq!(cfg.timeout, 30);
        assert_eq!(cfg.loglevel, LogLevel::Warning);
        assert_eq!(cfg.hz, 500);
        assert_eq!(cfg.unixsocketperm, 0o700);
        assert_eq!(get1(&cfg, "unixsocketperm"), "700");
        assert_eq!(cfg.unixsocket, Some(PathBuf::from("/tmp/x.sock")));
        assert_eq!(cfg.busy_reply_threshold, 100);
        assert_eq!(get1(&cfg, "busy-reply-threshold"), "100");
        assert_eq!(cfg.hash_max_listpack_entries, 7);
        assert_eq!(cfg.slowlog_log_slower_than, -1);
        assert_eq!(cfg.notify_keyspace_events, "AKE");
        assert_eq!(cfg.enable_debug_command, Protection::Local);
        assert_eq!(cfg.client_query_buffer_limit, 2 << 20);
        let mut inactive = cfg.inactive_directives_set();
        inactive.sort();
        let mut expected = vec!["slowlog-log-slower-than"];
        expected.sort();
        assert_eq!(inactive, expected);
    }

    #[test]
    fn quoting() {
        let cfg = load("requirepass \"a b\\n\\x41\\\"\"\nmasterauth 'it\\'s'\nlogfile \"\"").unwrap();
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"a b\nA\""[..]));
        assert_eq!(get1(&cfg, "masterauth"), "it's");
        assert_eq!(cfg.logfile, "");
        assert_eq!(load("requirepass \"\"").unwrap().requirepass, None);
        assert_eq!(split_args(b"a\"b c\"d"), None);
        assert_eq!(split_args(b"a\"b c\" d"), Some(vec![b"ab c".to_vec(), b"d".to_vec()]));
        assert_eq!(split_args(b"\"\\x4\""), Some(vec![b"x4".to_vec()]));
        assert_eq!(split_args(b"\"\\"), None);
        assert_eq!(split_args(b"''"), Some(vec![Vec::new()]));
        assert_eq!(split_args(b" \x0b "), Some(vec![]));
        assert_eq!(load_err("port \"123"), banner(1, "port \"123", "Unbalanced quotes in configuration line"));
        assert_eq!(load_err("port '123"), banner(1, "port '123", "Unbalanced quotes in configuration line"));
        assert_eq!(load_err("port \"12\"3"), banner(1, "port \"12\"3", "Unbalanced quotes in configuration line"));
        // A NUL ends the line, as in C.
        assert_eq!(load("port 1\0garbage").unwrap().port, 1);
    }

    #[test]
    fn error_texts() {
        assert_eq!(load_err("port 7000\nfoo bar"), banner(2, "foo bar", "Bad directive or wrong number of arguments"));
        assert_eq!(
            load_err("   # comment\n\n  port   abc   \n"),
            banner(3, "port   abc", "argument couldn't be parsed into an integer")
        );
        assert_eq!(load_err("PORT abc"), banner(1, "PORT abc", "argument couldn't be parsed into an integer"));
        assert_eq!(load_err("port 1 2"), banner(1, "port 1 2", "wrong number of arguments"));
        assert_eq!(load_err("maxmemory"), banner(1, "maxmemory", "wrong number of arguments"));
        assert_eq!(load_err("appendonly maybe"), banner(1, "appendonly maybe", "argument must be 'yes' or 'no'"));
        assert_eq!(
            load_err("appendfsync sometimes"),
            banner(1, "appendfsync sometimes", "argument(s) must be one of the following: everysec, always, no")
        );
        assert_eq!(load_err("save 1"), banner(1, "save 1", "Invalid save parameters"));
        assert_eq!(load_err("include"), banner(1, "include", "Bad directive or wrong number of arguments"));
        assert_eq!(
            load_err("list-max-ziplist-entries 5 6"),
            banner(1, "list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments")
        );
        assert_eq!(
            load_err("sentinel monitor x"),
            banner(1, "sentinel monitor x", "sentinel directive while not in sentinel mode")
        );
        assert_eq!(load_err("foo.bar"), banner(1, "foo.bar", "Module config specified without value"));
        assert_eq!(load_err("user"), banner(1, "user", "Bad directive or wrong number of arguments"));
        assert_eq!(load_err("replicaof 127.0.0.1 abc"), banner(1, "replicaof 127.0.0.1 abc", "Invalid master port"));
        assert_eq!(load_err("replicaof 127.0.0.1"), banner(1, "replicaof 127.0.0.1", "wrong number of arguments"));
        assert_eq!(load_err("dir /nonexistent/x"), banner(1, "dir /nonexistent/x", "No such file or directory"));
        assert_eq!(load_err("dir /etc/hostname"), banner(1, "dir /etc/hostname", "Not a directory"));
        assert_eq!(
            load_err("replicaof 127.0.0.1 6380\ncluster-enabled yes"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
        );
        assert_eq!(
            load_err("logfile /nonexistent/dir/log"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"
        );
        assert_eq!(load_err("loadmodule /x.so"), "Module /x.so failed to load: embedis does not support modules");
        assert_eq!(
            load_err("foo.bar 1"),
            "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"
        );
        // Silently accepted.
        let cfg = load("list-max-ziplist-entries 5\nlua-replicate-commands yes\nsentinel\nrename-command GET \"\"\nuser default on").unwrap();
        assert_eq!(
            cfg.rename_commands,
            vec![RenameCommand { from: "GET".into(), to: "".into(), line: 4, text: "rename-command GET \"\"".into() }]
        );
        assert_eq!(cfg.users, vec![vec!["default".to_string(), "on".to_string()]]);
        assert_eq!(cfg.inactive_directives_set(), vec!["user"]);
        // Renames are checked against the command table when the server builds its index.
        let rename_err = |text: &str| match crate::server::command_names(&load(text).unwrap()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            rename_err("rename-command nosuch x"),
            banner(1, "rename-command nosuch x", "No such command in rename-command")
        );
        assert_eq!(
            rename_err("rename-command get x\nrename-command GET y"),
            banner(2, "rename-command GET y", "No such command in rename-command")
        );
        assert_eq!(
            rename_err("rename-command get set"),
            banner(1, "rename-command get set", "Target command name already exists")
        );
    }

    #[test]
    fn dir_is_absolute_and_drives_includes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("sub/inc.conf"), "maxmemory 5mb\n").unwrap();
        fs::write(root.join("sub/a.conf"), "port 1\n").unwrap();
        fs::write(root.join("sub/b.conf"), "port 2\n").unwrap();
        fs::write(root.join("sub/.hidden.conf"), "port 3\n").unwrap();
        let cfg =
            load(&format!("dir {}\ndir sub\ninclude inc.conf\ninclude *.conf\ninclude none/*.conf", root.display()))
                .unwrap();
        assert_eq!(cfg.dir, root.join("sub"));
        assert_eq!(get1(&cfg, "dir"), root.join("sub").to_string_lossy());
        assert_eq!(cfg.maxmemory, 5 << 20);
        assert_eq!(cfg.port, 2, "globbed includes are read in order, dotfiles skipped");
        // A missing include is redis-server's logged fatal error; an error inside one has its own line numbers.
        let err = load(&format!("dir {}\ninclude missing.conf", root.display())).unwrap_err();
        assert!(err.logged);
        assert_eq!(err.to_string(), "Fatal error, can't open config file 'missing.conf': No such file or directory");
        fs::write(root.join("bad.conf"), "port 0\nport abc\n").unwrap();
        let err = load(&format!("\n\ninclude {}", root.join("bad.conf").display())).unwrap_err();
        assert_eq!(err.to_string(), banner(2, "port abc", "argument couldn't be parsed into an integer"));
        // An include of itself stops instead of recursing forever.
        fs::write(root.join("loop.conf"), format!("include {}\n", root.join("loop.conf").display())).unwrap();
        assert!(load(&format!("include {}", root.join("loop.conf").display())).unwrap_err().logged);
    }

    #[test]
    fn absolute_paths_like_redis() {
        let cwd = std::env::current_dir().unwrap();
        let cwd = cwd.to_string_lossy();
        assert_eq!(redis_absolute_path(b"/a/b.conf"), PathBuf::from("/a/b.conf"));
        assert_eq!(redis_absolute_path(b"x.conf"), PathBuf::from(format!("{cwd}/x.conf")));
        assert_eq!(redis_absolute_path(b"./s/../x.conf"), PathBuf::from(format!("{cwd}/./s/../x.conf")));
        let parent = Path::new(&*cwd).parent().unwrap().to_string_lossy().into_owned();
        let parent = if parent.ends_with('/') { parent } else { format!("{parent}/") };
        assert_eq!(redis_absolute_path(b"../x.conf"), PathBuf::from(format!("{parent}x.conf")));
    }
}
