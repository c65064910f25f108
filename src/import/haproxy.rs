//! `import haproxy FILE`: a spec from an HAProxy configuration, in the `listen` layout
//! impala-lbgen writes and in the `frontend` + `backend` layout of older recipes (Impala's and
//! Cloudera's documented samples).
//!
//! Each proxy that forwards to impalad becomes a service (by its name, else its servers' port,
//! else its own port), its `server` lines the daemons, and `balance`, the check timings, the
//! timeouts, TLS (`ssl crt` on a bind, `ssl ... ca-file` on servers) and the statistics page
//! what they say. Whatever else the file holds is compared with what impala-lbgen writes for
//! the imported spec: a line that is not there becomes a [`Note`].

use std::collections::{BTreeMap, BTreeSet};

use super::{Doc, Imported, Map, Note, Val};
use crate::diagnostics::Source;
use crate::error::Error;
use crate::plan::{self, Plan};
use crate::spec::model::{Balance, ServiceKind};
use crate::targets;
use crate::validate::Scope;

/// What `import haproxy` is told besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The cluster's name; default: the one in impala-lbgen's header comment, else `impala`.
    pub cluster: Option<String>,
    /// The name clients use for the proxy (`haproxy.public_name`, and `tls.domain` when HAProxy
    /// terminates TLS); default: the one in impala-lbgen's header comment.
    pub public_name: Option<String>,
    /// Where the configuration came from, for the header comment.
    pub source_name: String,
}

/// One directive: its line number and words (quotes and backslashes removed).
#[derive(Debug, Clone)]
struct Line {
    no: usize,
    words: Vec<String>,
}

impl Line {
    fn text(&self) -> String {
        self.words.join(" ")
    }

    fn is(&self, first: &str) -> bool {
        self.words.first().is_some_and(|w| w == first)
    }

    fn is2(&self, first: &str, second: &str) -> bool {
        self.is(first) && self.words.get(1).is_some_and(|w| w == second)
    }
}

#[derive(Debug, Clone)]
struct Section {
    /// `global`, `defaults`, `listen`, `frontend`, `backend`, or another section keyword.
    kind: String,
    name: Option<String>,
    no: usize,
    lines: Vec<Line>,
}

impl Section {
    fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {n}", self.kind),
            None => self.kind.clone(),
        }
    }

    fn find(&self, first: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.is(first))
    }
}

/// The section keywords of HAProxy 2.4 to 3.x; a line starting with one opens a section.
const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "listen",
    "frontend",
    "backend",
    "resolvers",
    "peers",
    "userlist",
    "program",
    "mailers",
    "cache",
    "ring",
    "http-errors",
    "crt-store",
    "traces",
    "log-forward",
    "fcgi-app",
];

/// What the header comment impala-lbgen writes says.
#[derive(Debug, Default)]
struct Header {
    cluster: Option<String>,
    public_name: Option<String>,
    passthrough: bool,
    /// `Run this same file on every HAProxy node (A, B):`: keepalived's nodes.
    ha_nodes: Vec<String>,
    /// `keepalived gives the virtual IP V to one ...`.
    virtual_ip: Option<String>,
}

/// Splits the text into sections; conditional blocks (`.if`, `.alert`, ...) are read through,
/// each `.if` returned with its line for the caller to judge.
fn parse(text: &str, notes: &mut Vec<Note>) -> (Header, Vec<Section>, Vec<Line>) {
    let mut header = Header::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut conditions = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if sections.is_empty() {
                read_header(comment.trim(), &mut header);
            }
            continue;
        }
        let mut lexer = shlex::Shlex::new(trimmed);
        let words: Vec<String> = lexer.by_ref().collect();
        if lexer.had_error {
            notes.push(Note::new(
                "",
                format!("line {no} has an unbalanced quote and was not read: {trimmed}"),
            ));
            continue;
        }
        if words.is_empty() {
            continue;
        }
        let line = Line { no, words };
        if line.words[0].starts_with('.') {
            if line.is(".if") || line.is(".elif") {
                conditions.push(line);
            }
            continue;
        }
        if SECTIONS.contains(&line.words[0].as_str()) {
            sections.push(Section {
                kind: line.words[0].clone(),
                name: line.words.get(1).cloned(),
                no,
                lines: Vec::new(),
            });
            // `listen NAME ADDR:PORT`: the old form with the address on the section line.
            if line.words.len() > 2 {
                let section = sections.last_mut().unwrap();
                let mut bind = vec!["bind".to_string()];
                bind.extend(line.words[2..].iter().cloned());
                section.lines.push(Line { no, words: bind });
            }
            continue;
        }
        match sections.last_mut() {
            Some(s) => s.lines.push(line),
            None => notes.push(Note::new(
                "",
                format!("line {no} is outside any section and was not read: {trimmed}"),
            )),
        }
    }
    (header, sections, conditions)
}

/// The header impala-lbgen writes: `HAProxy in front of the Impala daemons of cluster NAME.`,
/// `Clients connect to HOST;`, `TLS passthrough:`.
fn read_header(comment: &str, header: &mut Header) {
    if let Some(rest) = comment.strip_prefix("HAProxy in front of the Impala daemons of cluster ") {
        header.cluster = rest.strip_suffix('.').map(str::to_string);
    } else if let Some(rest) = comment.strip_prefix("Clients connect to ") {
        header.public_name = rest.split(';').next().map(str::to_string);
    } else if comment.starts_with("TLS passthrough:") {
        header.passthrough = true;
    } else if let Some(rest) = comment.strip_prefix("Run this same file on every HAProxy node (") {
        if let Some(list) = rest.strip_suffix("):") {
            header.ha_nodes = list.split(", ").map(str::to_string).collect();
        }
    } else if let Some(rest) = comment.strip_prefix("keepalived gives the virtual IP ") {
        header.virtual_ip = rest.split(' ').next().map(str::to_string);
    }
}

/// An HAProxy time (`5000` is milliseconds, `5s`, `1m`, `1h`, `1d`, `100ms`) in whole seconds,
/// rounded up; `None` when it is not a time.
fn seconds(text: &str) -> Option<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let n: u64 = text[..split].parse().ok()?;
    let micros: u64 = match &text[split..] {
        "" | "ms" => 1_000,
        "us" => 1,
        "s" => 1_000_000,
        "m" => 60_000_000,
        "h" => 3_600_000_000,
        "d" => 86_400_000_000,
        _ => return None,
    };
    Some((n.checked_mul(micros)?).div_ceil(1_000_000))
}

