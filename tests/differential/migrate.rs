//! MIGRATE against redis-server 7.0.15: the same steps run with redis-server and with embedis as the source,
//! each into a redis-server target of its own; every reply and both targets' keyspaces must match. Then the
//! path a user outgrowing one node takes: `redis-cli --cluster import` from embedis into a real Redis Cluster.

use super::keyspace_dump::{assert_same, dump, dump_expire_times};
use crate::support::{self, Conn, RedisServer, ServerOptions};
use std::net::SocketAddr;
use std::process::Command;

const TTL_SLACK_MS: i64 = 2000;

/// The steps, run on `source` with `target` (a redis-server with requirepass "pw") and `closed` (a port
/// nothing listens on). Returns every reply.
fn steps(source: &mut Conn, target: SocketAddr, closed: u16) -> Vec<String> {
    let (host, port) = (target.ip().to_string(), target.port().to_string());
    let closed = closed.to_string();
    let h = host.as_str();
    let scripts: Vec<Vec<&str>> = vec![
        vec!["SET", "a", "1"],
        vec!["HSET", "h", "f", "v", "g", "w"],
        vec!["SET", "t", "x", "PX", "100000"],
        vec!["SADD", "s", "1", "2", "3"],
        vec!["ZADD", "z", "1", "m"],
        // Without AUTH the target refuses (NOAUTH), and the keys stay.
        vec!["MIGRATE", h, &port, "a", "0", "1000"],
        vec!["MIGRATE", h, &port, "a", "0", "1000", "AUTH", "wrong"],
        vec!["MIGRATE", h, &port, "a", "0", "1000", "AUTH2", "default", "wrong"],
        vec!["MIGRATE", h, &port, "a", "0", "1000", "AUTH", "pw"],
        vec!["EXISTS", "a"],
        vec!["SET", "a", "2"],
        vec!["MIGRATE", h, &port, "a", "0", "1000", "AUTH", "pw"],
        vec!["MIGRATE", h, &port, "a", "0", "1000", "REPLACE", "AUTH", "pw"],
        vec!["MIGRATE", h, &port, "t", "0", "1000", "COPY", "AUTH2", "default", "pw"],
        vec!["EXISTS", "t"],
        vec!["MIGRATE", h, &port, "", "1", "5000", "COPY", "REPLACE", "AUTH", "pw", "KEYS", "h", "s", "nope", "z"],
        vec!["MIGRATE", h, &port, "", "1", "5000", "AUTH", "pw", "KEYS", "nope", "nada"],
        vec!["MIGRATE", h, &port, "nope", "0", "1000", "AUTH", "pw"],
        vec!["MIGRATE", h, &port, "h", "0", "1000", "AUTH", "pw", "KEYS", "s"],
        vec!["MIGRATE", h, &port, "h", "0", "1000", "BOGUS"],
        vec!["MIGRATE", h, &port, "h", "0", "1000", "AUTH"],
        vec!["MIGRATE", h, &port, "h", "0", "1000", "AUTH2", "x"],
        vec!["MIGRATE", h, &port, "h", "zero", "1000"],
        vec!["MIGRATE", h, &port, "h", "0", "soon"],
        vec!["MIGRATE", h, &closed, "h", "0", "200"],
        vec!["MIGRATE", h, &port, "h", "0", "0", "AUTH", "pw"],
        vec!["EXISTS", "h", "s", "z"],
        vec!["COMMAND", "GETKEYS", "MIGRATE", h, &port, "", "0", "1", "AUTH2", "u", "p", "KEYS", "k1", "k2"],
        vec!["COMMAND", "GETKEYS", "MIGRATE", h, &port, "k", "0", "1", "COPY"],
    ];
    scripts.iter().map(|args| String::from_utf8_lossy(&source.cmd(args)).into_owned()).collect()
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn migrate_replies_and_results_match_redis() {
    let protected = ServerOptions { requirepass: Some("pw".into()) };
    let Some(redis) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let (t1, t2) = (RedisServer::start_with(&protected).unwrap(), RedisServer::start_with(&protected).unwrap());
    let closed = closed_port();
    let theirs = steps(&mut Conn::connect(redis.addr()), t1.addr(), closed);
    let ours = steps(&mut Conn::connect(embedis.addr()), t2.addr(), closed);
    for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(o, t, "step {i}");
    }
    let target = |addr| {
        let mut c = Conn::connect(addr);
        c.cmd(&["AUTH", "pw"]);
        dump(&mut c, 2)
    };
    assert_same("the targets", &target(t1.addr()), &target(t2.addr()), TTL_SLACK_MS);
    assert_same(
        "the sources",
        &dump(&mut Conn::connect(redis.addr()), 2),
        &dump(&mut Conn::connect(embedis.addr()), 2),
        TTL_SLACK_MS,
    );
    let cached = crate::support::info_u64(&mut Conn::connect(embedis.addr()), "stats", "migrate_cached_sockets");
    assert_eq!(cached, 1, "one cached connection to the target");
}

