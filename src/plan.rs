//! Spec → Plan: the one place where meaning is decided.
//!
//! Defaults are applied, names derived, listeners and security-group rules laid out, and the
//! balance algorithm chosen per service. Every target formats a [`Plan`] and decides nothing of
//! its own, so the outputs cannot disagree. A plan is built only from a spec that passed
//! validation for the target at hand; building it never fails and never panics.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::spec::model::*;
use crate::validate::limits::{
    ALARM_PERIOD_SECS, CLASSIC_DEFAULT_TLS_POLICY, ELB_LOG_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL,
    LB_NAME_MAX, NLB_DEFAULT_TLS_POLICY, NLB_LOG_DELIVERY_PRINCIPAL,
};
use crate::validate::syntax;

/// The resolved balancer, in the order every output lists things.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    pub cluster: String,
    pub services: Vec<Service>,
    pub daemons: Vec<Daemon>,
    pub health_check: HealthCheck,
    /// Seconds an idle client connection stays open.
    pub idle_timeout: u64,
    /// How a daemon is taken out of rotation for maintenance and put back (`drain.sh`).
    pub drain: Drain,
    pub tls: Option<Tls>,
    pub kerberos: Option<Kerberos>,
    /// Present when the spec has an `aws` section.
    pub aws: Option<Aws>,
    /// Always present: HAProxy has working defaults.
    pub haproxy: Haproxy,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Service {
    pub kind: ServiceKind,
    /// `beeswax`, `hs2`, `hs2_http`.
    pub key: &'static str,
    /// `beeswax`, `hs2`, `hs2-http`: for names that allow only letters, digits and `-`.
    pub slug: &'static str,
    pub title: &'static str,
    /// The balancer's port.
    pub port: u16,
    /// impalad's port.
    pub backend_port: u16,
    /// Clients need every connection on one daemon (Hue keeps HiveServer2 sessions open).
    pub sticky: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Daemon {
    /// 1-based position in the spec.
    pub number: usize,
    pub host: Option<String>,
    pub instance_id: Option<String>,
    /// A name for the daemon in generated files: its host (`:` of IPv6 as `-`), else its
    /// instance ID, else `impalad-<number>`.
    pub name: String,
    /// A backup coordinator: HAProxy uses it only while no active daemon is up.
    pub backup: bool,
}

impl Daemon {
    /// The daemon's host is a DNS name (not an IP address): HAProxy resolves it.
    pub fn resolves(&self) -> bool {
        self.host
            .as_deref()
            .is_some_and(|h| h.parse::<std::net::IpAddr>().is_err())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HealthCheck {
    pub check: Check,
    /// The port checked on each daemon.
    pub port: u16,
    pub interval: u64,
    pub timeout: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    /// Close a daemon's open connections once it is marked unhealthy (NLB
    /// `target_health_state.unhealthy.connection_termination.enabled`, HAProxy
    /// `on-marked-down shutdown-sessions`). Off by default: Impala's queries and Hue's
    /// sessions live long, and one slow `/healthz` answer must not end them all.
    pub unhealthy_connection_termination: bool,
}

/// Taking a daemon out of rotation for maintenance and putting it back: what `drain.sh` does
/// and how long it waits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Drain {
    /// `drain_timeout`: seconds a draining daemon keeps its open connections. The Classic
    /// ELB's connection draining timeout, the NLB's deregistration delay (and unhealthy
    /// draining interval), and how long `drain.sh drain` waits for HAProxy's connections to
    /// the daemon to end.
    pub timeout: u64,
    /// Seconds `drain.sh drain` waits for AWS to finish deregistering: the drain timeout and a
    /// minute for AWS to report it.
    pub aws_wait: u64,
    /// Seconds `drain.sh enable` waits for the daemon to pass its health checks again:
    /// `healthy_threshold + 1` intervals and a minute.
    pub enable_wait: u64,
    /// The balancers in front of the daemons, in the order `drain.sh` works on them: the AWS
    /// balancer when the spec has an `aws` section, HAProxy when it has a `haproxy` section or
    /// no `aws` section (the outputs `generate` writes).
    pub balancers: Vec<Frontend>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Check {
    /// A TCP connect to a service's backend port.
    Tcp { service: ServiceKind },
    /// An HTTP GET to impalad's web server; healthy on 200.
    Http { path: String },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tls {
    pub mode: TlsMode,
    /// `tls.domain`: the name the certificate is for (a leading `*.` allowed).
    pub domain: Option<String>,
    /// `tls.subject_alternative_names`, as written.
    pub subject_alternative_names: Vec<String>,
    pub certificate: Certificate,
    /// Route 53 zone for validation records and the alias record.
    pub hosted_zone_id: Option<String>,
    /// The policy as written; see [`Aws::tls_policy`] for the effective one.
    pub policy: Option<String>,
}

impl Tls {
    /// The first name of the certificate that is one host, not a wildcard: `tls.domain`, else
    /// the first such subject alternative name. Clients use it (a wildcard names no host, and
    /// the balancer's own DNS name is on no certificate).
    pub fn host_name(&self) -> Option<&str> {
        host_name(self.domain.as_ref(), &self.subject_alternative_names)
    }

    /// The balancer terminates client TLS (offload or bridge).
    pub fn terminates(&self) -> bool {
        self.mode != TlsMode::Passthrough
    }

    /// The balancer opens TLS to impalad (bridge).
    pub fn reencrypts(&self) -> bool {
        self.mode == TlsMode::Bridge
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Certificate {
    /// Passthrough: the balancer holds no certificate.
    None,
    /// `tls.certificate_arn`.
    Existing { arn: String },
    /// Request an ACM certificate for `domain` with DNS validation.
    Request {
        domain: String,
        subject_alternative_names: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Kerberos {
    pub realm: String,
    /// `kerberos.keytab`: the merged keytab on each impalad host (`--keytab_file`).
    pub keytab: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Aws {
    pub region: String,
    /// The region's AWS partition (`aws`, `aws-cn`, `aws-us-gov`), for ARNs.
    pub partition: &'static str,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub kind: LoadBalancerKind,
    /// `aws.name`, default `elb-impala-<cluster>`.
    pub name: String,
    pub scheme: Scheme,
    pub internal: bool,
    /// `ipv4`, or `dualstack` (an NLB only; validation refuses it on a Classic ELB).
    pub ip_address_type: IpAddressType,
    pub client_cidrs: Vec<CidrBlock>,
    pub access_logs: Option<AccessLogs>,
    /// Sorted by key.
    pub tags: Vec<Tag>,
    pub frontend_group: Group,
    pub backend_group: Group,
    pub listeners: Vec<Listener>,
    /// The TLS security policy of listeners that terminate TLS.
    pub tls_policy: Option<String>,
    /// Seconds a deregistering daemon keeps its connections (Classic connection draining,
    /// ELBv2 `deregistration_delay`): the spec's `drain_timeout`.
    pub connection_draining: u64,
    /// NLB target group attributes, each written out rather than left to AWS's default.
    pub target_group: TargetGroupSettings,
    /// Client CIDRs × listener ports.
    pub frontend_ingress: Vec<Rule>,
    /// Front-end group → back-end group, per backend port and the health-check port.
    pub frontend_egress: Vec<Rule>,
    /// From the front-end group, per backend port and the health-check port.
    pub backend_ingress: Vec<Rule>,
    /// CloudWatch alarms on the daemons' health.
    pub alarms: Option<Alarms>,
    /// The Route 53 alias records pointing the client host at the balancer.
    pub alias: Option<Alias>,
    /// `aws.adopt`: what exists already and is taken over rather than created.
    pub adopt: Option<Adopt>,
    /// `aws.migrate_from`: the Classic ELB this NLB replaces, and the weighted DNS records.
    pub migration: Option<Migration>,
}

/// What an adopting spec takes over. The adopted IDs of the groups, rules and listeners are on
/// those ([`Group::adopted_id`], [`Rule::adopted_id`], [`Listener::adopted`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Adopt {
    /// The balancer itself exists (`adopt.name`); else only the security groups do.
    pub balancer: bool,
    /// An adopted NLB's ARN.
    pub arn: Option<String>,
    /// Instances whose primary network interface has the back-end group already: `(instance
    /// ID, interface ID)`, in daemon order.
    pub network_interfaces: Vec<(String, String)>,
}

/// An NLB's existing listener and target group for one service.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdoptedListener {
    pub listener_arn: String,
    pub target_group_arn: String,
}

/// Moving clients from a Classic ELB to this NLB: two weighted alias records for the name
/// clients use, one per balancer, each with its share of new connections.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Migration {
    /// The Classic ELB's name (also its record's set identifier).
    pub classic_name: String,
    pub classic_dns_name: String,
    /// The Route 53 zone of the Classic ELB's DNS name.
    pub classic_zone_id: String,
    /// The name clients use.
    pub record_name: String,
    /// The Route 53 zone holding it.
    pub record_zone_id: String,
    /// Percent of new connections to the NLB.
    pub nlb_weight: u8,
    /// Percent to the Classic ELB (100 - `nlb_weight`).
    pub classic_weight: u8,
}

/// Alias records in `tls.hosted_zone_id` for the name clients use ([`Tls::host_name`]):
/// `A`, and `AAAA` too when the balancer is dualstack.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alias {
    pub name: String,
    pub hosted_zone_id: String,
    /// `A`, then `AAAA` for a dualstack balancer.
    pub record_types: Vec<&'static str>,
}

/// What every NLB target group sets, explicitly.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetGroupSettings {
    /// `deregistration_delay.timeout_seconds`: `drain_timeout`.
    pub deregistration_delay: u64,
    /// `deregistration_delay.connection_termination.enabled`: false, so a deregistered daemon's
    /// open connections are not cut when the delay ends; they run until they close (or
    /// impalad's `:shutdown()` deadline ends them).
    pub deregistration_connection_termination: bool,
    /// `target_health_state.unhealthy.connection_termination.enabled` (AWS default true).
    pub unhealthy_connection_termination: bool,
    /// `target_health_state.unhealthy.draining_interval_seconds`: `drain_timeout`, when
    /// connections to an unhealthy target are kept (AWS accepts it only then).
    pub unhealthy_draining_interval: Option<u64>,
    /// `load_balancing.cross_zone.enabled`: true (AWS default: the balancer's setting).
    pub cross_zone: bool,
    /// `preserve_client_ip.enabled`: true (AWS's default for instance targets), so impalad
    /// sees and logs each client's own address.
    pub preserve_client_ip: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CidrBlock {
    /// Host bits cleared.
    pub block: String,
    pub ipv6: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccessLogs {
    pub bucket: String,
    pub prefix: Option<String>,
    pub interval_minutes: u64,
    /// impala-lbgen creates the bucket: SSE-S3, public access blocked, objects owned by the
    /// bucket owner, [`AccessLogs::policy`] (with a statement refusing plain HTTP).
    pub create_bucket: bool,
    /// Days after which a log object in the created bucket is deleted.
    pub retention_days: Option<u32>,
    /// The bucket's ARN.
    pub bucket_arn: String,
    /// The ARN of the objects the balancer writes: `<bucket>/<prefix>/AWSLogs/<account>/*`,
    /// with [`ACCOUNT_ID`] for the account.
    pub objects_arn: String,
    /// The bucket policy statements that let the balancer write its logs (for an existing
    /// bucket, what impala-config tells the user to add); strings hold [`ACCOUNT_ID`] where the
    /// balancer's account goes.
    pub policy: Vec<PolicyStatement>,
}

/// Stands, in the plan's strings, for the AWS account the balancer is deployed in; each
/// target writes its own expression for it (`${AWS::AccountId}`, the caller identity, ...).
pub const ACCOUNT_ID: &str = "<account-id>";

/// One statement of an S3 bucket policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyStatement {
    pub sid: &'static str,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    pub principal: Principal,
    pub actions: Vec<&'static str>,
    pub resources: Vec<String>,
    pub conditions: Vec<PolicyCondition>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", content = "value")]
pub enum Principal {
    /// An AWS account (`arn:<partition>:iam::<account>:root`).
    #[serde(rename = "AWS")]
    Aws(String),
    /// An AWS service principal.
    Service(&'static str),
    /// Anyone (`"*"`).
    #[serde(rename = "*")]
    Anyone,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicyCondition {
    /// The operator: `StringEquals`, `ArnLike`, `Bool`.
    pub test: &'static str,
    pub variable: &'static str,
    pub values: Vec<String>,
}

impl PolicyStatement {
    /// The statement in AWS's policy language, serialised as JSON in the usual order (`Sid`,
    /// `Effect`, `Principal`, `Action`, `Resource`, `Condition`).
    pub fn json(&self) -> StatementJson<'_> {
        let mut condition: BTreeMap<&str, BTreeMap<&str, &[String]>> = BTreeMap::new();
        for c in &self.conditions {
            condition
                .entry(c.test)
                .or_default()
                .insert(c.variable, &c.values);
        }
        StatementJson {
            sid: self.sid,
            effect: self.effect,
            principal: match &self.principal {
                Principal::Aws(arn) => PrincipalJson::Aws { aws: arn },
                Principal::Service(name) => PrincipalJson::Service { service: name },
                Principal::Anyone => PrincipalJson::Anyone("*"),
            },
            action: &self.actions,
            resource: &self.resources,
            condition,
        }
    }
}

/// A [`PolicyStatement`] as AWS's policy language writes it.
#[derive(Debug, Serialize)]
pub struct StatementJson<'a> {
    #[serde(rename = "Sid")]
    sid: &'a str,
    #[serde(rename = "Effect")]
    effect: &'a str,
    #[serde(rename = "Principal")]
    principal: PrincipalJson<'a>,
    #[serde(rename = "Action")]
    action: &'a [&'static str],
    #[serde(rename = "Resource")]
    resource: &'a [String],
    #[serde(rename = "Condition", skip_serializing_if = "BTreeMap::is_empty")]
    condition: BTreeMap<&'a str, BTreeMap<&'a str, &'a [String]>>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PrincipalJson<'a> {
    Aws {
        #[serde(rename = "AWS")]
        aws: &'a str,
    },
    Service {
        #[serde(rename = "Service")]
        service: &'a str,
    },
    Anyone(&'static str),
}

/// A bucket policy document of `statements`, in AWS's policy language.
#[derive(Debug, Serialize)]
pub struct PolicyDocument<'a> {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statement: Vec<StatementJson<'a>>,
}

/// The bucket policy of `statements`.
pub fn policy_document(statements: &[PolicyStatement]) -> PolicyDocument<'_> {
    PolicyDocument {
        version: "2012-10-17",
        statement: statements.iter().map(PolicyStatement::json).collect(),
    }
}

/// CloudWatch alarms on the balancer's daemons: for a Classic ELB one pair, for an NLB one pair
/// per service (each target group is health-checked on its own).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alarms {
    pub unhealthy_minutes: u64,
    pub min_healthy: u32,
    /// Notified when an alarm goes off and when it clears.
    pub sns_topic_arn: Option<String>,
    pub alarms: Vec<Alarm>,
}

/// One `PutMetricAlarm`: a health metric of the balancer (and, on an NLB, of one target group)
/// against a threshold, minute by minute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub description: String,
    /// `AWS/ELB` (Classic) or `AWS/NetworkELB`.
    pub namespace: &'static str,
    /// `UnHealthyHostCount` or `HealthyHostCount`.
    pub metric: &'static str,
    pub statistic: &'static str,
    pub comparison: &'static str,
    pub threshold: u32,
    pub period: u64,
    pub evaluation_periods: u64,
    /// How minutes without data count (`notBreaching`, `breaching`).
    pub treat_missing_data: &'static str,
    /// NLB: the service whose target group the alarm watches (dimensions `LoadBalancer` and
    /// `TargetGroup`); Classic: none (dimension `LoadBalancerName`).
    pub service: Option<ServiceKind>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// `<cluster> Impala FE` / `<cluster> Impala BE`, or an adopted group's own name.
    pub name: String,
    pub description: String,
    /// The ID of the existing group the spec adopts.
    pub adopted_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Listener {
    pub service: ServiceKind,
    pub key: &'static str,
    pub port: u16,
    pub backend_port: u16,
    /// Clients speak TLS to the balancer (Classic `SSL`, NLB `TLS`).
    pub frontend_tls: bool,
    /// The balancer speaks TLS to impalad (bridge).
    pub backend_tls: bool,
    /// NLB: source-IP stickiness on the target group. Only for plain TCP listeners and target
    /// groups: an NLB does not support sticky sessions with TLS listeners or TLS target groups
    /// (NLB guide, "Sticky sessions"), so a TLS listener gets none (validation warns).
    pub sticky: bool,
    /// NLB target group name (see [`target_group_name`]), or an adopted target group's own name.
    pub target_group_name: String,
    /// An adopted NLB's listener and target group for this service.
    pub adopted: Option<AdoptedListener>,
}

impl Listener {
    /// Classic ELB `Protocol` / `InstanceProtocol`.
    pub fn classic_protocols(&self) -> (&'static str, &'static str) {
        (
            if self.frontend_tls { "SSL" } else { "TCP" },
            if self.backend_tls { "SSL" } else { "TCP" },
        )
    }

    /// NLB listener protocol / target group protocol.
    pub fn nlb_protocols(&self) -> (&'static str, &'static str) {
        (
            if self.frontend_tls { "TLS" } else { "TCP" },
            if self.backend_tls { "TLS" } else { "TCP" },
        )
    }
}

/// One security group rule.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rule {
    pub port: u16,
    /// A CIDR block, or `None` for "the other group".
    pub cidr: Option<CidrBlock>,
    pub description: String,
    /// The ID (`sgr-...`) of the existing rule that is this one, in an adopted group.
    pub adopted_id: Option<String>,
}

/// Which balancer clients connect to (see [`Plan::frontend`]).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Frontend {
    Aws,
    Haproxy,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Haproxy {
    /// `*` or an IP address.
    pub bind: String,
    pub listens: Vec<Listen>,
    pub stats: Option<Stats>,
    pub public_name: Option<String>,
    pub maxconn: u32,
    /// PEM with certificate chain and key (TLS offload/bridge).
    pub certificate: String,
    /// CA bundle verifying impalad (bridge).
    pub ca_file: String,
    /// The admin socket (`stats socket ... level admin`), which `drain.sh` uses.
    pub admin_socket: String,
    /// How HAProxy resolves the daemons' DNS names at run time; `None` when every daemon is
    /// named by its IP address.
    pub resolvers: Option<Resolvers>,
    /// `haproxy.ha`: the virtual IP and the keepalived nodes.
    pub ha: Option<Ha>,
}

/// HAProxy's `resolvers` section: servers named by DNS start without an address when their
/// name does not resolve (`init-addr last,libc,none`) and pick it up at run time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Resolvers {
    /// The section's name, which each server names.
    pub name: &'static str,
    /// `haproxy.nameservers`; empty: `parse-resolv-conf` (those of /etc/resolv.conf).
    pub nameservers: Vec<Nameserver>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Nameserver {
    /// `ns1`, `ns2`, ...
    pub name: String,
    /// An IP address (IPv6 without brackets).
    pub address: String,
    pub port: u16,
}

/// Two or more HAProxy hosts sharing a virtual IP address with keepalived (VRRP).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ha {
    /// The virtual IP address, without its prefix length.
    pub virtual_ip: String,
    pub prefix: u8,
    pub ipv6: bool,
    pub interface: String,
    pub virtual_router_id: u8,
    /// keepalived's `vrrp_instance` name.
    pub instance: String,
    pub nodes: Vec<HaNode>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HaNode {
    pub host: String,
    /// Its IP address on the interface: where the other nodes send VRRP adverts.
    pub address: String,
    pub priority: u8,
    /// `keepalived/<host>.conf` (`:` of an IPv6 host as `-`), the file `generate` writes.
    pub file: String,
}

impl Ha {
    /// The node named `name` (its host or its address).
    pub fn node(&self, name: &str) -> Option<&HaNode> {
        self.nodes
            .iter()
            .find(|n| n.host == name || n.address == name)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Listen {
    pub service: ServiceKind,
    pub key: &'static str,
    /// HAProxy's listen port (`haproxy.ports`, default the service port).
    pub port: u16,
    pub backend_port: u16,
    pub balance: Balance,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub address: String,
    pub port: u16,
    pub user: String,
    pub password_env: String,
}

/// Default health check: every 30 s, 5 s timeout, healthy after 5, unhealthy after 2 (the AWS
/// walk-through's values).
pub const DEFAULT_HEALTH_INTERVAL: u64 = 30;
pub const DEFAULT_HEALTH_TIMEOUT: u64 = 5;
pub const DEFAULT_HEALTHY_THRESHOLD: i64 = 5;
pub const DEFAULT_UNHEALTHY_THRESHOLD: i64 = 2;
pub const DEFAULT_HEALTH_PATH: &str = "/healthz";
/// One hour: Impala queries can run long, and the walk-through sets the Classic maximum.
pub const DEFAULT_IDLE_TIMEOUT: u64 = 3600;
pub const DEFAULT_LOG_INTERVAL_MINUTES: u64 = 60;
/// Five minutes: AWS's own default for connection draining and the deregistration delay.
pub const DEFAULT_DRAIN_TIMEOUT: u64 = 300;
/// Where the Debian and RHEL packages of HAProxy keep the admin socket.
pub const HAPROXY_ADMIN_SOCKET: &str = "/run/haproxy/admin.sock";
/// The name of the `resolvers` section of haproxy.cfg.
pub const HAPROXY_RESOLVERS: &str = "dns";
/// impalad's `--webserver_port` default: its debug web UI, which needs authentication when
/// Kerberos (SPNEGO) or LDAP is turned on for it.
pub const IMPALAD_WEBSERVER_PORT: i64 = 25000;
pub const DEFAULT_HAPROXY_BIND: &str = "*";
pub const DEFAULT_HAPROXY_MAXCONN: u32 = 4096;
pub const DEFAULT_STATS_BIND: &str = "127.0.0.1:25002";
pub const DEFAULT_STATS_USER: &str = "admin";
pub const DEFAULT_STATS_PASSWORD_ENV: &str = "HAPROXY_STATS_PASSWORD";
pub const DEFAULT_HAPROXY_CA_FILE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The name of a Classic ELB's SSL negotiation policy (one per balancer), which references
/// [`Aws::tls_policy`]. CloudFormation and the AWS CLI script both use it, so a balancer built
/// by either has the same policy.
pub const CLASSIC_TLS_POLICY_NAME: &str = "ImpalaTLSNegotiationPolicy";
/// How long the AWS CLI script waits, by default, for ACM to validate a certificate it
/// requested: 30 minutes. ACM usually validates within minutes of the DNS records appearing
/// (at once when the script writes them into `tls.hosted_zone_id`); without a hosted zone,
/// the records are the user's to create, and the script can be run again once they exist.
pub const DEFAULT_CERTIFICATE_WAIT: u64 = 1800;
/// `aws.alarms.unhealthy_for`: a daemon failing its health check for 5 minutes is worth a
/// look, long enough to ride out a restart.
pub const DEFAULT_UNHEALTHY_MINUTES: u64 = 5;
/// `aws.alarms.min_healthy`: alarm when no daemon is healthy.
pub const DEFAULT_MIN_HEALTHY: u32 = 1;
/// How keepalived checks HAProxy on each node: is the process there, every second; two
/// failures make the node give up the virtual IP, two successes let it hold it again. Through
/// the shell, because `pidof` is often a link to `killall5`, which keepalived runs under its
/// real name (`killall5 haproxy`, which fails: seen with Debian's keepalived 2.2.7), while the
/// shell runs it as `pidof`.
pub const KEEPALIVED_CHECK: &str = "/bin/sh -c 'pidof haproxy'";
pub const KEEPALIVED_CHECK_INTERVAL: u64 = 1;
pub const KEEPALIVED_CHECK_FALL: u32 = 2;
pub const KEEPALIVED_CHECK_RISE: u32 = 2;
/// VRRP advertisement interval, seconds: a backup takes over about three intervals after the
/// master falls silent, at once when the master gives the address up.
pub const VRRP_ADVERT_INTERVAL: u64 = 1;
/// Where each impalad keeps the keytab that merges the balancer's principal and its own; beside
/// the host's own keytab, under a name that says what it is for.
pub const DEFAULT_KERBEROS_KEYTAB: &str = "/etc/impala/impala-proxy.keytab";

/// The services the spec serves, in canonical order, as `(kind, port, backend_port)`; default
/// hs2 alone on impalad's port: impala-shell 4 and later, JDBC/ODBC and Hue all speak
/// HiveServer2, and current Impala serves no Beeswax unless asked (IMPALA-14990). Ports are as
/// written (validation checks the range).
pub fn services(spec: &Spec) -> Vec<(ServiceKind, i64, i64)> {
    match &spec.services {
        Some(map) => map
            .iter()
            .map(|(k, s)| (*k, s.port, s.backend_port.unwrap_or(s.port)))
            .collect(),
        None => [ServiceKind::Hs2]
            .into_iter()
            .map(|k| (k, i64::from(k.default_port()), i64::from(k.default_port())))
            .collect(),
    }
}

/// The service a TCP health check connects to: `health_check.service`, else hs2 when it is
/// served, else the first service: always one the balancer serves, so a daemon that serves
/// its clients passes.
pub fn health_check_service(spec: &Spec) -> ServiceKind {
    let configured: Vec<ServiceKind> = services(spec).into_iter().map(|s| s.0).collect();
    spec.health_check
        .as_ref()
        .and_then(|h| h.service)
        .or_else(|| configured.iter().copied().find(|k| *k == ServiceKind::Hs2))
        .or_else(|| configured.first().copied())
        .unwrap_or(ServiceKind::Hs2)
}

/// `aws.name`, else the adopted balancer's name (`aws.adopt.name`), else `elb-impala-<cluster>`.
pub fn lb_name(spec: &Spec) -> String {
    spec.aws
        .as_ref()
        .and_then(|a| {
            a.name
                .clone()
                .or_else(|| a.adopt.as_ref().and_then(|d| d.name.clone()))
        })
        .unwrap_or_else(|| format!("elb-impala-{}", spec.cluster))
}

/// The name in an Elastic Load Balancing ARN of `kind` (`loadbalancer/net`, `targetgroup`,
/// `listener/net`): `...:targetgroup/<name>/<id>` → `<name>`.
pub fn elb_arn_name<'a>(arn: &'a str, kind: &str) -> Option<&'a str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix(kind)?.strip_prefix('/')?;
    rest.split('/').next().filter(|n| !n.is_empty())
}

/// The first of a certificate's names that is one host, not a wildcard: `domain`, else the
/// first such subject alternative name.
pub fn host_name<'a>(domain: Option<&'a String>, sans: &'a [String]) -> Option<&'a str> {
    domain
        .into_iter()
        .chain(sans)
        .map(String::as_str)
        .find(|n| !n.starts_with("*."))
}

/// The name clients use while migrating: `migrate_from.record`, else the certificate's host
/// name ([`Tls::host_name`]) in `tls.hosted_zone_id`, as `(name, zone)`.
pub fn migration_record(spec: &Spec) -> Option<(String, String)> {
    let m = spec.aws.as_ref()?.migrate_from.as_ref()?;
    match &m.record {
        Some(r) => Some((r.name.clone(), r.hosted_zone_id.clone())),
        None => {
            // The certificate's host name, as for the alias record ([`Tls::host_name`]).
            let tls = spec.tls.as_ref()?;
            let sans = tls.subject_alternative_names.as_deref().unwrap_or_default();
            let host = host_name(tls.domain.as_ref(), sans)?;
            Some((host.to_string(), tls.hosted_zone_id.clone()?))
        }
    }
}

/// The balance algorithm of a service: `haproxy.balance`, else `source` for the HiveServer2
/// services (Impala's proxy documentation: Hue needs sticky sessions) and `leastconn` otherwise.
pub fn balance(spec: &Spec, kind: ServiceKind) -> Balance {
    spec.haproxy
        .as_ref()
        .and_then(|h| h.balance.as_ref())
        .and_then(|b| b.get(&kind).copied())
        .unwrap_or(if is_sticky(kind) {
            Balance::Source
        } else {
            Balance::Leastconn
        })
}

fn is_sticky(kind: ServiceKind) -> bool {
    matches!(kind, ServiceKind::Hs2 | ServiceKind::Hs2Http)
}

/// The TLS security policy for an AWS balancer that terminates TLS.
pub fn tls_policy(spec: &Spec, kind: LoadBalancerKind) -> Option<String> {
    let tls = spec
        .tls
        .as_ref()
        .filter(|t| t.mode != TlsMode::Passthrough)?;
    Some(tls.policy.clone().unwrap_or_else(|| {
        match kind {
            LoadBalancerKind::Classic => CLASSIC_DEFAULT_TLS_POLICY,
            LoadBalancerKind::Network => NLB_DEFAULT_TLS_POLICY,
        }
        .to_string()
    }))
}

/// The AWS partition of `region`, for ARNs: `aws-cn` for China, `aws-us-gov` for GovCloud,
/// else `aws`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The bucket policy statements that let the balancer write its access logs into `bucket`
/// (see [`ELB_LOG_ACCOUNTS`] and [`NLB_LOG_DELIVERY_PRINCIPAL`] for the sources).
fn log_policy(
    kind: LoadBalancerKind,
    region: &str,
    partition: &str,
    bucket_arn: &str,
    objects_arn: &str,
) -> Vec<PolicyStatement> {
    match kind {
        LoadBalancerKind::Classic => {
            let principal = match ELB_LOG_ACCOUNTS.iter().find(|(r, _)| *r == region) {
                Some((_, account)) => {
                    Principal::Aws(format!("arn:{partition}:iam::{account}:root"))
                }
                None => Principal::Service(ELB_LOG_DELIVERY_PRINCIPAL),
            };
            vec![PolicyStatement {
                sid: "ELBAccessLogsWrite",
                effect: "Allow",
                principal,
                actions: vec!["s3:PutObject"],
                resources: vec![objects_arn.to_string()],
                conditions: Vec::new(),
            }]
        }
        LoadBalancerKind::Network => {
            let source = |extra: Option<PolicyCondition>| {
                let mut c: Vec<PolicyCondition> = extra.into_iter().collect();
                c.push(PolicyCondition {
                    test: "StringEquals",
                    variable: "aws:SourceAccount",
                    values: vec![ACCOUNT_ID.to_string()],
                });
                c.push(PolicyCondition {
                    test: "ArnLike",
                    variable: "aws:SourceArn",
                    values: vec![format!("arn:{partition}:logs:{region}:{ACCOUNT_ID}:*")],
                });
                c
            };
            vec![
                PolicyStatement {
                    sid: "AWSLogDeliveryAclCheck",
                    effect: "Allow",
                    principal: Principal::Service(NLB_LOG_DELIVERY_PRINCIPAL),
                    actions: vec!["s3:GetBucketAcl"],
                    resources: vec![bucket_arn.to_string()],
                    conditions: source(None),
                },
                PolicyStatement {
                    sid: "AWSLogDeliveryWrite",
                    effect: "Allow",
                    principal: Principal::Service(NLB_LOG_DELIVERY_PRINCIPAL),
                    actions: vec!["s3:PutObject"],
                    resources: vec![objects_arn.to_string()],
                    conditions: source(Some(PolicyCondition {
                        test: "StringEquals",
                        variable: "s3:x-amz-acl",
                        values: vec!["bucket-owner-full-control".to_string()],
                    })),
                },
            ]
        }
    }
}

/// The ends of the alarm names: a daemon stays unhealthy; too few daemons are healthy.
const UNHEALTHY_ALARM: &str = "unhealthy-daemon";
const HEALTHY_LOW_ALARM: &str = "healthy-daemons-low";

/// An alarm's name: `<lb>-<suffix>` on a Classic ELB, `<lb>-<service>-<suffix>` per target
/// group on an NLB.
fn alarm_name(lb: &str, service: Option<ServiceKind>, suffix: &str) -> String {
    match service {
        None => format!("{lb}-{suffix}"),
        Some(k) => format!("{lb}-{}-{suffix}", k.slug()),
    }
}

/// Every name impala-lbgen may give an alarm of balancer `lb`, of either kind and any service:
/// what the AWS CLI script looks for when it removes alarms the spec no longer asks for.
pub fn alarm_names(lb: &str) -> Vec<String> {
    std::iter::once(None)
        .chain(ServiceKind::ALL.into_iter().map(Some))
        .flat_map(|k| [UNHEALTHY_ALARM, HEALTHY_LOW_ALARM].map(|suffix| alarm_name(lb, k, suffix)))
        .collect()
}

/// The alarms on the balancer `lb`'s daemons.
fn plan_alarms(
    a: &AlarmsSpec,
    kind: LoadBalancerKind,
    lb: &str,
    listeners: &[Listener],
    hc: &HealthCheck,
) -> Alarms {
    let minutes = a.unhealthy_for.map_or(DEFAULT_UNHEALTHY_MINUTES, |d| {
        d.as_secs() / ALARM_PERIOD_SECS
    });
    let min_healthy = a
        .min_healthy
        .and_then(|m| u32::try_from(m).ok())
        .unwrap_or(DEFAULT_MIN_HEALTHY);
    let (namespace, targets): (&'static str, Vec<Option<&Listener>>) = match kind {
        LoadBalancerKind::Classic => ("AWS/ELB", vec![None]),
        LoadBalancerKind::Network => ("AWS/NetworkELB", listeners.iter().map(Some).collect()),
    };
    let check = match &hc.check {
        Check::Tcp { .. } => format!("TCP port {}", hc.port),
        Check::Http { path } => format!("HTTP GET {path} on port {}", hc.port),
    };
    let mut alarms = Vec::new();
    for service in targets {
        let what = match service {
            None => format!("behind {lb}"),
            Some(l) => format!(
                "behind {lb} for {} (target group {})",
                l.key, l.target_group_name
            ),
        };
        let name = |suffix| alarm_name(lb, service.map(|l| l.service), suffix);
        alarms.push(Alarm {
            name: name(UNHEALTHY_ALARM),
            description: format!(
                "At least one Impala daemon {what} has failed its health check ({check}) for {minutes} minute{}: UnHealthyHostCount >= 1. The balancer sends it no new connections.",
                if minutes == 1 { "" } else { "s" }
            ),
            namespace,
            metric: "UnHealthyHostCount",
            // Every balancer node must see the daemon unhealthy: one node's brief doubt is no
            // alarm.
            statistic: "Minimum",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            period: ALARM_PERIOD_SECS,
            evaluation_periods: minutes,
            treat_missing_data: "notBreaching",
            service: service.map(|l| l.service),
        });
        alarms.push(Alarm {
            name: name(HEALTHY_LOW_ALARM),
            description: if min_healthy == 1 {
                format!("No Impala daemon {what} is healthy: HealthyHostCount < 1. Clients cannot connect.")
            } else {
                format!("Fewer than {min_healthy} Impala daemons {what} are healthy: HealthyHostCount < {min_healthy}.")
            },
            namespace,
            metric: "HealthyHostCount",
            // Even the balancer node that sees the most healthy daemons sees too few.
            statistic: "Maximum",
            comparison: "LessThanThreshold",
            threshold: min_healthy,
            period: ALARM_PERIOD_SECS,
            evaluation_periods: 1,
            // A balancer that reports no healthy daemon serves no one.
            treat_missing_data: "breaching",
            service: service.map(|l| l.service),
        });
    }
    Alarms {
        unhealthy_minutes: minutes,
        min_healthy,
        sns_topic_arn: a.sns_topic_arn.clone(),
        alarms,
    }
}

/// A target group name for balancer `lb`, protocol and port: `<lb>-<hash>-<protocol><port>`,
/// such as `elb-impala-clust-e92cfb-tcp21050` for `elb-impala-cluster1`:
///
/// - `<hash>`: the first 6 hex digits of the 32-bit FNV-1a hash of the whole balancer name, so
///   two balancers whose names share their first characters (`...-production-lb1` and `-lb2`)
///   never share a target group, however much of the names is cut;
/// - `<protocol><port>`: the group's protocol in lower case (`tcp`, `tls`) and impalad's port.
///   These are fixed when a target group is created, so a new TLS mode or `backend_port` is a
///   new group under a new name: CloudFormation and Terraform create it before deleting the
///   old one (a fixed name would have to be freed first, which AWS refuses while a listener
///   uses it). Ports are unique per balancer, so the name is unique per service;
/// - `<lb>`: the balancer name, cut (and any `-` it then ends with dropped) so the whole stays
///   within AWS's 32 characters of letters, digits and `-`.
pub fn target_group_name(lb: &str, protocol: &str, port: u16) -> String {
    let hash = format!("{:08x}", fnv1a32(lb.as_bytes()));
    let suffix = format!("-{}-{}{port}", &hash[..6], protocol.to_ascii_lowercase());
    let room = LB_NAME_MAX.saturating_sub(suffix.len());
    let base: String = lb.chars().take(room).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// The 32-bit FNV-1a hash (Fowler, Noll and Vo; the offset basis and prime of its
/// specification): a short, stable fingerprint of a name, not a cryptographic hash.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn port(p: i64) -> u16 {
    u16::try_from(p).unwrap_or(0)
}

fn secs(d: Option<Duration>, default: u64) -> u64 {
    d.map_or(default, Duration::as_secs)
}

fn count(n: Option<i64>, default: i64) -> u32 {
    u32::try_from(n.unwrap_or(default)).unwrap_or(0)
}

impl Plan {
    /// Resolves a validated spec.
    pub fn new(spec: &Spec) -> Plan {
        let services: Vec<Service> = services(spec)
            .into_iter()
            .map(|(kind, p, b)| Service {
                kind,
                key: kind.key(),
                slug: kind.slug(),
                title: kind.title(),
                port: port(p),
                backend_port: port(b),
                sticky: is_sticky(kind),
            })
            .collect();

        let daemons: Vec<Daemon> = spec
            .daemons
            .iter()
            .enumerate()
            .map(|(i, d)| Daemon {
                number: i + 1,
                host: d.host.clone(),
                instance_id: d.instance_id.clone(),
                name: d
                    .host
                    .as_ref()
                    .map(|h| h.replace(':', "-"))
                    .or_else(|| d.instance_id.clone())
                    .unwrap_or_else(|| format!("impalad-{}", i + 1)),
                backup: d.backup.unwrap_or(false),
            })
            .collect();

        let hc = spec.health_check.clone().unwrap_or_default();
        let (check, check_port) = match &hc.http {
            Some(http) => (
                Check::Http {
                    path: http
                        .path
                        .clone()
                        .unwrap_or_else(|| DEFAULT_HEALTH_PATH.to_string()),
                },
                port(http.port),
            ),
            None => {
                let service = health_check_service(spec);
                let p = services
                    .iter()
                    .find(|s| s.kind == service)
                    .map_or(0, |s| s.backend_port);
                (Check::Tcp { service }, p)
            }
        };
        let health_check = HealthCheck {
            check,
            port: check_port,
            interval: secs(hc.interval, DEFAULT_HEALTH_INTERVAL),
            timeout: secs(hc.timeout, DEFAULT_HEALTH_TIMEOUT),
            healthy_threshold: count(hc.healthy_threshold, DEFAULT_HEALTHY_THRESHOLD),
            unhealthy_threshold: count(hc.unhealthy_threshold, DEFAULT_UNHEALTHY_THRESHOLD),
            unhealthy_connection_termination: hc.unhealthy_connection_termination.unwrap_or(false),
        };
        let drain_timeout = secs(spec.drain_timeout, DEFAULT_DRAIN_TIMEOUT);
        let mut balancers = Vec::new();
        if spec.aws.is_some() {
            balancers.push(Frontend::Aws);
        }
        if spec.haproxy.is_some() || spec.aws.is_none() {
            balancers.push(Frontend::Haproxy);
        }
        let drain = Drain {
            timeout: drain_timeout,
            aws_wait: drain_timeout + 60,
            enable_wait: (u64::from(health_check.healthy_threshold) + 1) * health_check.interval
                + 60,
            balancers,
        };

        let tls = spec.tls.as_ref().map(|t| Tls {
            mode: t.mode,
            domain: t.domain.clone(),
            subject_alternative_names: t.subject_alternative_names.clone().unwrap_or_default(),
            certificate: match (t.mode, &t.certificate_arn, &t.domain) {
                (TlsMode::Passthrough, _, _) => Certificate::None,
                (_, Some(arn), _) => Certificate::Existing { arn: arn.clone() },
                (_, None, Some(domain)) => Certificate::Request {
                    domain: domain.clone(),
                    subject_alternative_names: t
                        .subject_alternative_names
                        .clone()
                        .unwrap_or_default(),
                },
                (_, None, None) => Certificate::None,
            },
            hosted_zone_id: t.hosted_zone_id.clone(),
            policy: t.policy.clone(),
        });

        let aws = spec.aws.as_ref().map(|a| {
            plan_aws(
                spec,
                a,
                &services,
                &health_check,
                tls.as_ref(),
                drain_timeout,
            )
        });
        let haproxy = plan_haproxy(spec, &services, &daemons);

        Plan {
            cluster: spec.cluster.clone(),
            services,
            daemons,
            health_check,
            idle_timeout: secs(spec.idle_timeout, DEFAULT_IDLE_TIMEOUT),
            drain,
            tls,
            kerberos: spec.kerberos.as_ref().map(|k| Kerberos {
                realm: k.realm.clone(),
                keytab: k
                    .keytab
                    .clone()
                    .unwrap_or_else(|| DEFAULT_KERBEROS_KEYTAB.to_string()),
            }),
            aws,
            haproxy,
        }
    }

    /// The balancer clients reach: the AWS one when the spec has an `aws` section (the HAProxy
    /// section of such a spec is a second, optional way in), else HAProxy.
    pub fn frontend(&self) -> Frontend {
        if self.aws.is_some() {
            Frontend::Aws
        } else {
            Frontend::Haproxy
        }
    }

    /// The stable name clients use, when the spec knows it; see [`Plan::client_host_field`].
    pub fn client_host(&self) -> Option<&str> {
        self.client_host_and_field().map(|(h, _)| h)
    }

    /// The field [`Plan::client_host`] comes from: `tls.domain`,
    /// `tls.subject_alternative_names`, `haproxy.public_name` or `haproxy.ha.virtual_ip`.
    pub fn client_host_field(&self) -> Option<&'static str> {
        self.client_host_and_field().map(|(_, f)| f)
    }

    /// The name clients use and where it comes from. HAProxy: `haproxy.public_name`, its own
    /// name, else the certificate's host name, else the virtual IP of `haproxy.ha`. AWS: the certificate's host name
    /// ([`Tls::host_name`]: a wildcard `tls.domain` names no host, so the first subject
    /// alternative name that does), which with a hosted zone an alias record points at the
    /// balancer. An AWS balancer without one is reached by its own DNS name, known only once it
    /// exists: `None`.
    fn client_host_and_field(&self) -> Option<(&str, &'static str)> {
        let tls = self.tls.as_ref().and_then(|t| {
            let host = t.host_name()?;
            let field = if t.domain.as_deref() == Some(host) {
                "tls.domain"
            } else {
                "tls.subject_alternative_names"
            };
            Some((host, field))
        });
        match self.frontend() {
            // While migrating, clients keep the name the weighted records answer for.
            Frontend::Aws => match self.aws.as_ref().and_then(|a| a.migration.as_ref()) {
                Some(m) if tls.map(|(h, _)| h) != Some(m.record_name.as_str()) => {
                    Some((m.record_name.as_str(), "aws.migrate_from.record.name"))
                }
                _ => tls,
            },
            Frontend::Haproxy => self
                .haproxy
                .public_name
                .as_deref()
                .map(|h| (h, "haproxy.public_name"))
                .or(tls)
                .or(self
                    .haproxy
                    .ha
                    .as_ref()
                    .map(|ha| (ha.virtual_ip.as_str(), "haproxy.ha.virtual_ip"))),
        }
    }

    /// The port clients use for each service on the [`Plan::frontend`], in service order: an
    /// AWS listener's port is the service's `port`; HAProxy's is its listen port
    /// (`haproxy.ports`, else the service's `port`).
    pub fn client_ports(&self) -> Vec<(ServiceKind, u16)> {
        match self.frontend() {
            Frontend::Aws => self.services.iter().map(|s| (s.kind, s.port)).collect(),
            Frontend::Haproxy => self
                .haproxy
                .listens
                .iter()
                .map(|l| (l.service, l.port))
                .collect(),
        }
    }

    /// The service whose address goes into Cloudera Manager's "Impala Daemons Load Balancer"
    /// (`host:port`): hs2 when it is served, because Cloudera Manager hands this address to
    /// Hue, which speaks HiveServer2; else the first service.
    pub fn cloudera_manager_service(&self) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.kind == ServiceKind::Hs2)
            .or(self.services.first())
    }

    /// The client port of [`Plan::cloudera_manager_service`] on the [`Plan::frontend`].
    pub fn cloudera_manager_port(&self) -> u16 {
        let kind = self.cloudera_manager_service().map(|s| s.kind);
        self.client_ports()
            .into_iter()
            .find(|(k, _)| Some(*k) == kind)
            .map_or(0, |(_, p)| p)
    }
}