/// Seconds as a spec duration: `2h`, `5m` or `30s`.
fn duration(s: u64) -> Val {
    let text = if s > 0 && s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s > 0 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    };
    Val::str(&text)
}

/// `ADDR:PORT` of a bind or server: the address (brackets removed) and port.
fn address(text: &str) -> Option<(String, u16)> {
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some((host.to_string(), port))
}

#[derive(Debug, Clone, Default)]
struct Server {
    no: usize,
    name: String,
    host: String,
    port: u16,
    check: bool,
    check_port: Option<u16>,
    inter: Option<u64>,
    fall: Option<u64>,
    rise: Option<u64>,
    ssl: bool,
    verify_none: bool,
    ca_file: Option<String>,
    verifyhost: Option<String>,
    backup: bool,
    /// `on-marked-down ACTION`.
    on_marked_down: Option<String>,
    /// `resolvers NAME` and `init-addr METHODS`.
    resolvers: Option<String>,
    init_addr: Option<String>,
}

/// One proxy forwarding to impalad: a `listen`, or a `frontend` with its `default_backend`.
#[derive(Debug, Clone)]
struct Proxy {
    /// `listen NAME`, or `frontend NAME` + `backend NAME`.
    label: String,
    name: String,
    /// The lines of the listen, or of the frontend then the backend.
    lines: Vec<Line>,
    binds: Vec<(String, u16, Vec<String>)>,
    servers: Vec<Server>,
}

impl Proxy {
    fn find(&self, first: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.is(first))
    }
}

/// The impalad port of each service, and the name words that suggest it.
fn kind_by_port(port: u16) -> Option<ServiceKind> {
    ServiceKind::ALL
        .into_iter()
        .find(|k| k.default_port() == port)
}

fn kind_by_name(name: &str) -> Option<ServiceKind> {
    let n = name.to_ascii_lowercase();
    if let Some(k) = ServiceKind::ALL
        .into_iter()
        .find(|k| n == k.key() || n == k.slug())
    {
        return Some(k);
    }
    if n.contains("http") {
        Some(ServiceKind::Hs2Http)
    } else if n.contains("jdbc") || n.contains("hs2") || n.contains("odbc") {
        Some(ServiceKind::Hs2)
    } else if n.contains("shell") || n.contains("beeswax") {
        Some(ServiceKind::Beeswax)
    } else {
        None
    }
}

