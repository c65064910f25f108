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

/// CloudWatch `PutMetricAlarm`: an alarm looks at most one day back (evaluation periods ×
/// period ≤ 86,400 s for periods of a minute or more).
pub const ALARM_EVALUATION_MAX_SECS: u64 = 86_400;
/// ELB publishes `HealthyHostCount`/`UnHealthyHostCount` every 60 s (Classic and NLB guides,
/// "CloudWatch metrics"): the period of the health alarms.
pub const ALARM_PERIOD_SECS: u64 = 60;
/// `AlarmDescription`: at most 1024 characters; alarm names at most 255.
pub const ALARM_NAME_MAX: usize = 255;
/// SNS topic names: 1–256 letters, digits, `_` and `-` (a FIFO topic's ends in `.fifo`).
pub const SNS_TOPIC_NAME_MAX: usize = 256;

/// S3 lifecycle `Expiration.Days`: a positive integer (an `int` in the API).
pub const S3_EXPIRATION_DAYS_MAX: i64 = i32::MAX as i64;

/// Who writes a Classic ELB's access logs into the bucket, by region: the Elastic Load
/// Balancing account of the region ("Enable access logs for your Classic Load Balancer",
/// step 2, and the same list in the Application Load Balancer guide, "Regions available
/// before August 2022"; the GovCloud and China accounts from the AWS GovCloud (US) and China
/// user guides, as listed by the Terraform AWS provider's `aws_elb_service_account`). A region
/// not listed (one launched in August 2022 or later) is written by the service principal
/// [`ELB_LOG_DELIVERY_PRINCIPAL`] instead, which AWS has accepted in every region since
/// September 2025 (Classic Load Balancer guide, document history); the account is kept where
/// one exists because older guides, and policies already in use, name it.
pub const ELB_LOG_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];
/// The service principal that writes a Classic ELB's access logs in regions without an
/// [`ELB_LOG_ACCOUNTS`] entry ("Regions available as of August 2022 or later").
pub const ELB_LOG_DELIVERY_PRINCIPAL: &str = "logdelivery.elasticloadbalancing.amazonaws.com";
/// The service principal that writes an NLB's access logs ("Enable access logs for your
/// Network Load Balancer", bucket requirements): `s3:GetBucketAcl` on the bucket and
/// `s3:PutObject` under `<prefix>/AWSLogs/<account>/`, both limited by `aws:SourceAccount` and
/// `aws:SourceArn` (`arn:<partition>:logs:<region>:<account>:*`), the object write also by
/// `s3:x-amz-acl` `bucket-owner-full-control`.
pub const NLB_LOG_DELIVERY_PRINCIPAL: &str = "delivery.logs.amazonaws.com";

/// VRRP (RFC 5798, 5.2.3): a virtual router ID is 1–255.
pub const VRRP_ROUTER_ID: (i64, i64) = (1, 255);
/// VRRP priority of a router that does not own the address: 1–254 (RFC 5798, 5.2.4: 255 is
/// the owner of the address, 0 a master that stops).
pub const VRRP_PRIORITY: (i64, i64) = (1, 254);
/// Linux network interface names: at most 15 bytes (`IFNAMSIZ` 16, with the NUL), not `.`
/// or `..`, no `/`, `:` or blanks (`dev_valid_name` in the kernel).
pub const INTERFACE_NAME_MAX: usize = 15;
