//! AWS and HAProxy limits, each with where it comes from.

/// Elastic Load Balancing `HealthCheck` (Classic API reference; ELBv2 `CreateTargetGroup` agrees
/// on the interval and thresholds): Interval 5–300 s.
pub const AWS_HEALTH_INTERVAL_SECS: (u64, u64) = (5, 300);
/// Classic `HealthCheck.Timeout`: 2–60 s, and less than the interval.
pub const CLASSIC_HEALTH_TIMEOUT_SECS: (u64, u64) = (2, 60);
/// ELBv2 `HealthCheckTimeoutSeconds`: 2–120 s.
pub const NLB_HEALTH_TIMEOUT_SECS: (u64, u64) = (2, 120);
/// Classic `HealthyThreshold`/`UnhealthyThreshold`, ELBv2 `HealthyThresholdCount`/
/// `UnhealthyThresholdCount`: 2–10.
pub const AWS_HEALTH_THRESHOLD: (i64, i64) = (2, 10);
/// Classic `HealthCheck.Target` path: at most 1024 characters.
pub const HEALTH_PATH_MAX: usize = 1024;

/// Classic `ConnectionSettings.IdleTimeout`: 1–3600 s (API reference).
pub const CLASSIC_IDLE_TIMEOUT_SECS: (u64, u64) = (1, 3600);
/// NLB listener attribute `tcp.idle_timeout.seconds`: 60–6000 s (TCP listeners only).
pub const NLB_TCP_IDLE_TIMEOUT_SECS: (u64, u64) = (60, 6000);
/// An NLB TLS listener's idle timeout is fixed at 350 s and cannot be changed.
pub const NLB_TLS_IDLE_TIMEOUT_SECS: u64 = 350;

/// Classic `ConnectionDraining.Timeout`: 1–3600 s (Classic ELB guide, "Configure connection
/// draining").
pub const CLASSIC_CONNECTION_DRAINING_SECS: (u64, u64) = (1, 3600);
/// ELBv2 target group attribute `deregistration_delay.timeout_seconds`: 0–3600 s
/// (`TargetGroupAttribute`). The same `drain_timeout` sets
/// `target_health_state.unhealthy.draining_interval_seconds`, whose range (0–360000 s) is wider.
pub const NLB_DEREGISTRATION_DELAY_SECS: (u64, u64) = (0, 3600);

/// Classic `AccessLog.EmitInterval`: 5 or 60 minutes.
pub const CLASSIC_LOG_EMIT_MINUTES: [u64; 2] = [5, 60];

/// Load balancer and target group names: 1–32 characters of `[A-Za-z0-9-]`, not starting or
/// ending with `-` (`CreateLoadBalancer`); an ELBv2 name must not start with `internal-`.
pub const LB_NAME_MAX: usize = 32;

/// S3 bucket naming rules (general purpose buckets): 3–63 characters.
pub const S3_BUCKET_LEN: (usize, usize) = (3, 63);
/// Prefixes and suffixes S3 reserves.
pub const S3_RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
pub const S3_RESERVED_SUFFIXES: [&str; 3] = ["-s3alias", "--ol-s3", "--x-s3"];

/// Tags (EC2, ELB, ACM `Tag`): key 1–128 characters, value 0–256, keys must not start with
/// `aws:`, at most 50 per resource, characters `[\p{L}\p{Z}\p{N}_.:/=+\-@]` (ELB's pattern,
/// the strictest of the tagged services).
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;
/// 50 per resource, less the `Name` tag impala-lbgen puts on security groups.
pub const TAGS_MAX: usize = 49;

/// ACM `RequestCertificate`: at most 100 subject alternative names (the default quota is 10).
pub const ACM_SANS_MAX: usize = 100;
pub const ACM_SANS_DEFAULT_QUOTA: usize = 10;
/// ACM `RequestCertificate`: the domain name (the certificate's Common Name) is at most 64
/// octets (RFC 5280); longer names fit only as subject alternative names.
pub const ACM_DOMAIN_MAX: usize = 64;

/// EC2 `CreateSecurityGroup`: a group name cannot start with `sg-`.
pub const SECURITY_GROUP_RESERVED_PREFIX: &str = "sg-";
/// VPC quota "Inbound or outbound rules per security group": 60 by default (adjustable),
/// counted separately for IPv4 and IPv6 rules.
pub const SECURITY_GROUP_RULES_DEFAULT_QUOTA: usize = 60;

/// Route 53 hosted zone IDs: `Z` and up to 31 more upper-case letters and digits.
pub const HOSTED_ZONE_ID_MAX: usize = 32;

/// DNS names (RFC 1035/1123): labels of 1–63 characters, 253 in all.
pub const DNS_LABEL_MAX: usize = 63;
pub const DNS_NAME_MAX: usize = 253;

/// Our own limit for the cluster name: it ends up in names with their own limits.
pub const CLUSTER_NAME_MAX: usize = 63;

/// HAProxy: `maxconn` is an int; a million is far beyond what one process handles.
pub const HAPROXY_MAXCONN_MAX: i64 = 1_000_000;

/// The default TLS policy of a Classic ELB listener (Classic has no TLS 1.3 policies).
pub const CLASSIC_DEFAULT_TLS_POLICY: &str = "ELBSecurityPolicy-TLS-1-2-2017-01";
/// The default TLS policy of an NLB listener (CloudFormation's own default is the weak 2016-08).
pub const NLB_DEFAULT_TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Predefined Classic ELB security policies (`DescribeLoadBalancerPolicies`).
pub const CLASSIC_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-2015-03",
    "ELBSecurityPolicy-2015-02",
    "ELBSecurityPolicy-2014-10",
    "ELBSecurityPolicy-2014-01",
    "ELBSecurityPolicy-2011-08",
    "ELBSample-ELBDefaultCipherPolicy",
    "ELBSample-OpenSSLDefaultCipherPolicy",
];

/// Predefined ELBv2 TLS policies for NLB TLS listeners.
pub const NLB_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
];

/// Predefined ELB security policies that allow TLS 1.0 or 1.1 (the AWS guides' protocol
/// tables; "TLS13-1-0"/"-1-1" and "TLS-1-1" name their lowest version). AWS's Guard rules
/// ELB_PREDEFINED_SECURITY_POLICY_SSL_CHECK (Classic: only ELBSecurityPolicy-TLS-1-2-2017-01
/// passes) and ELBV2_LISTENER_SSL_POLICY_RULE flag them; validation warns. On a Classic ELB
/// every predefined policy but [`CLASSIC_DEFAULT_TLS_POLICY`] is one of them.
pub const WEAK_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-2015-03",
    "ELBSecurityPolicy-2015-02",
    "ELBSecurityPolicy-2014-10",
    "ELBSecurityPolicy-2014-01",
    "ELBSecurityPolicy-2011-08",
    "ELBSample-ELBDefaultCipherPolicy",
    "ELBSample-OpenSSLDefaultCipherPolicy",
];