/// Reads `server NAME ADDR:PORT [options]`.
fn server(line: &Line, defaults: &Server, at: &str, notes: &mut Vec<Note>) -> Option<Server> {
    let w = &line.words;
    let (Some(name), Some(addr)) = (w.get(1), w.get(2)) else {
        notes.push(Note::new(
            at,
            format!(
                "line {}: a server line without name and address: {}",
                line.no,
                line.text()
            ),
        ));
        return None;
    };
    let Some((host, port)) = address(addr) else {
        notes.push(Note::new(at, format!("line {}: server {name} has no port in {addr:?}; impala-lbgen sends each service to impalad's port for it", line.no)));
        return None;
    };
    let mut s = Server {
        no: line.no,
        name: name.clone(),
        host,
        port,
        ..defaults.clone()
    };
    let mut i = 3;
    let mut ignored = Vec::new();
    while i < w.len() {
        let value = w.get(i + 1);
        let number = || value.and_then(|v| v.parse::<u64>().ok());
        match w[i].as_str() {
            "check" => s.check = true,
            "ssl" => s.ssl = true,
            "port" => {
                s.check_port = value.and_then(|v| v.parse().ok());
                i += 1;
            }
            "inter" => {
                s.inter = value.and_then(|v| seconds(v));
                i += 1;
            }
            "fall" => {
                s.fall = number();
                i += 1;
            }
            "rise" => {
                s.rise = number();
                i += 1;
            }
            "verify" => {
                s.verify_none = value.is_some_and(|v| v == "none");
                i += 1;
            }
            "ca-file" => {
                s.ca_file = value.cloned();
                i += 1;
            }
            "verifyhost" => {
                s.verifyhost = value.cloned();
                i += 1;
            }
            "backup" => s.backup = true,
            "on-marked-down" => {
                s.on_marked_down = value.cloned();
                i += 1;
            }
            "resolvers" => {
                s.resolvers = value.cloned();
                i += 1;
            }
            "init-addr" => {
                s.init_addr = value.cloned();
                i += 1;
            }
            "disabled" | "no-check" | "send-proxy" | "send-proxy-v2" | "check-ssl" => {
                ignored.push(w[i].clone())
            }
            other => {
                // `keyword value` options: report both words.
                match value {
                    Some(v) if !is_flag(other) => {
                        ignored.push(format!("{other} {v}"));
                        i += 1;
                    }
                    _ => ignored.push(other.to_string()),
                }
            }
        }
        i += 1;
    }
    if !ignored.is_empty() {
        notes.push(Note::new(
            at,
            format!(
                "line {}: server {} {}: {} not carried over (impala-lbgen writes each server the same way)",
                line.no,
                s.name,
                addr,
                ignored.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Some(s)
}

/// Server options that take no value.
fn is_flag(word: &str) -> bool {
    matches!(
        word,
        "agent-check"
            | "allow-0rtt"
            | "check-send-proxy"
            | "no-backup"
            | "no-send-proxy"
            | "no-ssl"
            | "no-tls-tickets"
            | "no-verifyhost"
            | "resolve-net"
            | "tfo"
            | "ws"
    )
}

/// Reads `default-server` options (the check timings) into a server template.
fn default_server(line: &Line, into: &mut Server, at: &str, notes: &mut Vec<Note>) {
    let mut words = vec![
        "server".to_string(),
        "default".to_string(),
        "x:1".to_string(),
    ];
    words.extend(line.words[1..].iter().cloned());
    if let Some(s) = server(&Line { no: line.no, words }, into, at, notes) {
        *into = Server {
            no: 0,
            name: String::new(),
            host: String::new(),
            port: 0,
            ..s
        };
    }
}

/// The service a TCP check without `health_check.service` connects to, for these services
/// ([`plan::health_check_service`]).
fn default_check_service(kinds: &[ServiceKind]) -> Option<ServiceKind> {
    (!kinds.is_empty()).then(|| plan::health_check_service(&bare_spec(kinds)))
}

/// The directives the importer reads itself; every other one is compared with what
/// impala-lbgen writes. Of a statistics page, only its address and user are read.
fn interpreted(line: &Line, stats: bool) -> bool {
    let w: Vec<&str> = line.words.iter().map(String::as_str).collect();
    if stats {
        return matches!(w.as_slice(), ["bind", ..] | ["stats", "auth", ..]);
    }
    matches!(
        w.as_slice(),
        ["bind", ..]
            | ["server", ..]
            | ["default-server", ..]
            | ["balance", ..]
            | ["hash-type", ..]
            | ["timeout", "client" | "server" | "check" | "connect", ..]
            | ["option", "httpchk", ..]
            | ["http-check", "expect", ..]
            | ["default_backend", ..]
            | ["use_backend", ..]
            | ["stick-table", ..]
            | ["stick", ..]
            | ["mode", "tcp"]
            | ["maxconn", ..]
    )
}

/// Imports the configuration `text`.
pub fn import(text: &str, options: &Options) -> Result<Imported, Error> {
    let mut notes = Vec::new();
    let (header, sections, conditions) = parse(text, &mut notes);
    let cluster = options
        .cluster
        .clone()
        .or(header.cluster.clone())
        .unwrap_or_else(|| "impala".to_string());
    let public_name = options.public_name.clone().or(header.public_name.clone());

    let global = sections.iter().find(|s| s.kind == "global");
    let all_defaults: Vec<&Section> = sections.iter().filter(|s| s.kind == "defaults").collect();
    if all_defaults.len() > 1 {
        notes.push(Note::new(
            "haproxy",
            format!(
                "{} defaults sections: only the first one's settings were read (line {})",
                all_defaults.len(),
                all_defaults[0].no
            ),
        ));
    }
    let defaults = all_defaults.first().copied();

    // The proxies: listens, and frontends joined with their default backend.
    let backends: BTreeMap<&str, &Section> = sections
        .iter()
        .filter(|s| s.kind == "backend")
        .filter_map(|s| Some((s.name.as_deref()?, s)))
        .collect();
    let mut used_backends = BTreeSet::new();
    let mut proxies = Vec::new();
    let mut stats_sections: Vec<&Section> = Vec::new();
    for s in &sections {
        let name = s.name.clone().unwrap_or_default();
        let is_stats = s
            .lines
            .iter()
            .any(|l| l.is2("stats", "enable") || l.is2("stats", "uri"));
        match s.kind.as_str() {
            "listen" | "frontend" if is_stats => stats_sections.push(s),
            "listen" => proxies.push(Proxy {
                label: s.label(),
                name,
                lines: s.lines.clone(),
                binds: Vec::new(),
                servers: Vec::new(),
            }),
            "frontend" => {
                for l in s.lines.iter().filter(|l| l.is("use_backend")) {
                    notes.push(Note::new(
                        "",
                        format!(
                            "line {}: frontend {name}: `{}` picks a backend by a rule; impala-lbgen sends each port to one set of daemons, so only default_backend was read",
                            l.no,
                            l.text()
                        ),
                    ));
                }
                let target = s.find("default_backend").and_then(|l| l.words.get(1));
                match target.and_then(|t| backends.get(t.as_str()).map(|b| (t, b))) {
                    Some((t, b)) => {
                        used_backends.insert(t.clone());
                        let mut lines = s.lines.clone();
                        lines.extend(b.lines.iter().cloned());
                        proxies.push(Proxy {
                            label: format!("frontend {name} + backend {t}"),
                            name,
                            lines,
                            binds: Vec::new(),
                            servers: Vec::new(),
                        });
                    }
                    None => notes.push(Note::new(
                        "",
                        format!(
                            "line {}: frontend {name} has no default_backend defined in this file, so it was not imported",
                            s.no
                        ),
                    )),
                }
            }
            "backend" | "global" | "defaults" | "resolvers" | "userlist" => {}
            other => notes.push(Note::new(
                "haproxy",
                format!(
                    "line {}: the {other} section{} is not carried over: impala-lbgen writes none",
                    s.no,
                    s.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
                ),
            )),
        }
    }
    for (name, b) in &backends {
        if !used_backends.contains(*name) {
            notes.push(Note::new(
                "",
                format!(
                    "line {}: backend {name} is no frontend's default_backend, so it was not imported",
                    b.no
                ),
            ));
        }
    }

    // Binds and servers of each proxy; a default-server line sets the check timings.
    let mut server_defaults = Server::default();
    if let Some(l) = defaults.and_then(|d| d.find("default-server")) {
        default_server(l, &mut server_defaults, "health_check", &mut notes);
    }
    let mut services: Vec<(ServiceKind, Proxy)> = Vec::new();
    for mut proxy in proxies {
        let mut template = server_defaults.clone();
        if let Some(l) = proxy.find("default-server").cloned() {
            default_server(&l, &mut template, "health_check", &mut notes);
        }
        for l in &proxy.lines.clone() {
            if l.is("server") {
                if let Some(s) = server(l, &template, "daemons", &mut notes) {
                    proxy.servers.push(s);
                }
            } else if l.is("bind") {
                match l.words.get(1).and_then(|a| address(a)) {
                    Some((host, port)) => {
                        proxy.binds.push((host, port, l.words[2..].to_vec()));
                    }
                    None => notes.push(Note::new(
                        "",
                        format!(
                            "line {}: {}: `{}` is not an address:port impala-lbgen can listen on",
                            l.no,
                            proxy.label,
                            l.text()
                        ),
                    )),
                }
            }
        }
        if proxy.servers.is_empty() || proxy.binds.is_empty() {
            notes.push(Note::new(
                "",
                format!(
                    "{} has no {} and was not imported",
                    proxy.label,
                    if proxy.servers.is_empty() {
                        "server"
                    } else {
                        "bind"
                    }
                ),
            ));
            continue;
        }
        // Which Impala service: the proxy's name when it is a service's key, else the port
        // most of its servers use, else words in its name, else its own port.
        let mut ports: BTreeMap<u16, usize> = BTreeMap::new();
        for s in &proxy.servers {
            *ports.entry(s.port).or_default() += 1;
        }
        let server_port = ports.iter().max_by_key(|(_, n)| **n).map_or(0, |(p, _)| *p);
        let kind = ServiceKind::ALL
            .into_iter()
            .find(|k| proxy.name == k.key() || proxy.name == k.slug())
            .or_else(|| kind_by_port(server_port))
            .or_else(|| kind_by_name(&proxy.name))
            .or_else(|| kind_by_port(proxy.binds[0].1));
        match kind {
            Some(k) if services.iter().any(|(s, _)| *s == k) => {
                let first = services.iter().find(|(s, _)| *s == k).map(|(_, p)| p.label.clone());
                notes.push(Note::new(
                    "services",
                    format!(
                        "{} also forwards to the {k} service (as {}); a spec has one proxy per service, so it was not imported",
                        proxy.label,
                        first.unwrap_or_default()
                    ),
                ));
            }
            Some(k) => services.push((k, proxy)),
            None => notes.push(Note::new(
                "",
                format!(
                    "{} forwards to port {server_port}, which is no Impala service's (beeswax 21000, hs2 21050, hs2_http 28000), so it was not imported",
                    proxy.label
                ),
            )),
        }
    }
    if services.is_empty() {
        return Err(Error::Refused(
            "no proxy in this configuration forwards to impalad: a listen, or a frontend with a default_backend, with bind and server lines is needed".into(),
        ));
    }
    services.sort_by_key(|(k, _)| *k);
    let kinds: Vec<ServiceKind> = services.iter().map(|(k, _)| *k).collect();
    let at = |k: ServiceKind| format!("services.{}", k.key());

    // Services: the bind port, impalad's port when it differs; the bind address; TLS on binds.
    let mut services_map = Map::new();
    let mut bind_address: Option<String> = None;
    let mut certificate: Option<String> = None;
    for (kind, proxy) in &services {
        let (host, port, extra) = &proxy.binds[0];
        let host = if host.is_empty() {
            "*".to_string()
        } else {
            host.clone()
        };
        if proxy.binds.len() > 1 {
            notes.push(Note::new(
                &at(*kind),
                format!(
                    "{} listens on {} addresses; impala-lbgen listens on one port per service, so only {host}:{port} was imported",
                    proxy.label,
                    proxy.binds.len()
                ),
            ));
        }
        match &bind_address {
            None => bind_address = Some(host.clone()),
            Some(b) if *b != host => notes.push(Note::new(
                "haproxy.bind",
                format!(
                    "{} listens on {host}, the others on {b}: impala-lbgen listens on one address for every service",
                    proxy.label
                ),
            )),
            _ => {}
        }
        let mut rest = extra.clone();
        if let Some(i) = rest.iter().position(|w| w == "ssl") {
            rest.remove(i);
            if let Some(j) = rest.iter().position(|w| w == "crt") {
                rest.remove(j);
                if j < rest.len() {
                    certificate = Some(rest.remove(j));
                }
            }
            certificate.get_or_insert_with(|| plan::default_certificate_path(&cluster));
        }
        if !rest.is_empty() {
            notes.push(Note::new(
                &at(*kind),
                format!(
                    "{}: bind options `{}` not carried over",
                    proxy.label,
                    rest.join(" ")
                ),
            ));
        }
        let backend = proxy.servers[0].port;
        if proxy.servers.iter().any(|s| s.port != backend) {
            let list: Vec<String> = proxy.servers.iter().map(|s| s.port.to_string()).collect();
            notes.push(Note::new(
                &at(*kind),
                format!(
                    "{}: the servers use different ports ({}); impala-lbgen sends a service to one impalad port, {backend}",
                    proxy.label,
                    list.join(", ")
                ),
            ));
        }
        let mut service = Map::new();
        service.put("port", Val::int(*port));
        if backend != *port {
            service.put("backend_port", Val::int(backend));
        }
        services_map.put_commented(
            kind.key(),
            Val::Flow(service),
            &format!("from {}", proxy.label),
        );
        for l in proxy
            .lines
            .iter()
            .filter(|l| l.is("mode") && !l.is2("mode", "tcp"))
        {
            notes.push(Note::new(
                &at(*kind),
                format!(
                    "line {}: {}: `{}`; impala-lbgen proxies Impala in TCP mode (its protocols are Thrift over TCP)",
                    l.no,
                    proxy.label,
                    l.text()
                ),
            ));
        }
    }

    // Daemons: every server host, in the order they first appear.
    let mut hosts: Vec<String> = Vec::new();
    for (_, proxy) in &services {
        for s in &proxy.servers {
            if !hosts.contains(&s.host) {
                hosts.push(s.host.clone());
            }
        }
    }
    for (kind, proxy) in &services {
        let have: BTreeSet<&str> = proxy.servers.iter().map(|s| s.host.as_str()).collect();
        let missing: Vec<&str> = hosts
            .iter()
            .map(String::as_str)
            .filter(|h| !have.contains(h))
            .collect();
        if !missing.is_empty() {
            notes.push(Note::new(
                "daemons",
                format!(
                    "{} ({kind}) does not list {}; impala-lbgen sends every service to every daemon",
                    proxy.label,
                    missing.join(", ")
                ),
            ));
        }
        let unchecked: Vec<&str> = proxy
            .servers
            .iter()
            .filter(|s| !s.check)
            .map(|s| s.name.as_str())
            .collect();
        if !unchecked.is_empty() {
            notes.push(Note::new(
                "health_check",
                format!(
                    "{}: server {} without `check`; impala-lbgen checks every server, so a dead impalad is taken out",
                    proxy.label,
                    unchecked.join(", ")
                ),
            ));
        }
    }
    // A backup daemon: `backup` on its server lines.
    let backups: BTreeSet<&str> = services
        .iter()
        .flat_map(|(_, p)| &p.servers)
        .filter(|s| s.backup)
        .map(|s| s.host.as_str())
        .collect();
    for (kind, proxy) in &services {
        for s in proxy
            .servers
            .iter()
            .filter(|s| !s.backup && backups.contains(s.host.as_str()))
        {
            notes.push(Note::new(
                "daemons",
                format!(
                    "{} is a backup server elsewhere but an active one for {kind} (line {}); a daemon is a backup for every service or none, so it is a backup",
                    s.host, s.no
                ),
            ));
        }
    }
    let daemons: Vec<Val> = hosts
        .iter()
        .map(|h| {
            let mut m = Map::new();
            m.put("host", Val::str(h));
            if backups.contains(h.as_str()) {
                m.put("backup", Val::Scalar("true".into()));
            }
            Val::Map(m)
        })
        .collect();

    // The health check: timings from default-server or the servers; the port each server is
    // checked on; HTTP or TCP.
    let all_servers: Vec<&Server> = services.iter().flat_map(|(_, p)| &p.servers).collect();
    let mut one = |f: fn(&Server) -> Option<u64>, what: &str| -> Option<u64> {
        let values: BTreeSet<u64> = all_servers.iter().filter_map(|s| f(s)).collect();
        if values.len() > 1 {
            let list: Vec<String> = values.iter().map(u64::to_string).collect();
            notes.push(Note::new(
                "health_check",
                format!(
                    "the servers' {what} differ ({}); a spec has one health check, so the smallest was imported",
                    list.join(", ")
                ),
            ));
        }
        values.first().copied()
    };
    let inter = one(|s| s.inter, "check intervals (inter, seconds)");
    let fall = one(|s| s.fall, "fall counts");
    let rise = one(|s| s.rise, "rise counts");

    // A setting of a proxy (the last one), else of the defaults.
    let setting = |pred: &dyn Fn(&Line) -> bool| -> Option<Line> {
        services
            .iter()
            .find_map(|(_, p)| p.lines.iter().rev().find(|l| pred(l)).cloned())
            .or_else(|| defaults.and_then(|d| d.lines.iter().rev().find(|l| pred(l)).cloned()))
    };
    let timeout = |what: &str| -> Option<(u64, usize)> {
        let line = setting(&|l: &Line| l.is2("timeout", what))?;
        Some((seconds(line.words.get(2)?)?, line.no))
    };

    let mut health = Map::new();
    let httpchk = setting(&|l: &Line| l.is2("option", "httpchk"));
    let effective: BTreeSet<u16> = all_servers
        .iter()
        .map(|s| s.check_port.unwrap_or(s.port))
        .collect();
    if let Some(l) = &httpchk {
        let rest: Vec<&str> = l.words[2..].iter().map(String::as_str).collect();
        let path = match rest.as_slice() {
            [] => "/".to_string(),
            [uri] => uri.to_string(),
            [method, uri, ..] => {
                if *method != "GET" {
                    notes.push(Note::new(
                        "health_check.http",
                        format!(
                            "line {}: the check uses {method}; impala-lbgen's HTTP check is a GET",
                            l.no
                        ),
                    ));
                }
                uri.to_string()
            }
        };
        if effective.len() > 1 {
            let list: Vec<String> = effective.iter().map(u16::to_string).collect();
            notes.push(Note::new(
                "health_check.http",
                format!(
                    "the HTTP check asks ports {}; a spec checks one, the first",
                    list.join(", ")
                ),
            ));
        }
        let mut http = Map::new();
        http.put("port", Val::int(effective.first().copied().unwrap_or(0)));
        http.put("path", Val::str(&path));
        health.put("http", Val::Flow(http));
    } else {
        // A TCP check on port P is a check of the service whose impalad port is P.
        let backend_of = |k: ServiceKind| {
            services
                .iter()
                .find(|(s, _)| *s == k)
                .map(|(_, p)| p.servers[0].port)
        };
        let checked = match effective.len() {
            1 => kinds
                .iter()
                .copied()
                .find(|k| backend_of(*k) == effective.first().copied()),
            _ => None,
        };
        if checked.is_none() {
            let list: Vec<String> = effective.iter().map(u16::to_string).collect();
            let why = if effective.len() > 1 {
                "each service's servers are checked on their own port"
            } else {
                "the servers are checked on a port that is no service's impalad port"
            };
            notes.push(Note::new(
                "health_check",
                format!(
                    "{why} ({}); impala-lbgen checks one service's impalad port for every service (a daemon down on one port is down on all), here {}",
                    list.join(", "),
                    default_check_service(&kinds).map_or("", |k| k.key())
                ),
            ));
        }
        if let Some(k) = checked.filter(|k| Some(*k) != default_check_service(&kinds)) {
            health.put("service", Val::str(k.key()));
        }
    }
    for (_, p) in &services {
        for l in p.lines.iter().filter(|l| l.is2("http-check", "expect")) {
            if l.words[2..] != ["status", "200"] {
                notes.push(Note::new(
                    "health_check.http",
                    format!(
                        "line {}: `{}`: impala-lbgen's HTTP check expects status 200",
                        l.no,
                        l.text()
                    ),
                ));
            }
        }
    }
    if let Some(s) = inter {
        health.put("interval", duration(s));
    }
    if let Some((s, _)) = timeout("check") {
        health.put("timeout", duration(s));
    }
    if let Some(n) = rise {
        health.put(
            "healthy_threshold",
            Val::int(i64::try_from(n).unwrap_or(i64::MAX)),
        );
    }
    if let Some(n) = fall {
        health.put(
            "unhealthy_threshold",
            Val::int(i64::try_from(n).unwrap_or(i64::MAX)),
        );
    }
    // on-marked-down shutdown-sessions: a daemon marked DOWN loses its open sessions.
    let marked_down: BTreeSet<&str> = all_servers
        .iter()
        .filter_map(|s| s.on_marked_down.as_deref())
        .collect();
    for other in marked_down.iter().filter(|a| **a != "shutdown-sessions") {
        notes.push(Note::new(
            "health_check.unhealthy_connection_termination",
            format!("on-marked-down {other}: impala-lbgen closes a DOWN daemon's sessions (shutdown-sessions) or leaves them"),
        ));
    }
    if marked_down.contains("shutdown-sessions") {
        if all_servers.iter().any(|s| s.on_marked_down.is_none()) {
            notes.push(Note::new(
                "health_check.unhealthy_connection_termination",
                "only some servers close their sessions when marked DOWN; the spec does it for all",
            ));
        }
        health.put(
            "unhealthy_connection_termination",
            Val::Scalar("true".into()),
        );
    }

    // The idle timeout: `timeout client` and `timeout server`.
    let idle = match (timeout("client"), timeout("server")) {
        (Some((c, _)), Some((s, no))) if c != s => {
            notes.push(Note::new(
                "idle_timeout",
                format!(
                    "line {no}: timeout server is {s}s but timeout client is {c}s; impala-lbgen sets both to idle_timeout, imported as {}s",
                    c.max(s)
                ),
            ));
            Some(c.max(s))
        }
        (Some((c, _)), _) | (None, Some((c, _))) => Some(c),
        (None, None) => {
            notes.push(Note::new(
                "idle_timeout",
                "the configuration sets no client or server timeout (HAProxy then never closes an idle connection); impala-lbgen sets both to idle_timeout, 3600s unless you set it",
            ));
            None
        }
    };
    if let Some((c, no)) = timeout("connect") {
        if c != 5 {
            notes.push(Note::new(
                "haproxy",
                format!("line {no}: timeout connect {c}s; impala-lbgen writes 5s"),
            ));
        }
    }

    // TLS: `ssl crt` on the binds (offload), and `ssl` on the servers too (bridge).
    let servers_ssl = all_servers.iter().any(|s| s.ssl);
    if servers_ssl && !all_servers.iter().all(|s| s.ssl) {
        notes.push(Note::new(
            "tls",
            "only some servers speak TLS to impalad; a spec has one TLS mode for all",
        ));
    }
    if all_servers.iter().any(|s| s.verify_none) {
        notes.push(Note::new(
            "tls",
            "impalad's certificate is not verified (`verify none`); impala-lbgen verifies it against haproxy.ca_file (`verify required`)",
        ));
    }
    let mode = match (&certificate, servers_ssl) {
        (Some(_), true) => Some("bridge"),
        (Some(_), false) => Some("offload"),
        (None, true) => {
            notes.push(Note::new(
                "tls",
                "HAProxy speaks TLS to impalad but plain TCP to clients; impala-lbgen re-encrypts only TLS it terminates (mode bridge), so clients must speak TLS to HAProxy too",
            ));
            Some("bridge")
        }
        (None, false) if header.passthrough => Some("passthrough"),
        (None, false) => None,
    };
    let mut tls = Map::new();
    if let Some(mode) = mode {
        tls.put("mode", Val::str(mode));
        if mode != "passthrough" {
            match &public_name {
                Some(d) => {
                    tls.put("domain", Val::str(d));
                }
                None => {
                    notes.push(Note::new(
                        "tls.domain",
                        "the name clients use is not in the configuration, so tls.domain is a placeholder: set it (or import with --public-name)",
                    ));
                    tls.put("domain", Val::str("impala.invalid"));
                }
            }
        }
    }
    if mode == Some("bridge") {
        let verified: Vec<&Server> = all_servers
            .iter()
            .copied()
            .filter(|s| s.verifyhost.as_ref().is_some_and(|v| *v != s.host))
            .collect();
        for s in verified {
            notes.push(Note::new(
                "tls",
                format!(
                    "line {}: server {} is verified as {}; impala-lbgen verifies each impalad by its own host name",
                    s.no,
                    s.name,
                    s.verifyhost.clone().unwrap_or_default()
                ),
            ));
        }
    }

    // haproxy: bind, balance, stats, public name, maxconn, certificate and CA file.
    let mut haproxy = Map::new();
    if let Some(b) = bind_address.filter(|b| b != plan::DEFAULT_HAPROXY_BIND) {
        haproxy.put("bind", Val::str(&b));
    }
    let mut balance = Map::new();
    for (kind, proxy) in &services {
        let line = proxy
            .lines
            .iter()
            .rev()
            .find(|l| l.is("balance") && l.words.len() > 1)
            .or_else(|| {
                defaults.and_then(|d| {
                    d.lines
                        .iter()
                        .rev()
                        .find(|l| l.is("balance") && l.words.len() > 1)
                })
            });
        let sticky_table = proxy
            .lines
            .iter()
            .find(|l| l.is("stick-table") || l.is("stick"));
        let mut chosen = match line.map(|l| (l.words[1].as_str(), l.no)) {
            Some(("roundrobin", _)) | None => Balance::Roundrobin,
            Some(("leastconn", _)) => Balance::Leastconn,
            Some(("source", _)) => Balance::Source,
            Some((other, no)) => {
                notes.push(Note::new(
                    &format!("haproxy.balance.{}", kind.key()),
                    format!("line {no}: balance {other}; impala-lbgen balances with roundrobin, leastconn or source, so the default for {kind} was imported"),
                ));
                plan_default_balance(*kind)
            }
        };
        if let Some(l) = sticky_table {
            notes.push(Note::new(
                &format!("haproxy.balance.{}", kind.key()),
                format!(
                    "line {}: {}: a stick table keeps each client on one daemon; impala-lbgen does that with balance source (hash-type consistent)",
                    l.no, proxy.label
                ),
            ));
            chosen = Balance::Source;
        }
        if let Some(l) = proxy.lines.iter().find(|l| l.is("hash-type")) {
            if chosen != Balance::Source || l.words.get(1).is_none_or(|w| w != "consistent") {
                notes.push(Note::new(
                    &format!("haproxy.balance.{}", kind.key()),
                    format!("line {}: `{}` not carried over: impala-lbgen hashes consistently with balance source only", l.no, l.text()),
                ));
            }
        }
        if chosen != plan_default_balance(*kind) {
            balance.put(kind.key(), Val::str(chosen.key()));
        }
    }
    if !balance.is_empty() {
        haproxy.put("balance", Val::Flow(balance));
    }

    // The statistics page.
    let mut stats_env: Option<String> = None;
    if stats_sections.len() > 1 {
        notes.push(Note::new(
            "haproxy.stats",
            format!(
                "{} statistics pages; impala-lbgen serves one, so only {} was imported",
                stats_sections.len(),
                stats_sections[0].label()
            ),
        ));
    }
    if let Some(st) = stats_sections.first() {
        let mut stats = Map::new();
        let bind = st
            .find("bind")
            .and_then(|l| l.words.get(1))
            .and_then(|a| address(a));
        match bind {
            Some((host, port)) => {
                let host = if host.is_empty() {
                    "*".to_string()
                } else {
                    host
                };
                let text = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                if text != plan::DEFAULT_STATS_BIND {
                    stats.put("bind", Val::str(&text));
                }
            }
            None => notes.push(Note::new(
                "haproxy.stats",
                format!(
                    "{} has no bind address:port; impala-lbgen serves it on {}",
                    st.label(),
                    plan::DEFAULT_STATS_BIND
                ),
            )),
        }
        // `stats auth USER:PASSWORD`, or a userlist the page's `http_auth(LIST)` names, with
        // `user USER insecure-password PASSWORD`.
        let userlist = sections.iter().filter(|u| u.kind == "userlist").find(|u| {
            u.name.as_ref().is_some_and(|n| {
                st.lines.iter().any(|l| {
                    l.words
                        .iter()
                        .any(|w| w.contains(&format!("http_auth({n})")))
                })
            })
        });
        let auth_line = st
            .lines
            .iter()
            .find(|l| l.is2("stats", "auth"))
            .map(|l| (l.no, l.words.get(2).cloned().unwrap_or_default()))
            .or_else(|| {
                let l = userlist?.lines.iter().find(|l| l.is("user"))?;
                let password = l
                    .words
                    .iter()
                    .position(|w| w == "insecure-password" || w == "password")
                    .and_then(|i| l.words.get(i + 1))
                    .cloned()
                    .unwrap_or_default();
                Some((
                    l.no,
                    format!("{}:{password}", l.words.get(1).cloned().unwrap_or_default()),
                ))
            });
        match auth_line {
            Some((no, auth)) => {
                let l = Line { no, words: Vec::new() };
                let (user, password) = auth.split_once(':').unwrap_or((auth.as_str(), ""));
                if user != plan::DEFAULT_STATS_USER {
                    stats.put("user", Val::str(user));
                }
                let env = password
                    .strip_prefix("${")
                    .and_then(|p| p.strip_suffix('}'))
                    .or_else(|| password.strip_prefix('$'))
                    .filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                match env {
                    Some(e) => {
                        if e != plan::DEFAULT_STATS_PASSWORD_ENV {
                            stats.put("password_env", Val::str(e));
                        }
                        stats_env = Some(e.to_string());
                    }
                    None => notes.push(Note::new(
                        "haproxy.stats",
                        format!(
                            "line {}: the statistics password is written in the configuration; impala-lbgen reads it from ${} when HAProxy starts: set that variable",
                            l.no,
                            plan::DEFAULT_STATS_PASSWORD_ENV
                        ),
                    )),
                }
            }
            None => notes.push(Note::new(
                "haproxy.stats",
                format!("{} has no `stats auth` or user list: impala-lbgen protects the statistics page with a user and password", st.label()),
            )),
        }
        haproxy.put("stats", Val::Flow(stats));
    }
    for c in &conditions {
        let promex = c.words.get(1).is_some_and(|w| w == "feature(PROMEX)");
        let ours = promex
            || stats_env.as_ref().is_some_and(|e| {
                c.words
                    .get(1)
                    .is_some_and(|w| *w == format!("!defined({e})"))
            });
        if !ours {
            notes.push(Note::new(
                "haproxy",
                format!(
                    "line {}: `{}` is not evaluated: the lines it guards were read as if it held",
                    c.no,
                    c.text()
                ),
            ));
        }
    }
    if let Some(name) = &public_name {
        haproxy.put("public_name", Val::str(name));
    }
    let global_maxconn = global
        .and_then(|g| g.find("maxconn"))
        .and_then(|l| l.words.get(1)?.parse::<i64>().ok());
    if let Some(m) = global_maxconn.filter(|m| *m != i64::from(plan::DEFAULT_HAPROXY_MAXCONN)) {
        haproxy.put("maxconn", Val::int(m));
    }
    if let Some(l) = defaults.and_then(|d| d.find("maxconn")) {
        let value = l.words.get(1).and_then(|v| v.parse::<i64>().ok());
        let global = global_maxconn.unwrap_or(i64::from(plan::DEFAULT_HAPROXY_MAXCONN));
        if value != Some(global) {
            notes.push(Note::new(
                "haproxy.maxconn",
                format!("line {}: the defaults' maxconn differs from the global one ({global}); impala-lbgen writes one value for both", l.no),
            ));
        }
    }
    // The daemons' names resolved at run time: a resolvers section's nameservers (or
    // parse-resolv-conf, the default), named on the servers.
    let resolver_names: BTreeSet<&str> = all_servers
        .iter()
        .filter_map(|s| s.resolvers.as_deref())
        .collect();
    for r in sections.iter().filter(|s| s.kind == "resolvers") {
        if !r
            .name
            .as_deref()
            .is_some_and(|n| resolver_names.contains(n))
        {
            continue;
        }
        let mut servers = Vec::new();
        for l in r.lines.iter().filter(|l| l.is("nameserver")) {
            match l.words.get(2).and_then(|a| address(a)) {
                Some((ip, port)) if ip.parse::<std::net::IpAddr>().is_ok() => {
                    let v6 = ip.contains(':');
                    servers.push(match (v6, port) {
                        (_, 53) => ip,
                        (true, p) => format!("[{ip}]:{p}"),
                        (false, p) => format!("{ip}:{p}"),
                    });
                }
                _ => notes.push(Note::new(
                    "haproxy.nameservers",
                    format!(
                        "line {}: `{}`: a nameserver is an IP address and port",
                        l.no,
                        l.text()
                    ),
                )),
            }
        }
        if !servers.is_empty() {
            haproxy.put("nameservers", Val::strs(&servers));
        }
    }
    for a in all_servers
        .iter()
        .filter_map(|s| s.init_addr.as_deref())
        .collect::<BTreeSet<_>>()
    {
        if a != "last,libc,none" {
            notes.push(Note::new(
                "haproxy",
                format!("init-addr {a}: impala-lbgen starts a daemon whose name does not resolve without an address (init-addr last,libc,none)"),
            ));
        }
    }
    // Two or more HAProxy hosts sharing a virtual IP (keepalived): haproxy.cfg names the nodes
    // and the address, nothing of keepalived's own settings.
    if let (Some(vip), false) = (&header.virtual_ip, header.ha_nodes.is_empty()) {
        let v6 = vip.contains(':');
        let mut ha = Map::new();
        ha.put(
            "virtual_ip",
            Val::str(&format!("{vip}/{}", if v6 { 64 } else { 24 })),
        );
        ha.put("interface", Val::str("eth0"));
        ha.put("virtual_router_id", Val::int(51));
        let nodes = header
            .ha_nodes
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let mut n = Map::new();
                n.put("host", Val::str(host));
                if host.parse::<std::net::IpAddr>().is_err() {
                    // Documentation addresses (RFC 5737, RFC 3849): placeholders, never real.
                    let address = if v6 {
                        format!("2001:db8::ff:{}", i + 1)
                    } else {
                        format!("192.0.2.{}", i + 1)
                    };
                    n.put("address", Val::str(&address));
                }
                let priority = match i {
                    0..=2 => 150 - 50 * i as i64,
                    _ => (40 - 10 * (i as i64 - 3)).max(1),
                };
                n.put("priority", Val::int(priority));
                Val::Flow(n)
            })
            .collect();
        ha.put("nodes", Val::List(nodes));
        notes.push(Note::new(
            "haproxy.ha",
            "keepalived's settings are not in haproxy.cfg: the virtual IP's prefix length, the interface, virtual_router_id, the nodes' addresses (documentation addresses here) and priorities are placeholders; take them from each node's keepalived.conf",
        ));
        haproxy.put("ha", Val::Map(ha));
    }
    if let Some(c) = certificate.filter(|c| *c != plan::default_certificate_path(&cluster)) {
        haproxy.put("certificate", Val::str(&c));
    }
    let ca_files: BTreeSet<&str> = all_servers
        .iter()
        .filter_map(|s| s.ca_file.as_deref())
        .collect();
    if ca_files.len() > 1 {
        notes.push(Note::new(
            "haproxy.ca_file",
            "the servers name different CA files; impala-lbgen verifies every impalad against one",
        ));
    }
    if let Some(ca) = ca_files
        .first()
        .filter(|c| **c != plan::DEFAULT_HAPROXY_CA_FILE)
    {
        haproxy.put("ca_file", Val::str(ca));
    }

    // The spec, in the order of the README's fields.
    let mut doc = Doc {
        header: vec![
            format!("impala-lbgen spec imported from the HAProxy configuration {}.", options.source_name),
            "Check it with `impala-lbgen validate`; `impala-lbgen haproxy` writes the configuration from it.".into(),
        ],
        root: Map::new(),
    };
    let root = &mut doc.root;
    root.put("cluster", Val::str(&cluster));
    root.put("services", Val::Map(services_map));
    root.put("daemons", Val::List(daemons));
    if !health.is_empty() {
        root.put("health_check", Val::Map(health));
    }
    if let Some(s) = idle {
        root.put("idle_timeout", duration(s));
    }
    if !tls.is_empty() {
        root.put("tls", Val::Map(tls));
    }
    root.put("haproxy", Val::Map(haproxy));

    // Every other line: carried over when impala-lbgen writes it too, else a note.
    compare(&doc, &sections, &services, &stats_sections, &mut notes)?;
    Ok(Imported {
        text: doc.render(&notes),
        notes,
    })
}

fn plan_default_balance(kind: ServiceKind) -> Balance {
    plan::balance(&bare_spec(&[kind]), kind)
}

/// A spec with only these services (on impalad's ports), to ask the plan for its defaults.
fn bare_spec(kinds: &[ServiceKind]) -> crate::spec::model::Spec {
    let services: serde_json::Map<String, serde_json::Value> = kinds
        .iter()
        .map(|k| {
            (
                k.key().to_string(),
                serde_json::json!({"port": k.default_port()}),
            )
        })
        .collect();
    serde_json::from_value(serde_json::json!({"cluster": "x", "daemons": [], "services": services}))
        .expect("a spec of services only deserialises")
}

/// Renders haproxy.cfg for the imported spec and notes every directive of the input that the
/// importer did not read itself and that impala-lbgen does not write in the same section (or
/// in its defaults, which every proxy inherits).
fn compare(
    doc: &Doc,
    sections: &[Section],
    services: &[(ServiceKind, Proxy)],
    stats: &[&Section],
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    let source = Source {
        name: "<imported>".into(),
        text: doc.render(&[]),
    };
    // An imported spec that does not validate is reported by the caller, which loads the
    // written text again; there is no configuration to compare with then.
    let Ok(loaded) = crate::spec::load(source, Some(Scope::haproxy_target("haproxy"))) else {
        return Ok(());
    };
    let ours = targets::haproxy::render(&Plan::new(&loaded.spec))?;
    let mut scratch = Vec::new();
    let (_, written, _) = parse(&ours, &mut scratch);
    let lines_of = |label: &str| -> BTreeSet<String> {
        written
            .iter()
            .filter(|s| s.label() == label)
            .flat_map(|s| s.lines.iter().map(Line::text))
            .collect()
    };
    let our_defaults = lines_of("defaults");
    let mut check = |section: &Section, lines: &[Line], allowed: &BTreeSet<String>, path: &str| {
        let stats = path == "haproxy.stats";
        for l in lines {
            if interpreted(l, stats)
                || allowed.contains(&l.text())
                || our_defaults.contains(&l.text())
            {
                continue;
            }
            notes.push(Note::new(
                path,
                format!(
                    "line {}: `{}` ({}) is not carried over",
                    l.no,
                    l.text(),
                    section.label()
                ),
            ));
        }
    };
    let mut unused = Vec::new();
    for s in sections {
        match s.kind.as_str() {
            "global" => check(s, &s.lines, &lines_of("global"), "haproxy"),
            "defaults" => check(s, &s.lines, &our_defaults, "haproxy"),
            "userlist" => {
                let ours = lines_of(&s.label());
                let lines: Vec<Line> = s.lines.iter().filter(|l| !l.is("user")).cloned().collect();
                if ours.is_empty() {
                    unused.push(Note::new(
                        "haproxy.stats",
                        format!(
                            "line {}: the {} section is not carried over",
                            s.no,
                            s.label()
                        ),
                    ));
                } else {
                    check(s, &lines, &ours, "haproxy.stats");
                }
            }
            "resolvers" => {
                let ours = lines_of(&s.label());
                if ours.is_empty() {
                    unused.push(Note::new(
                        "haproxy",
                        format!("line {}: the {} section is not carried over: no server uses it, or the spec names no daemon by DNS", s.no, s.label()),
                    ));
                } else {
                    let lines: Vec<Line> = s
                        .lines
                        .iter()
                        .filter(|l| !l.is("nameserver"))
                        .cloned()
                        .collect();
                    check(s, &lines, &ours, "haproxy.nameservers");
                }
            }
            _ => {}
        }
    }
    for (kind, proxy) in services {
        let allowed = lines_of(&format!("listen {}", kind.key()));
        // The proxy's own section(s): a listen, or a frontend and its backend.
        let owner = sections
            .iter()
            .find(|s| {
                proxy
                    .lines
                    .first()
                    .is_some_and(|l| s.lines.first().is_some_and(|f| f.no == l.no))
            })
            .cloned()
            .unwrap_or(Section {
                kind: "listen".into(),
                name: Some(proxy.name.clone()),
                no: 0,
                lines: Vec::new(),
            });
        let label = Section {
            kind: proxy.label.clone(),
            name: None,
            ..owner
        };
        check(
            &label,
            &proxy.lines,
            &allowed,
            &format!("services.{}", kind.key()),
        );
    }
    if let Some(st) = stats.first() {
        check(st, &st.lines, &lines_of("listen stats"), "haproxy.stats");
    }
    notes.extend(unused);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haproxy_times_are_milliseconds_by_default() {
        assert_eq!(seconds("5000"), Some(5));
        assert_eq!(seconds("5s"), Some(5));
        assert_eq!(seconds("1500ms"), Some(2));
        assert_eq!(seconds("1h"), Some(3600));
        assert_eq!(seconds("2m"), Some(120));
        assert_eq!(seconds("1d"), Some(86400));
        assert_eq!(seconds("x"), None);
        assert_eq!(seconds("5 s"), None);
    }

    #[test]
    fn addresses() {
        assert_eq!(address("*:21000"), Some(("*".into(), 21000)));
        assert_eq!(address(":21000"), Some(("".into(), 21000)));
        assert_eq!(address("[::1]:25002"), Some(("::1".into(), 25002)));
        assert_eq!(address("impalad-1"), None);
        assert_eq!(address("host:0"), None);
    }
}
