//! A raw RESP client over a plain TcpStream: it returns the exact bytes of each reply, so tests can compare
//! servers byte for byte, and it never hangs (every read has a deadline).

use redis_protocol::{resp2, resp3};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long a reply may take before the test fails instead of hanging.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// A decoded reply, in the protocol the connection was speaking.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Resp2(resp2::types::OwnedFrame),
    Resp3(resp3::types::OwnedFrame),
}

#[derive(Debug)]
pub enum ReadError {
    /// The server closed the connection (EOF or reset) before a complete reply; `partial` is what came.
    Closed {
        partial: Vec<u8>,
    },
    /// No complete reply before the deadline; the bytes stay buffered in the connection.
    TimedOut {
        partial: Vec<u8>,
    },
    /// The bytes are not valid RESP.
    Malformed {
        bytes: Vec<u8>,
        error: String,
    },
    Io(std::io::Error),
}

pub struct Conn {
    stream: TcpStream,
    addr: SocketAddr,
    /// Bytes read but not yet returned (a pipelined reply may arrive with the previous one).
    buf: Vec<u8>,
    /// Which decoder frames replies; switched by a successful HELLO, reset by RESET.
    resp3: bool,
}

impl Conn {
    pub fn connect(addr: SocketAddr) -> Conn {
        Conn::try_connect(addr).unwrap_or_else(|err| panic!("connect to {addr}: {err}"))
    }

    pub fn try_connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, REPLY_TIMEOUT)?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
        Ok(Conn { stream, addr, buf: Vec::new(), resp3: false })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_resp3(&self) -> bool {
        self.resp3
    }

    /// For replies read after a raw HELLO, which `cmd` cannot see.
    pub fn set_resp3(&mut self, resp3: bool) {
        self.resp3 = resp3;
    }

    /// Sends one command as a RESP multibulk.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        self.try_send(args).unwrap_or_else(|err| panic!("send to {}: {err}", self.addr));
    }

    pub fn try_send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> std::io::Result<()> {
        self.try_send_raw(&encode_command(args))
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.try_send_raw(bytes).unwrap_or_else(|err| panic!("send to {}: {err}", self.addr));
    }

    pub fn try_send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The exact bytes of the next complete reply; panics if none comes within `REPLY_TIMEOUT`.
    pub fn read_reply_bytes(&mut self) -> Vec<u8> {
        self.try_read_reply_bytes(REPLY_TIMEOUT)
            .unwrap_or_else(|err| panic!("reading a reply from {}: {}", self.addr, describe(&err)))
    }

    pub fn try_read_reply_bytes(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            match complete_reply_len(&self.buf, self.resp3) {
                Ok(Some(len)) => return Ok(self.buf.drain(..len).collect()),
                Ok(None) => {}
                Err(error) => return Err(ReadError::Malformed { bytes: std::mem::take(&mut self.buf), error }),
            }
            self.fill(deadline)?;
        }
    }

    /// The next reply, decoded. Panics on the RESP3 replies redis-protocol cannot represent (a set holding
    /// aggregates, as in COMMAND INFO): read those with `read_reply_bytes`.
    pub fn read_reply(&mut self) -> Frame {
        let bytes = self.read_reply_bytes();
        decode(&bytes, self.resp3)
    }

    /// Sends a command and returns the raw bytes of its reply.
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Vec<u8> {
        self.try_cmd(args, REPLY_TIMEOUT).unwrap_or_else(|err| panic!("command to {}: {}", self.addr, describe(&err)))
    }

    /// `cmd` without panicking; also follows the protocol switches of HELLO and RESET.
    pub fn try_cmd<A: AsRef<[u8]>>(&mut self, args: &[A], timeout: Duration) -> Result<Vec<u8>, ReadError> {
        self.try_send(args).map_err(io_error)?;
        let before = self.resp3;
        // HELLO's own reply already uses the protocol it asks for.
        if let Some(resp3) = hello_protocol(args) {
            self.resp3 = resp3;
        }
        let reply = self.try_read_reply_bytes(timeout)?;
        if is_error(&reply) {
            self.resp3 = before;
        } else if is_command(args, "RESET") {
            self.resp3 = false;
        }
        Ok(reply)
    }

    /// Reads once more from the socket into `buf`, within the deadline.
    fn fill(&mut self, deadline: Instant) -> Result<(), ReadError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ReadError::TimedOut { partial: self.buf.clone() });
        }
        self.stream.set_read_timeout(Some(remaining)).map_err(ReadError::Io)?;
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(ReadError::Closed { partial: std::mem::take(&mut self.buf) }),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(ReadError::TimedOut { partial: self.buf.clone() })
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => Ok(()),
            Err(err) => Err(io_error(err)),
        }
    }
}

