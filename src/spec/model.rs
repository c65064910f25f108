//! The spec as the user wrote it: serde types, nothing resolved.
//!
//! Optional fields stay optional here; defaults are applied in [`crate::plan`]. Unknown fields
//! are not denied by serde: the JSON Schema reports them (with a location and a suggestion), and
//! keeping serde lenient lets the semantic rules still run and report everything at once.
//!
//! Integers are `i64` so that any integer the YAML holds deserialises; ranges are checked by the
//! schema and the semantic rules, which can say where and why.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One Impala cluster's load balancer.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Spec {
    pub cluster: String,
    #[serde(default)]
    pub services: Option<BTreeMap<ServiceKind, ServiceSpec>>,
    pub daemons: Vec<DaemonSpec>,
    #[serde(default)]
    pub health_check: Option<HealthCheckSpec>,
    #[serde(default)]
    pub idle_timeout: Option<Duration>,
    /// How long a draining daemon keeps its open connections.
    #[serde(default)]
    pub drain_timeout: Option<Duration>,
    #[serde(default)]
    pub tls: Option<TlsSpec>,
    #[serde(default)]
    pub kerberos: Option<KerberosSpec>,
    #[serde(default)]
    pub aws: Option<AwsSpec>,
    #[serde(default)]
    pub haproxy: Option<HaproxySpec>,
}

