//! Listening sockets: TCP on every `bind` address (IPv6 ones with IPV6_V6ONLY, `-` prefixed ones optional, as
//! Redis), and the unix socket. Bound synchronously by the caller's thread so errors surface from `start()`.

use crate::config::Config;
use crate::error::Error;
use socket2::{Domain, Protocol, Socket, Type};
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

pub struct Bound {
    pub tcp: Vec<std::net::TcpListener>,
    pub unix: Option<(std::os::unix::net::UnixListener, PathBuf)>,
    /// The port actually bound (the kernel's choice with `port_auto`; 0 without TCP).
    pub port: u16,
}

/// Redis's default `bind * -::*`; `bind ""` listens on no TCP address at all.
fn addresses(config: &Config) -> Vec<String> {
    if config.bind_none {
        Vec::new()
    } else if config.bind.is_empty() {
        vec!["*".into(), "-::*".into()]
    } else {
        config.bind.clone()
    }
}

fn parse_ip(addr: &str) -> Result<IpAddr, Error> {
    match addr {
        "*" => Ok(IpAddr::from([0, 0, 0, 0])),
        "::*" => Ok(IpAddr::from([0u16; 8])),
        "localhost" => Ok(IpAddr::from([127, 0, 0, 1])),
        _ => addr.parse().map_err(|_| Error::Config(format!("Invalid bind address '{addr}'"))),
    }
}

fn listen(ip: IpAddr, port: u16) -> std::io::Result<std::net::TcpListener> {
    let addr = SocketAddr::new(ip, port);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if ip.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    // Redis's default tcp-backlog.
    socket.listen(511)?;
    Ok(socket.into())
}

pub fn bind(config: &Config) -> Result<Bound, Error> {
    let (tcp, port) = bind_tcp(config)?;
    let unix = bind_unix(config)?;
    Ok(Bound { tcp, unix, port })
}

/// The TCP listeners of `bind` and `port` (at startup, and when CONFIG SET changes either), and the port bound.
pub fn bind_tcp(config: &Config) -> Result<(Vec<std::net::TcpListener>, u16), Error> {
    let mut port = config.port;
    let mut tcp = Vec::new();
    if port == 0 && !config.port_auto {
        // Redis's `port 0`: no TCP at all (a unix-socket-only server).
        return Ok((tcp, 0));
    }
    for addr in addresses(config) {
        let (optional, addr) = match addr.strip_prefix('-') {
            Some(a) => (true, a.to_string()),
            None => (false, addr),
        };
        match parse_ip(&addr).and_then(|ip| listen(ip, port).map_err(Error::from)) {
            Ok(l) => {
                // With port 0, every address shares the port the first one was given.
                port = l.local_addr()?.port();
                tcp.push(l);
            }
            Err(_) if optional => {}
            Err(e) => {
                return Err(Error::Config(format!("Could not create server TCP listening socket {addr}:{port}: {e}")))
            }
        }
    }
    Ok((tcp, port))
}

fn bind_unix(config: &Config) -> Result<Option<(std::os::unix::net::UnixListener, PathBuf)>, Error> {
    let unix = match &config.unixsocket {
        None => None,
        Some(path) => {
            let _ = std::fs::remove_file(path);
            let l = std::os::unix::net::UnixListener::bind(path)?;
            l.set_nonblocking(true)?;
            if config.unixsocketperm != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.unixsocketperm))?;
            }
            Some((l, path.clone()))
        }
    };
    Ok(unix)
}