/// A reset or broken pipe means the server closed the connection: report it as such, not as an I/O failure.
fn io_error(err: std::io::Error) -> ReadError {
    match err.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            ReadError::Closed { partial: Vec::new() }
        }
        _ => ReadError::Io(err),
    }
}

pub fn describe(err: &ReadError) -> String {
    match err {
        ReadError::Closed { partial } => format!("connection closed (after {:?})", partial.escape_ascii().to_string()),
        ReadError::TimedOut { partial } => {
            format!("no complete reply in time (got {:?})", partial.escape_ascii().to_string())
        }
        ReadError::Malformed { bytes, error } => {
            format!("malformed reply {:?}: {error}", bytes.escape_ascii().to_string())
        }
        ReadError::Io(err) => format!("I/O error: {err}"),
    }
}

/// Encodes a command the way clients do: a multibulk of bulk strings.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        let arg = arg.as_ref();
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The length of the first complete reply in `buf`, None if it is still incomplete.
pub fn complete_reply_len(buf: &[u8], resp3: bool) -> Result<Option<usize>, String> {
    if !resp3 {
        return resp2::decode::decode_range(buf).map(|found| found.map(|(_, len)| len)).map_err(|err| err.to_string());
    }
    match resp3::decode::complete::decode_range(buf) {
        Ok(found) => Ok(found.map(|(_, len)| len)),
        // redis-protocol refuses some valid replies: a set holding aggregates (COMMAND INFO's key specs; its
        // sets must be hashable), and RESP2's `$-1` / `*-1` nulls (read as streamed types).
        Err(_) => scan_reply(buf, 0),
    }
}

/// Finds where the RESP2/RESP3 reply starting at `pos` ends, without building it.
fn scan_reply(buf: &[u8], pos: usize) -> Result<Option<usize>, String> {
    let Some(line_len) = buf.get(pos..).and_then(|rest| rest.windows(2).position(|pair| pair == b"\r\n")) else {
        return Ok(None);
    };
    let (kind, head, next) = (buf[pos], &buf[pos + 1..pos + line_len], pos + line_len + 2);
    let number = || -> Result<i64, String> {
        let text = std::str::from_utf8(head).map_err(|err| err.to_string())?;
        text.parse().map_err(|_| format!("bad length {text:?}"))
    };
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(Some(next)),
        b'$' | b'!' | b'=' => {
            let end = next + usize::try_from(number()?).map_or(0, |len| len + 2);
            Ok((buf.len() >= end).then_some(end))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let count = number()?.max(0);
            let elements = if matches!(kind, b'%' | b'|') { count * 2 } else { count };
            let mut end = next;
            for _ in 0..elements {
                match scan_reply(buf, end)? {
                    Some(element_end) => end = element_end,
                    None => return Ok(None),
                }
            }
            // An attribute map is followed by the reply it describes.
            if kind == b'|' {
                return scan_reply(buf, end);
            }
            Ok(Some(end))
        }
        other => Err(format!("invalid reply type {:?}", other as char)),
    }
}

fn decode(bytes: &[u8], resp3: bool) -> Frame {
    let shown = bytes.escape_ascii().to_string();
    if resp3 {
        if let Ok(Some((frame, _))) = resp3::decode::complete::decode(bytes) {
            return Frame::Resp3(frame);
        }
        // Otherwise a RESP2 null, or a reply redis-protocol cannot represent (panics below).
    }
    match resp2::decode::decode(bytes) {
        Ok(Some((frame, _))) => Frame::Resp2(frame),
        Ok(None) => panic!("incomplete reply {shown:?}"),
        Err(err) => panic!("redis-protocol cannot decode reply {shown:?}: {err}"),
    }
}

fn is_error(reply: &[u8]) -> bool {
    matches!(reply.first(), Some(b'-' | b'!'))
}

fn is_command<A: AsRef<[u8]>>(args: &[A], name: &str) -> bool {
    args.first().is_some_and(|arg| arg.as_ref().eq_ignore_ascii_case(name.as_bytes()))
}

/// The protocol a HELLO asks for: Some(true) for `HELLO 3`, Some(false) for `HELLO 2`.
fn hello_protocol<A: AsRef<[u8]>>(args: &[A]) -> Option<bool> {
    if !is_command(args, "HELLO") {
        return None;
    }
    match args.get(1).map(|version| version.as_ref()) {
        Some(b"3") => Some(true),
        Some(b"2") => Some(false),
        _ => None,
    }
}

/// The bulk strings of a RESP2 reply, in order, at any depth.
pub fn bulks(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut lines = text.split("\r\n");
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        if line.starts_with('$') && line != "$-1" {
            out.push(lines.next().unwrap_or_default().to_string());
        }
    }
    out
}