/// A client-facing Impala service. The declaration order is the order every output uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// impala-shell's legacy Beeswax protocol (impalad `--beeswax_port`, 21000).
    Beeswax,
    /// HiveServer2 over binary Thrift (impalad `--hs2_port`, 21050): JDBC/ODBC, Hue, impala-shell 4.
    Hs2,
    /// HiveServer2 over HTTP (impalad `--hs2_http_port`, 28000).
    Hs2Http,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 3] =
        [ServiceKind::Beeswax, ServiceKind::Hs2, ServiceKind::Hs2Http];

    /// The spec's key for the service (`beeswax`, `hs2`, `hs2_http`).
    pub fn key(self) -> &'static str {
        match self {
            ServiceKind::Beeswax => "beeswax",
            ServiceKind::Hs2 => "hs2",
            ServiceKind::Hs2Http => "hs2_http",
        }
    }

    /// The key with `-` instead of `_`, for names that allow only letters, digits and hyphens.
    pub fn slug(self) -> &'static str {
        match self {
            ServiceKind::Beeswax => "beeswax",
            ServiceKind::Hs2 => "hs2",
            ServiceKind::Hs2Http => "hs2-http",
        }
    }

    /// What a human calls it.
    pub fn title(self) -> &'static str {
        match self {
            ServiceKind::Beeswax => "Beeswax (impala-shell)",
            ServiceKind::Hs2 => "HiveServer2 (JDBC/ODBC, Hue)",
            ServiceKind::Hs2Http => "HiveServer2 over HTTP",
        }
    }

    /// impalad's default port for the service.
    pub fn default_port(self) -> u16 {
        match self {
            ServiceKind::Beeswax => 21000,
            ServiceKind::Hs2 => 21050,
            ServiceKind::Hs2Http => 28000,
        }
    }

    pub fn from_key(key: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ServiceSpec {
    /// The balancer's port.
    pub port: i64,
    /// impalad's port; default: `port`.
    #[serde(default)]
    pub backend_port: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DaemonSpec {
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Used only when every active daemon is down (HAProxy `backup`).
    #[serde(default)]
    pub backup: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct HealthCheckSpec {
    #[serde(default)]
    pub service: Option<ServiceKind>,
    #[serde(default)]
    pub http: Option<HttpCheckSpec>,
    #[serde(default)]
    pub interval: Option<Duration>,
    #[serde(default)]
    pub timeout: Option<Duration>,
    #[serde(default)]
    pub healthy_threshold: Option<i64>,
    #[serde(default)]
    pub unhealthy_threshold: Option<i64>,
    /// Close every open connection to a daemon when it is marked unhealthy.
    #[serde(default)]
    pub unhealthy_connection_termination: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HttpCheckSpec {
    pub port: i64,
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// The balancer terminates TLS and speaks plain TCP to impalad.
    Offload,
    /// The balancer terminates TLS and opens a new TLS connection to impalad.
    Bridge,
    /// The balancer forwards TCP; impalad terminates TLS with its own certificate.
    Passthrough,
}

impl TlsMode {
    pub fn key(self) -> &'static str {
        match self {
            TlsMode::Offload => "offload",
            TlsMode::Bridge => "bridge",
            TlsMode::Passthrough => "passthrough",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TlsSpec {
    pub mode: TlsMode,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub subject_alternative_names: Option<Vec<String>>,
    #[serde(default)]
    pub hosted_zone_id: Option<String>,
    #[serde(default)]
    pub certificate_arn: Option<String>,
    #[serde(default)]
    pub policy: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct KerberosSpec {
    pub realm: String,
    /// The merged keytab (the balancer's principal and the host's) on each impalad host.
    #[serde(default)]
    pub keytab: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancerKind {
    /// The Classic Load Balancer of the AWS walk-through.
    Classic,
    /// A Network Load Balancer (ELBv2).
    Network,
}

impl LoadBalancerKind {
    pub fn key(self) -> &'static str {
        match self {
            LoadBalancerKind::Classic => "classic",
            LoadBalancerKind::Network => "network",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Scheme {
    #[serde(rename = "internal")]
    Internal,
    #[serde(rename = "internet-facing")]
    InternetFacing,
}

impl Scheme {
    pub fn key(self) -> &'static str {
        match self {
            Scheme::Internal => "internal",
            Scheme::InternetFacing => "internet-facing",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct AwsSpec {
    pub region: String,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub load_balancer: Option<LoadBalancerKind>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub scheme: Option<Scheme>,
    /// `ipv4` or `dualstack` (an NLB with IPv6 addresses too); default `ipv4`.
    #[serde(default)]
    pub ip_address_type: Option<IpAddressType>,
    pub client_cidrs: Vec<String>,
    #[serde(default)]
    pub access_logs: Option<AccessLogsSpec>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub alarms: Option<AlarmsSpec>,
}

/// The IP addresses an AWS balancer has, and so which clients can reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IpAddressType {
    /// IPv4 only.
    Ipv4,
    /// IPv4 and IPv6 (an NLB whose subnets have IPv6 CIDR blocks).
    Dualstack,
}

impl IpAddressType {
    pub fn key(self) -> &'static str {
        match self {
            IpAddressType::Ipv4 => "ipv4",
            IpAddressType::Dualstack => "dualstack",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct AccessLogsSpec {
    pub bucket: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub interval: Option<Duration>,
    /// Create the bucket, with the policy the balancer needs; default: it exists.
    #[serde(default)]
    pub create_bucket: Option<bool>,
    /// Days a log object is kept in a created bucket (a lifecycle rule); default: forever.
    #[serde(default)]
    pub retention_days: Option<i64>,
}

/// CloudWatch alarms on the balancer's healthy and unhealthy daemons.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct AlarmsSpec {
    /// How long at least one daemon must fail its health check before the alarm.
    #[serde(default)]
    pub unhealthy_for: Option<Duration>,
    /// Fewer healthy daemons than this raise the other alarm; default 1 (none left).
    #[serde(default)]
    pub min_healthy: Option<i64>,
    /// Where the alarms notify (alarm and OK); default: no actions.
    #[serde(default)]
    pub sns_topic_arn: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Balance {
    Roundrobin,
    Leastconn,
    Source,
}

impl Balance {
    pub fn key(self) -> &'static str {
        match self {
            Balance::Roundrobin => "roundrobin",
            Balance::Leastconn => "leastconn",
            Balance::Source => "source",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct HaproxySpec {
    #[serde(default)]
    pub bind: Option<String>,
    #[serde(default)]
    pub ports: Option<BTreeMap<ServiceKind, i64>>,
    #[serde(default)]
    pub balance: Option<BTreeMap<ServiceKind, Balance>>,
    #[serde(default)]
    pub stats: Option<StatsSpec>,
    #[serde(default)]
    pub public_name: Option<String>,
    #[serde(default)]
    pub maxconn: Option<i64>,
    /// PEM file (certificate chain and key) for TLS offload and bridge.
    #[serde(default)]
    pub certificate: Option<String>,
    /// CA bundle that verifies impalad's certificate in bridge mode.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// DNS servers that resolve the daemons' names at run time (`address` or `address:port`);
    /// default: those of /etc/resolv.conf.
    #[serde(default)]
    pub nameservers: Option<Vec<String>>,
    /// Two or more HAProxy hosts sharing a virtual IP address (keepalived, VRRP).
    #[serde(default)]
    pub ha: Option<HaSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HaSpec {
    /// The address clients reach, with its prefix length: `10.0.0.10/24`.
    pub virtual_ip: String,
    /// The network interface the virtual IP lives on, on every node.
    pub interface: String,
    /// The VRRP router ID, 1 to 255, unique on the network segment.
    pub virtual_router_id: i64,
    pub nodes: Vec<HaNodeSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HaNodeSpec {
    /// The HAProxy host: its DNS name or IP address.
    pub host: String,
    /// Its IP address on `interface`, for the VRRP peers; default `host` when that is one.
    #[serde(default)]
    pub address: Option<String>,
    /// VRRP priority, 1 to 254: the highest starts as master.
    pub priority: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct StatsSpec {
    #[serde(default)]
    pub bind: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
}

/// A duration as written: `30s`, `5m`, `1h`, or an integer number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    seconds: u64,
}

impl Duration {
    pub const fn from_secs(seconds: u64) -> Duration {
        Duration { seconds }
    }

    pub fn as_secs(self) -> u64 {
        self.seconds
    }

    /// Parses `30s`, `5m`, `1h` or `45` (seconds).
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => (&t[..i], t[i..].trim()),
            None => (t, ""),
        };
        let scale = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return Err(format!("unknown unit {unit:?}: use s, m or h")),
        };
        if digits.is_empty() {
            return Err("a duration starts with a number".to_string());
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| "the number is too large".to_string())?;
        n.checked_mul(scale)
            .filter(|s| *s <= u32::MAX as u64)
            .map(Duration::from_secs)
            .ok_or_else(|| "the duration is too large".to_string())
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.seconds)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 30s, 5m, 1h, or an integer number of seconds")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                if v > u32::MAX as u64 {
                    return Err(E::custom("the duration is too large"));
                }
                Ok(Duration::from_secs(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("a duration cannot be negative"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(|e| E::custom(format!("{v:?} is not a duration: {e}")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(Duration::parse("30s").unwrap().as_secs(), 30);
        assert_eq!(Duration::parse("5m").unwrap().as_secs(), 300);
        assert_eq!(Duration::parse("1h").unwrap().as_secs(), 3600);
        assert_eq!(Duration::parse("45").unwrap().as_secs(), 45);
        assert!(Duration::parse("5 minutes").is_err());
        assert!(Duration::parse("m").is_err());
        assert!(Duration::parse("99999999999999999999999h").is_err());
        assert!(Duration::parse("9999999999h").is_err());
    }
}
