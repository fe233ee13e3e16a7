//! Parsing of differential scripts: one command per line, split with redis-cli's quoting rules, optionally
//! preceded by markers that relax or change the comparison.
//!
//! ```text
//! # a comment
//! SET "a key" 'v\x00'          a command (redis-cli quoting; \xHH only inside double quotes)
//! ~ RANDOMKEY                  compare only the reply's shape (types and lengths), not its values
//! sorted KEYS *                sort array elements (and map entries) before comparing
//! mask(avg_ttl=) INFO keyspace replace the digits after `avg_ttl=` with `#` before comparing
//! !raw *1\r\n$4\r\nPING\r\n    send these bytes as they are (C escapes), then collect every reply
//!                              until the server goes quiet or closes the connection
//! !sleep 10                    wait 10 ms (for keys to expire)
//! !reconnect                   continue on a new connection (after a raw line left one half-way through
//!                              a request); a connection the server closed is reopened without it
//! ```

/// What to do with the line.
#[derive(Clone, Debug)]
pub enum Action {
    Command(Vec<Vec<u8>>),
    Raw(Vec<u8>),
    Reconnect,
    Sleep(std::time::Duration),
}

/// How to compare the replies.
#[derive(Clone, Debug, Default)]
pub struct Check {
    pub shape_only: bool,
    pub sorted: bool,
    /// Texts whose following digits are masked.
    pub masks: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Line {
    /// 1-based line number in the script text.
    pub number: usize,
    pub text: String,
    pub check: Check,
    pub action: Action,
}

/// Parses a whole script; blank lines and `#` comments are skipped. Panics on a malformed line: scripts are
/// test code.
pub fn parse_script(name: &str, script: &str) -> Vec<Line> {
    script
        .lines()
        .enumerate()
        .filter_map(|(index, text)| {
            parse_line(index + 1, text.trim())
                .unwrap_or_else(|err| panic!("script `{name}` line {}: {err}: {text}", index + 1))
        })
        .collect()
}

fn parse_line(number: usize, text: &str) -> Result<Option<Line>, String> {
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    let directive = |action| Ok(Some(Line { number, text: text.into(), check: Check::default(), action }));
    if text == "!reconnect" {
        return directive(Action::Reconnect);
    }
    if let Some(ms) = text.strip_prefix("!sleep ") {
        let ms = ms.trim().parse().map_err(|_| "!sleep takes milliseconds")?;
        return directive(Action::Sleep(std::time::Duration::from_millis(ms)));
    }
    let mut check = Check::default();
    let mut rest = text;
    loop {
        let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let after = after.trim_start();
        if word == "~" {
            check.shape_only = true;
        } else if word == "sorted" {
            check.sorted = true;
        } else if let Some(text) = word.strip_prefix("mask(").and_then(|w| w.strip_suffix(')')) {
            check.masks.push(text.to_string());
        } else if word == "!raw" {
            let action = Action::Raw(unescape(after)?);
            return Ok(Some(Line { number, text: text.to_string(), check, action }));
        } else {
            break;
        }
        rest = after;
    }
    let args = split_args(rest)?;
    if args.is_empty() {
        return Err("markers without a command".into());
    }
    Ok(Some(Line { number, text: text.to_string(), check, action: Action::Command(args) }))
}

/// Splits a line like redis-cli (sdssplitargs): whitespace separates arguments; "double quotes" take C
/// escapes and \xHH; 'single quotes' take only \'; a closing quote must end the argument.
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == bytes.len() {
            return Ok(args);
        }
        let mut arg = Vec::new();
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            match bytes[i] {
                b'"' => i = double_quoted(bytes, i + 1, &mut arg)?,
                b'\'' => i = single_quoted(bytes, i + 1, &mut arg)?,
                byte => {
                    arg.push(byte);
                    i += 1;
                }
            }
        }
        args.push(arg);
    }
}

/// Reads a double-quoted part starting after its opening quote; returns the index after the closing quote.
fn double_quoted(bytes: &[u8], mut i: usize, arg: &mut Vec<u8>) -> Result<usize, String> {
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return closing_quote(bytes, i + 1),
            b'\\' if i + 1 < bytes.len() => {
                let (byte, used) = escape(&bytes[i + 1..]);
                arg.push(byte);
                i += 1 + used;
            }
            byte => {
                arg.push(byte);
                i += 1;
            }
        }
    }
    Err("unbalanced double quote".into())
}

fn single_quoted(bytes: &[u8], mut i: usize, arg: &mut Vec<u8>) -> Result<usize, String> {
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => return closing_quote(bytes, i + 1),
            b'\\' if bytes.get(i + 1) == Some(&b'\'') => {
                arg.push(b'\'');
                i += 2;
            }
            byte => {
                arg.push(byte);
                i += 1;
            }
        }
    }
    Err("unbalanced single quote".into())
}

fn closing_quote(bytes: &[u8], after: usize) -> Result<usize, String> {
    match bytes.get(after) {
        None => Ok(after),
        Some(byte) if byte.is_ascii_whitespace() => Ok(after),
        Some(_) => Err("closing quote must be followed by a space".into()),
    }
}

/// Decodes the escape after a backslash: returns the byte and how many input bytes it used.
fn escape(after_backslash: &[u8]) -> (u8, usize) {
    if let [b'x', high, low, ..] = after_backslash {
        if let (Some(high), Some(low)) = (hex_digit(*high), hex_digit(*low)) {
            return (high * 16 + low, 3);
        }
    }
    let byte = match after_backslash[0] {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    };
    (byte, 1)
}

fn hex_digit(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

/// The payload of a `!raw` line: everything literal except backslash escapes.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if i + 1 == bytes.len() {
                return Err("dangling backslash".into());
            }
            let (byte, used) = escape(&bytes[i + 1..]);
            out.push(byte);
            i += 1 + used;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[test]
fn split_args_follows_redis_cli_quoting() {
    let args = split_args(r#"SET "a b" 'c d' "\x00\n" 'it\'s' plain"#).unwrap();
    let expected: Vec<&[u8]> = vec![b"SET", b"a b", b"c d", b"\x00\n", b"it's", b"plain"];
    assert_eq!(args, expected);
    assert!(split_args(r#"GET "unbalanced"#).is_err());
    assert!(split_args(r#"GET "a"b"#).is_err());
}

#[test]
fn markers_are_leading_words() {
    let line = parse_line(1, "sorted ~ mask(x=) KEYS *").unwrap().unwrap();
    assert!(line.check.sorted && line.check.shape_only);
    assert_eq!(line.check.masks, ["x="]);
    let raw = parse_line(2, r"!raw *1\r\n$4\r\nPING\r\n").unwrap().unwrap();
    assert!(matches!(raw.action, Action::Raw(bytes) if bytes == b"*1\r\n$4\r\nPING\r\n"));
}