fn plan_aws(
    spec: &Spec,
    a: &AwsSpec,
    services: &[Service],
    hc: &HealthCheck,
    tls: Option<&Tls>,
    drain_timeout: u64,
) -> Aws {
    let kind = a.load_balancer.unwrap_or(LoadBalancerKind::Classic);
    let scheme = a.scheme.unwrap_or(Scheme::Internal);
    let ip_address_type = a.ip_address_type.unwrap_or(IpAddressType::Ipv4);
    let name = lb_name(spec);
    let frontend_tls = tls.is_some_and(Tls::terminates);
    let backend_tls = tls.is_some_and(Tls::reencrypts);
    let adopt = a.adopt.as_ref();
    let adopted_arn = |map: Option<&std::collections::BTreeMap<ServiceKind, String>>,
                       kind: ServiceKind| {
        map.and_then(|m| m.get(&kind)).cloned()
    };
    let listeners: Vec<Listener> = services
        .iter()
        .map(|s| {
            // An adopted balancer's own listener and target group, when the spec names both.
            let adopted = adopt.filter(|d| d.name.is_some()).and_then(|d| {
                Some(AdoptedListener {
                    listener_arn: adopted_arn(d.listeners.as_ref(), s.kind)?,
                    target_group_arn: adopted_arn(d.target_groups.as_ref(), s.kind)?,
                })
            });
            let mut l = Listener {
                service: s.kind,
                key: s.key,
                port: s.port,
                backend_port: s.backend_port,
                frontend_tls,
                backend_tls,
                sticky: s.sticky && !frontend_tls && !backend_tls,
                target_group_name: String::new(),
                adopted,
            };
            l.target_group_name = l
                .adopted
                .as_ref()
                .and_then(|a| elb_arn_name(&a.target_group_arn, "targetgroup"))
                .map_or_else(
                    || target_group_name(&name, l.nlb_protocols().1, s.backend_port),
                    str::to_string,
                );
            l
        })
        .collect();
    // While migrating, the name clients use has the weighted record pair instead.
    let alias = tls.filter(|_| a.migrate_from.is_none()).and_then(|t| {
        Some(Alias {
            name: t.host_name()?.to_string(),
            hosted_zone_id: t.hosted_zone_id.clone()?,
            record_types: if ip_address_type == IpAddressType::Dualstack {
                vec!["A", "AAAA"]
            } else {
                vec!["A"]
            },
        })
    });

    let mut client_cidrs: Vec<CidrBlock> = Vec::new();
    for c in &a.client_cidrs {
        if let Ok(c) = syntax::cidr(c) {
            let block = CidrBlock {
                block: c.canonical,
                ipv6: c.ipv6,
            };
            if !client_cidrs.contains(&block) {
                client_cidrs.push(block);
            }
        }
    }

    let cluster = &spec.cluster;
    let mut frontend_ingress: Vec<Rule> = client_cidrs
        .iter()
        .flat_map(|c| {
            services.iter().map(move |s| Rule {
                port: s.port,
                cidr: Some(c.clone()),
                description: format!("Impala {} clients from {}", s.key, c.block),
                adopted_id: None,
            })
        })
        .collect();

    // The back-end ports: each service's impalad port, and the health-check port if it differs.
    let mut backend_ports: Vec<(u16, String)> = services
        .iter()
        .map(|s| (s.backend_port, format!("Impala {} on impalad", s.key)))
        .collect();
    if !backend_ports.iter().any(|(p, _)| *p == hc.port) {
        backend_ports.push((hc.port, "impalad health check".to_string()));
    }
    backend_ports.sort_by_key(|(p, _)| *p);
    let mut frontend_egress: Vec<Rule> = backend_ports
        .iter()
        .map(|(p, what)| Rule {
            port: *p,
            cidr: None,
            description: format!("{what} (to {cluster} Impala BE)"),
            adopted_id: None,
        })
        .collect();
    let mut backend_ingress: Vec<Rule> = backend_ports
        .iter()
        .map(|(p, what)| Rule {
            port: *p,
            cidr: None,
            description: format!("{what} (from {cluster} Impala FE)"),
            adopted_id: None,
        })
        .collect();

    let partition = partition(&a.region);
    let access_logs = a.access_logs.as_ref().map(|l| {
        let bucket_arn = format!("arn:{partition}:s3:::{}", l.bucket);
        let objects_arn = match &l.prefix {
            Some(p) => format!("{bucket_arn}/{p}/AWSLogs/{ACCOUNT_ID}/*"),
            None => format!("{bucket_arn}/AWSLogs/{ACCOUNT_ID}/*"),
        };
        let create_bucket = l.create_bucket == Some(true);
        let mut policy = log_policy(kind, &a.region, partition, &bucket_arn, &objects_arn);
        if create_bucket {
            policy.push(PolicyStatement {
                sid: "DenyInsecureTransport",
                effect: "Deny",
                principal: Principal::Anyone,
                actions: vec!["s3:*"],
                resources: vec![bucket_arn.clone(), format!("{bucket_arn}/*")],
                conditions: vec![PolicyCondition {
                    test: "Bool",
                    variable: "aws:SecureTransport",
                    values: vec!["false".to_string()],
                }],
            });
        }
        AccessLogs {
            bucket: l.bucket.clone(),
            prefix: l.prefix.clone(),
            interval_minutes: l
                .interval
                .map_or(DEFAULT_LOG_INTERVAL_MINUTES, |d| d.as_secs() / 60),
            create_bucket,
            retention_days: l
                .retention_days
                .filter(|_| create_bucket)
                .and_then(|d| u32::try_from(d).ok()),
            bucket_arn,
            objects_arn,
            policy,
        }
    });
    let alarms = a
        .alarms
        .as_ref()
        .map(|al| plan_alarms(al, kind, &name, &listeners, hc));
    // The existing rules an adopting spec names, matched to the ones it asks for.
    if let Some(rules) = adopt.and_then(|d| d.rules.as_ref()) {
        for r in rules {
            let list = match (r.group, r.direction) {
                (GroupRole::Frontend, Direction::Ingress) => &mut frontend_ingress,
                (GroupRole::Frontend, Direction::Egress) => &mut frontend_egress,
                (GroupRole::Backend, Direction::Ingress) => &mut backend_ingress,
                (GroupRole::Backend, Direction::Egress) => continue,
            };
            if let Some(rule) = list
                .iter_mut()
                .find(|rule| rule.adopted_id.is_none() && adopted_rule_matches(r, rule))
            {
                rule.adopted_id = Some(r.id.clone());
            }
        }
    }
    let group = |role: GroupRole, name: String, description: &str| {
        let adopted = adopt
            .and_then(|d| d.security_groups.as_ref())
            .and_then(|g| g.get(role));
        Group {
            name: adopted.and_then(|g| g.name.clone()).unwrap_or(name),
            description: adopted
                .and_then(|g| g.description.clone())
                .unwrap_or_else(|| description.to_string()),
            adopted_id: adopted.map(|g| g.id.clone()),
        }
    };

    Aws {
        region: a.region.clone(),
        partition,
        vpc_id: a.vpc_id.clone(),
        subnet_ids: a.subnet_ids.clone(),
        kind,
        name,
        scheme,
        internal: scheme == Scheme::Internal,
        ip_address_type,
        client_cidrs,
        access_logs,
        tags: a
            .tags
            .iter()
            .flatten()
            .map(|(k, v)| Tag {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        frontend_group: group(
            GroupRole::Frontend,
            format!("{cluster} Impala FE"),
            "Impala Front-End Traffic",
        ),
        backend_group: group(
            GroupRole::Backend,
            format!("{cluster} Impala BE"),
            "Impala Back-End Traffic",
        ),
        listeners,
        tls_policy: tls_policy(spec, kind),
        connection_draining: drain_timeout,
        target_group: TargetGroupSettings {
            deregistration_delay: drain_timeout,
            deregistration_connection_termination: false,
            unhealthy_connection_termination: hc.unhealthy_connection_termination,
            unhealthy_draining_interval: (!hc.unhealthy_connection_termination)
                .then_some(drain_timeout),
            cross_zone: true,
            preserve_client_ip: true,
        },
        frontend_ingress,
        frontend_egress,
        backend_ingress,
        alias,
        alarms,
        adopt: adopt.map(|d| Adopt {
            balancer: d.name.is_some(),
            arn: d.arn.clone().filter(|_| d.name.is_some()),
            network_interfaces: spec
                .daemons
                .iter()
                .filter_map(|daemon| {
                    let id = daemon.instance_id.as_ref()?;
                    let eni = d.network_interfaces.as_ref()?.get(id)?;
                    Some((id.clone(), eni.clone()))
                })
                .collect(),
        }),
        migration: a.migrate_from.as_ref().and_then(|m| {
            let (record_name, record_zone_id) = migration_record(spec)?;
            let nlb_weight = u8::try_from(m.weight.clamp(0, 100)).unwrap_or(0);
            Some(Migration {
                classic_name: m.name.clone(),
                classic_dns_name: m.dns_name.clone(),
                classic_zone_id: m.hosted_zone_id.clone(),
                record_name,
                record_zone_id,
                nlb_weight,
                classic_weight: 100 - nlb_weight,
            })
        }),
    }
}

/// Whether the existing rule `r` is the planned `rule` of its list: the same port, and the
/// same CIDR block (host bits cleared) or, for a rule between the groups, the other group.
pub fn adopted_rule_matches(r: &AdoptRuleSpec, rule: &Rule) -> bool {
    if i64::from(rule.port) != r.port {
        return false;
    }
    match (&rule.cidr, &r.cidr) {
        (Some(block), Some(cidr)) => syntax::cidr(cidr).is_ok_and(|c| c.canonical == block.block),
        (None, None) => {
            // A rule between the groups names the other one.
            let other = match r.group {
                GroupRole::Frontend => GroupRole::Backend,
                GroupRole::Backend => GroupRole::Frontend,
            };
            r.peer == Some(other)
        }
        _ => false,
    }
}

fn plan_haproxy(spec: &Spec, services: &[Service], daemons: &[Daemon]) -> Haproxy {
    let h = spec.haproxy.clone().unwrap_or_default();
    let listens = services
        .iter()
        .map(|s| Listen {
            service: s.kind,
            key: s.key,
            port: h
                .ports
                .as_ref()
                .and_then(|p| p.get(&s.kind))
                .map_or(s.port, |p| port(*p)),
            backend_port: s.backend_port,
            balance: balance(spec, s.kind),
        })
        .collect();
    let stats = h.stats.as_ref().map(|st| {
        let bind = st
            .bind
            .clone()
            .unwrap_or_else(|| DEFAULT_STATS_BIND.to_string());
        let (address, port) =
            syntax::bind_address(&bind).unwrap_or_else(|_| ("127.0.0.1".to_string(), 25002));
        Stats {
            address,
            port,
            user: st
                .user
                .clone()
                .unwrap_or_else(|| DEFAULT_STATS_USER.to_string()),
            password_env: st
                .password_env
                .clone()
                .unwrap_or_else(|| DEFAULT_STATS_PASSWORD_ENV.to_string()),
        }
    });
    let ha = h.ha.as_ref().map(|ha| {
        let (ip, prefix) = syntax::address_with_prefix(&ha.virtual_ip)
            .unwrap_or((std::net::IpAddr::from([0, 0, 0, 0]), 32));
        Ha {
            virtual_ip: ip.to_string(),
            prefix,
            ipv6: ip.is_ipv6(),
            interface: ha.interface.clone(),
            virtual_router_id: u8::try_from(ha.virtual_router_id).unwrap_or(0),
            instance: format!("impala-{}", spec.cluster),
            nodes: ha
                .nodes
                .iter()
                .map(|n| HaNode {
                    host: n.host.clone(),
                    address: n.address.clone().unwrap_or_else(|| n.host.clone()),
                    priority: u8::try_from(n.priority).unwrap_or(0),
                    file: format!("keepalived/{}.conf", n.host.replace(':', "-")),
                })
                .collect(),
        }
    });
    Haproxy {
        ha,
        bind: h
            .bind
            .clone()
            .unwrap_or_else(|| DEFAULT_HAPROXY_BIND.to_string()),
        listens,
        stats,
        public_name: h.public_name.clone(),
        maxconn: h
            .maxconn
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(DEFAULT_HAPROXY_MAXCONN),
        certificate: h
            .certificate
            .clone()
            .unwrap_or_else(|| default_certificate_path(&spec.cluster)),
        ca_file: h
            .ca_file
            .clone()
            .unwrap_or_else(|| DEFAULT_HAPROXY_CA_FILE.to_string()),
        admin_socket: HAPROXY_ADMIN_SOCKET.to_string(),
        resolvers: daemons.iter().any(Daemon::resolves).then(|| Resolvers {
            name: HAPROXY_RESOLVERS,
            nameservers: h
                .nameservers
                .iter()
                .flatten()
                .filter_map(|n| syntax::nameserver(n).ok())
                .enumerate()
                .map(|(i, (address, port))| Nameserver {
                    name: format!("ns{}", i + 1),
                    address: address.to_string(),
                    port,
                })
                .collect(),
        }),
    }
}

/// `/etc/haproxy/certs/<cluster>.pem`.
pub fn default_certificate_path(cluster: &str) -> String {
    format!("/etc/haproxy/certs/{cluster}.pem")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_specified_hash() {
        // Test vectors of the FNV specification.
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn target_group_names_fit() {
        let hash = format!("{:08x}", fnv1a32(b"elb-impala-cluster1"));
        assert_eq!(
            target_group_name("elb-impala-cluster1", "TCP", 21050),
            format!("elb-impala-clust-{}-tcp21050", &hash[..6])
        );
        assert_eq!(
            target_group_name("a", "TLS", 443),
            format!("a-{}-tls443", &format!("{:08x}", fnv1a32(b"a"))[..6])
        );
        for lb in [
            "a",
            "a-very-long-load-balancer-name-x",
            "abcdefghijklmnopqrstuvw-yzabcdef",
            "abcdefghijklmno-qrstuvwxyzabcdef",
        ] {
            for (protocol, port) in [("TCP", 1), ("TLS", 65535), ("TCP", 21050)] {
                let n = target_group_name(lb, protocol, port);
                assert!(n.len() <= LB_NAME_MAX, "{n}");
                assert!(syntax::lb_name(&n).is_ok(), "{n}");
                assert!(!n.contains("--"), "{n}");
            }
        }
    }

    /// Two balancers whose names differ only past the characters a target group name keeps
    /// get target groups of their own (before, both were `impala-analytics-production-hs2`).
    #[test]
    fn target_group_names_differ_between_balancers() {
        let a = target_group_name("impala-analytics-production-lb1", "TCP", 21050);
        let b = target_group_name("impala-analytics-production-lb2", "TCP", 21050);
        assert_ne!(a, b);
        assert_eq!(
            a,
            target_group_name("impala-analytics-production-lb1", "TCP", 21050)
        );
    }

    /// What AWS fixes at creation is in the name, so a change of it is a new name.
    #[test]
    fn target_group_names_follow_protocol_and_port() {
        let lb = "elb-impala-cluster1";
        let tcp = target_group_name(lb, "TCP", 21050);
        assert_ne!(tcp, target_group_name(lb, "TLS", 21050));
        assert_ne!(tcp, target_group_name(lb, "TCP", 21051));
    }
}