/// A free port whose cluster bus port (for `cluster-port`) is free too.
fn cluster_ports() -> (u16, u16) {
    (crate::support::restartable_port(), crate::support::restartable_port())
}

#[test]
fn redis_cli_cluster_import_moves_an_embedis_dataset_into_a_redis_cluster() {
    if Command::new("redis-server").arg("--version").output().is_err() {
        assert!(!support::in_ci(), "redis-server is required in CI");
        eprintln!("skipped: redis-server not installed");
        return;
    }
    let mut nodes = Vec::new();
    for _ in 0..3 {
        let (_, bus) = cluster_ports();
        let bus = bus.to_string();
        let args = [("cluster-enabled", "yes"), ("cluster-config-file", "nodes.conf"), ("cluster-port", &bus)];
        nodes.push(RedisServer::start_with_args(&ServerOptions::default(), &args).expect("a cluster node"));
    }
    let addrs: Vec<String> = nodes.iter().map(|n| n.addr().to_string()).collect();
    let created = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&addrs)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .output()
        .expect("redis-cli runs");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stdout));
    for n in &nodes {
        let mut c = Conn::connect(n.addr());
        support::eventually("the cluster is ok", || {
            String::from_utf8_lossy(&c.cmd(&["CLUSTER", "INFO"])).contains("cluster_state:ok")
        });
    }

    // 10,000 keys of every type, a third with TTLs.
    let embedis = support::start_embedis();
    let mut e = Conn::connect(embedis.addr());
    for i in 0..10_000 {
        let key = format!("key:{i}");
        let reply = match i % 4 {
            0 => e.cmd(&["SET", &key, &format!("value {i}")]),
            1 => e.cmd(&["HSET", &key, "f", &i.to_string(), "g", "x"]),
            2 => e.cmd(&["SADD", &key, "a", &i.to_string()]),
            _ => e.cmd(&["ZADD", &key, &i.to_string(), "m", "1.5", "n"]),
        };
        assert!(!reply.starts_with(b"-"));
        if i % 3 == 0 {
            e.cmd(&["EXPIRE", &key, "100000"]);
        }
    }
    let imported = Command::new("redis-cli")
        .args(["--cluster", "import", &addrs[0], "--cluster-from", &embedis.addr().to_string(), "--cluster-copy"])
        .output()
        .expect("redis-cli runs");
    let out = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{out}\n{}", String::from_utf8_lossy(&imported.stderr));
    assert!(!out.contains("ERR") && !out.contains("IOERR"), "{out}");
    // Expiry times compared as absolute times: reading 10,000 keys takes a while.
    let want = dump_expire_times(&mut e, 1);
    assert_eq!(want.len(), 10_000, "COPY leaves the source whole");
    let mut got = super::keyspace_dump::Dump::new();
    for n in &nodes {
        got.extend(dump_expire_times(&mut Conn::connect(n.addr()), 1));
    }
    assert_eq!(got.len(), 10_000);
    assert_same("the cluster after the import", &want, &got, TTL_SLACK_MS);
}
