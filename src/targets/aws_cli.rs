//! `impala-lbgen aws-cli`: a bash script that builds the balancer with the AWS CLI, as the AWS
//! walk-through does by hand, and converges it when run again.
//!
//! The plan is turned into a [`View`] that only formats it: the JSON documents the AWS CLI
//! takes (`--ip-permissions` descriptions, `--tags`, filters, attributes, the Classic health
//! check), the NLB health-check options, and the protocol names per balancer kind. Every
//! string goes into the script through [`crate::render::shell_word`] (one single-quoted shell
//! word; control characters refused); raw `{{{...}}}` is kept for numbers and for constants of
//! this module. JSON is built here with `serde_json`, never by the script from spec values, so
//! a value cannot break out of the document it belongs to: the script only splices in ports,
//! protocol names, and the IDs and ARNs AWS returned. It looks resources up by listing them
//! and comparing names in bash, so no spec value goes into a JMESPath query either.

use serde::Serialize;
use serde_json::json;

use crate::error::Error;
use crate::plan::{
    self, Alias, Aws, Certificate, Check, Plan, Rule, Tag, ACCOUNT_ID, CLASSIC_TLS_POLICY_NAME,
    DEFAULT_CERTIFICATE_WAIT,
};
use crate::render::{Format, Renderer};
use crate::spec::model::{LoadBalancerKind, TlsMode};

const TARGET: &str = "aws-cli";

/// The templates, embedded at compile time. `setup.sh` is the document; the others are
/// partials it includes.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "setup.sh",
        include_str!("../../templates/aws-cli/setup.sh.hbs"),
    ),
    (
        "functions",
        include_str!("../../templates/aws-cli/functions.sh.hbs"),
    ),
    (
        "security-groups",
        include_str!("../../templates/aws-cli/security-groups.sh.hbs"),
    ),
    (
        "certificate",
        include_str!("../../templates/aws-cli/certificate.sh.hbs"),
    ),
    (
        "classic",
        include_str!("../../templates/aws-cli/classic.sh.hbs"),
    ),
    (
        "network",
        include_str!("../../templates/aws-cli/network.sh.hbs"),
    ),
    (
        "summary",
        include_str!("../../templates/aws-cli/summary.sh.hbs"),
    ),
    (
        "logs-bucket",
        include_str!("../../templates/aws-cli/logs-bucket.sh.hbs"),
    ),
    (
        "alarms",
        include_str!("../../templates/aws-cli/alarms.sh.hbs"),
    ),
];

/// The registry of the AWS CLI script's templates.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new(TARGET, Format::Shell, TEMPLATES)
}

/// Renders the plan as a bash script.
pub fn render(plan: &Plan) -> Result<String, Error> {
    render_with(&renderer()?, plan)
}

/// [`render`] with a registry from [`renderer`].
pub fn render_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    renderer.render("setup.sh", &View::new(plan)?)
}

/// What the templates print. Strings are shell-quoted by the registry; numbers and the
/// `&'static str` constants chosen here (protocols, kinds) may be printed raw.
#[derive(Debug, Serialize)]
pub struct View<'a> {
    /// `Classic ELB` or `Network Load Balancer`.
    pub kind_text: &'static str,
    /// `TLS offload`, `TLS bridge`, `TLS passthrough` or `no TLS`.
    pub tls_text: &'static str,
    pub cluster: &'a str,
    pub classic: bool,
    pub region: &'a str,
    pub vpc_id: &'a str,
    pub subnet_ids: &'a [String],
    pub name: &'a str,
    pub scheme: &'static str,
    pub frontend_group: GroupView<'a>,
    pub backend_group: GroupView<'a>,
    pub frontend_ingress: Vec<RuleView<'a>>,
    pub frontend_egress: Vec<RuleView<'a>>,
    pub backend_ingress: Vec<RuleView<'a>>,
    pub instances: Vec<&'a str>,
    /// The listener ports, in service order.
    pub ports: Vec<u16>,
    pub listeners: Vec<ListenerView<'a>>,
    /// The balancer's tags (`Name` first), as the JSON list `--tags` takes.
    pub tags: String,
    /// Classic `--health-check`, as JSON.
    pub classic_health_check: String,
    /// NLB target group health-check options, one shell word each.
    pub nlb_health_check: Vec<String>,
    /// Classic `--load-balancer-attributes` or NLB `--attributes`, as JSON.
    pub attributes: String,
    /// NLB TCP listener `--attributes` (the idle timeout), as JSON.
    pub listener_attributes: String,
    /// Any listener terminates TLS.
    pub tls: bool,
    pub tls_policy: Option<&'a str>,
    pub tls_policy_name: &'static str,
    /// Classic `--policy-attributes` of the SSL negotiation policy, as JSON.
    pub policy_attributes: Option<String>,
    /// `tls.certificate_arn`.
    pub certificate_arn: Option<&'a str>,
    /// An ACM certificate the script requests.
    pub certificate_request: Option<CertificateView>,
    pub certificate_wait: u64,
    /// Route 53 zone for the validation records and the alias record.
    pub hosted_zone_id: Option<&'a str>,
    /// The alias records pointing the name clients use at the balancer.
    pub alias: Option<&'a Alias>,
    /// NLB `--ip-address-type`: `ipv4` or `dualstack`.
    pub ip_address_type: &'static str,
    /// The name clients use, when the spec knows it; else the balancer's DNS name.
    pub client_host: Option<&'a str>,
    pub endpoints: Vec<EndpointView>,
    pub cloudera_manager_port: u16,
    /// The access-log bucket the script creates and configures.
    pub logs_bucket: Option<LogsBucketView>,
    /// Every alarm name impala-lbgen may give this balancer: those not in `alarms` are deleted.
    pub alarm_names: Vec<String>,
    pub alarms: Vec<AlarmView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct LogsBucketView {
    pub bucket: String,
    /// `create-bucket --create-bucket-configuration`, as JSON; none in us-east-1, which takes
    /// no location constraint.
    pub location: Option<String>,
    /// `put-bucket-tagging --tagging`, as JSON.
    pub tagging: String,
    /// `put-bucket-policy --policy`, as JSON, with `account_placeholder` for the account.
    pub policy: String,
    /// [`ACCOUNT_ID`], which the script replaces with the caller's account.
    pub account_placeholder: &'static str,
    /// `put-bucket-lifecycle-configuration --lifecycle-configuration`, as JSON.
    pub lifecycle: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AlarmView<'a> {
    pub name: &'a str,
    /// `put-metric-alarm --cli-input-json`: the whole alarm, with `<load-balancer>` and
    /// `<target-group>` where an NLB's dimension values go (known only once they exist).
    pub json: String,
    /// NLB: the name of the watched target group.
    pub target_group: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct GroupView<'a> {
    pub name: &'a str,
    pub description: &'a str,
    /// `describe-security-groups --filters`: this name in the VPC, as JSON.
    pub filters: String,
    /// `Name` and the spec's tags, as JSON.
    pub tags: String,
}

#[derive(Debug, Serialize)]
pub struct RuleView<'a> {
    pub port: u16,
    /// `CidrIp` or `CidrIpv6` for a rule from a CIDR block.
    pub kind: &'static str,
    pub cidr: Option<&'a str>,
    /// The rule's description as a JSON string (quotes included), for `--ip-permissions`.
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct ListenerView<'a> {
    pub key: &'static str,
    pub port: u16,
    pub backend_port: u16,
    /// Classic `SSL`/`TCP`, NLB `TLS`/`TCP`.
    pub protocol: &'static str,
    /// Classic instance protocol or NLB target group protocol.
    pub backend_protocol: &'static str,
    pub target_group_name: &'a str,
    /// The target group's tags (`Name` first), as JSON.
    pub target_group_tags: String,
    /// `modify-target-group-attributes --attributes`, as JSON.
    pub target_group_attributes: String,
}

#[derive(Debug, Serialize)]
pub struct CertificateView {
    /// In lower case, as ACM lists names.
    pub domain: String,
    pub subject_alternative_names: Vec<String>,
    /// Every name on the certificate, lower case, sorted, unique, separated by a space: what
    /// the script compares an existing certificate's names with.
    pub names: String,
    /// `Name` and the spec's tags, as JSON.
    pub tags: String,
}

#[derive(Debug, Serialize)]
pub struct EndpointView {
    pub key: &'static str,
    pub port: u16,
}

/// The tags of one resource as the JSON list the AWS CLI takes: `Name` first, then the spec's.
fn tags_json(name: &str, tags: &[Tag]) -> String {
    let list: Vec<_> = std::iter::once(json!({"Key": "Name", "Value": name}))
        .chain(tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn rule_view(r: &Rule) -> RuleView<'_> {
    RuleView {
        port: r.port,
        kind: if r.cidr.as_ref().is_some_and(|c| c.ipv6) {
            "CidrIpv6"
        } else {
            "CidrIp"
        },
        cidr: r.cidr.as_ref().map(|c| c.block.as_str()),
        description: json!(r.description).to_string(),
    }
}

impl<'a> View<'a> {
    pub fn new(plan: &'a Plan) -> Result<View<'a>, Error> {
        let aws: &Aws = plan.aws.as_ref().ok_or_else(|| Error::Render {
            target: TARGET,
            message: "the plan has no aws section".into(),
        })?;
        let classic = aws.kind == LoadBalancerKind::Classic;
        let tls = plan.tls.as_ref();
        let terminates = tls.is_some_and(|t| t.terminates());
        let tls_mode = tls.map(|t| match t.mode {
            TlsMode::Offload => "TLS offload",
            TlsMode::Bridge => "TLS bridge",
            TlsMode::Passthrough => "TLS passthrough",
        });

        let group = |g: &'a crate::plan::Group| GroupView {
            name: &g.name,
            description: &g.description,
            filters: json!([
                {"Name": "vpc-id", "Values": [aws.vpc_id]},
                {"Name": "group-name", "Values": [g.name]},
            ])
            .to_string(),
            tags: tags_json(&g.name, &aws.tags),
        };

        let hc = &plan.health_check;
        let tg = &aws.target_group;
        // Every attribute the plan decides, written out rather than left to AWS's defaults.
        let mut tg_attributes = vec![
            json!({"Key": "deregistration_delay.timeout_seconds", "Value": tg.deregistration_delay.to_string()}),
            json!({"Key": "deregistration_delay.connection_termination.enabled", "Value": tg.deregistration_connection_termination.to_string()}),
            json!({"Key": "target_health_state.unhealthy.connection_termination.enabled", "Value": tg.unhealthy_connection_termination.to_string()}),
        ];
        if let Some(interval) = tg.unhealthy_draining_interval {
            tg_attributes.push(json!({"Key": "target_health_state.unhealthy.draining_interval_seconds", "Value": interval.to_string()}));
        }
        tg_attributes.extend([
            json!({"Key": "load_balancing.cross_zone.enabled", "Value": tg.cross_zone.to_string()}),
            json!({"Key": "preserve_client_ip.enabled", "Value": tg.preserve_client_ip.to_string()}),
        ]);
        let listeners = aws
            .listeners
            .iter()
            .map(|l| {
                let (protocol, backend_protocol) = if classic {
                    l.classic_protocols()
                } else {
                    l.nlb_protocols()
                };
                let mut attributes = tg_attributes.clone();
                // Stickiness is set (on or off) only where AWS supports it: on TCP target
                // groups. `sticky` is never set behind TLS (see plan::Listener::sticky).
                if backend_protocol == "TCP" {
                    attributes
                        .push(json!({"Key": "stickiness.enabled", "Value": l.sticky.to_string()}));
                    if l.sticky {
                        attributes.push(json!({"Key": "stickiness.type", "Value": "source_ip"}));
                    }
                }
                ListenerView {
                    key: l.key,
                    port: l.port,
                    backend_port: l.backend_port,
                    protocol,
                    backend_protocol,
                    target_group_name: &l.target_group_name,
                    target_group_tags: tags_json(&l.target_group_name, &aws.tags),
                    target_group_attributes: serde_json::Value::Array(attributes).to_string(),
                }
            })
            .collect();

        let (classic_target, nlb_protocol, path) = match &hc.check {
            Check::Tcp { .. } => (format!("TCP:{}", hc.port), "TCP", None),
            Check::Http { path } => (
                format!("HTTP:{}{path}", hc.port),
                "HTTP",
                Some(path.as_str()),
            ),
        };
        let classic_health_check = json!({
            "Target": classic_target,
            "Interval": hc.interval,
            "Timeout": hc.timeout,
            "UnhealthyThreshold": hc.unhealthy_threshold,
            "HealthyThreshold": hc.healthy_threshold,
        })
        .to_string();
        let mut nlb_health_check: Vec<String> = [
            "--health-check-enabled".to_string(),
            "--health-check-protocol".to_string(),
            nlb_protocol.to_string(),
            "--health-check-port".to_string(),
            hc.port.to_string(),
        ]
        .into();
        if let Some(path) = path {
            nlb_health_check.extend([
                "--health-check-path".to_string(),
                path.to_string(),
                "--matcher".to_string(),
                json!({"HttpCode": "200"}).to_string(),
            ]);
        }
        nlb_health_check.extend([
            "--health-check-interval-seconds".to_string(),
            hc.interval.to_string(),
            "--health-check-timeout-seconds".to_string(),
            hc.timeout.to_string(),
            "--healthy-threshold-count".to_string(),
            hc.healthy_threshold.to_string(),
            "--unhealthy-threshold-count".to_string(),
            hc.unhealthy_threshold.to_string(),
        ]);

        let logs = aws.access_logs.as_ref();
        let attributes = if classic {
            let access_log = match logs {
                Some(l) => {
                    let mut a = json!({
                        "Enabled": true,
                        "S3BucketName": l.bucket,
                        "EmitInterval": l.interval_minutes,
                    });
                    if let Some(prefix) = &l.prefix {
                        a["S3BucketPrefix"] = json!(prefix);
                    }
                    a
                }
                None => json!({"Enabled": false}),
            };
            json!({
                "CrossZoneLoadBalancing": {"Enabled": true},
                "ConnectionDraining": {"Enabled": true, "Timeout": aws.connection_draining},
                "ConnectionSettings": {"IdleTimeout": plan.idle_timeout},
                "AccessLog": access_log,
            })
            .to_string()
        } else {
            let mut a = vec![
                json!({"Key": "load_balancing.cross_zone.enabled", "Value": "true"}),
                json!({"Key": "deletion_protection.enabled", "Value": "true"}),
                json!({"Key": "access_logs.s3.enabled", "Value": logs.is_some().to_string()}),
            ];
            if let Some(l) = logs {
                a.push(json!({"Key": "access_logs.s3.bucket", "Value": l.bucket}));
                if let Some(prefix) = &l.prefix {
                    a.push(json!({"Key": "access_logs.s3.prefix", "Value": prefix}));
                }
            }
            serde_json::Value::Array(a).to_string()
        };
        let listener_attributes = json!([
            {"Key": "tcp.idle_timeout.seconds", "Value": plan.idle_timeout.to_string()}
        ])
        .to_string();

        let tls_policy = aws.tls_policy.as_deref().filter(|_| terminates);
        let (certificate_arn, certificate_request) = match tls.map(|t| &t.certificate) {
            Some(Certificate::Existing { arn }) if terminates => (Some(arn.as_str()), None),
            Some(Certificate::Request {
                domain,
                subject_alternative_names,
            }) if terminates => {
                let domain = domain.to_ascii_lowercase();
                let sans: Vec<String> = subject_alternative_names
                    .iter()
                    .map(|s| s.to_ascii_lowercase())
                    .collect();
                let mut names: Vec<&str> = std::iter::once(domain.as_str())
                    .chain(sans.iter().map(String::as_str))
                    .collect();
                names.sort_unstable();
                names.dedup();
                let names = names.join(" ");
                (
                    None,
                    Some(CertificateView {
                        tags: tags_json(&aws.name, &aws.tags),
                        domain,
                        subject_alternative_names: sans,
                        names,
                    }),
                )
            }
            _ => (None, None),
        };
        let hosted_zone_id = tls.and_then(|t| t.hosted_zone_id.as_deref());

        let logs_bucket = aws
            .access_logs
            .as_ref()
            .filter(|l| l.create_bucket)
            .map(|l| {
                let tags: Vec<_> = std::iter::once(json!({"Key": "Name", "Value": l.bucket}))
                    .chain(
                        aws.tags
                            .iter()
                            .map(|t| json!({"Key": t.key, "Value": t.value})),
                    )
                    .collect();
                LogsBucketView {
                    bucket: l.bucket.clone(),
                    location: (aws.region != "us-east-1")
                        .then(|| json!({"LocationConstraint": aws.region}).to_string()),
                    tagging: json!({ "TagSet": tags }).to_string(),
                    policy: serde_json::to_string(&plan::policy_document(&l.policy))
                        .unwrap_or_default(),
                    account_placeholder: ACCOUNT_ID,
                    lifecycle: l.retention_days.map(|days| {
                        json!({"Rules": [{
                            "ID": "expire-access-logs",
                            "Status": "Enabled",
                            "Filter": {},
                            "Expiration": {"Days": days},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        }]})
                        .to_string()
                    }),
                }
            });
        let topic = aws.alarms.as_ref().and_then(|a| a.sns_topic_arn.as_deref());
        let alarms = aws
            .alarms
            .iter()
            .flat_map(|a| &a.alarms)
            .map(|a| {
                let listener = a
                    .service
                    .and_then(|k| aws.listeners.iter().find(|l| l.service == k));
                let dimensions = match listener {
                    None => json!([{"Name": "LoadBalancerName", "Value": aws.name}]),
                    Some(_) => json!([
                        {"Name": "LoadBalancer", "Value": "<load-balancer>"},
                        {"Name": "TargetGroup", "Value": "<target-group>"},
                    ]),
                };
                let mut input = json!({
                    "AlarmName": a.name,
                    "AlarmDescription": a.description,
                    "Namespace": a.namespace,
                    "MetricName": a.metric,
                    "Dimensions": dimensions,
                    "Statistic": a.statistic,
                    "Period": a.period,
                    "EvaluationPeriods": a.evaluation_periods,
                    "Threshold": a.threshold,
                    "ComparisonOperator": a.comparison,
                    "TreatMissingData": a.treat_missing_data,
                });
                if let Some(arn) = topic {
                    input["AlarmActions"] = json!([arn]);
                    input["OKActions"] = json!([arn]);
                }
                if !aws.tags.is_empty() {
                    input["Tags"] = aws
                        .tags
                        .iter()
                        .map(|t| json!({"Key": t.key, "Value": t.value}))
                        .collect();
                }
                AlarmView {
                    name: &a.name,
                    json: input.to_string(),
                    target_group: listener.map(|l| l.target_group_name.as_str()),
                }
            })
            .collect();

        Ok(View {
            logs_bucket,
            alarm_names: plan::alarm_names(&aws.name),
            alarms,
            kind_text: if classic {
                "Classic ELB"
            } else {
                "Network Load Balancer"
            },
            tls_text: tls_mode.unwrap_or("no TLS"),
            cluster: &plan.cluster,
            classic,
            region: &aws.region,
            vpc_id: &aws.vpc_id,
            subnet_ids: &aws.subnet_ids,
            name: &aws.name,
            scheme: aws.scheme.key(),
            frontend_group: group(&aws.frontend_group),
            backend_group: group(&aws.backend_group),
            frontend_ingress: aws.frontend_ingress.iter().map(rule_view).collect(),
            frontend_egress: aws.frontend_egress.iter().map(rule_view).collect(),
            backend_ingress: aws.backend_ingress.iter().map(rule_view).collect(),
            instances: plan
                .daemons
                .iter()
                .filter_map(|d| d.instance_id.as_deref())
                .collect(),
            ports: aws.listeners.iter().map(|l| l.port).collect(),
            listeners,
            tags: tags_json(&aws.name, &aws.tags),
            classic_health_check,
            nlb_health_check,
            attributes,
            listener_attributes,
            tls: terminates,
            tls_policy,
            tls_policy_name: CLASSIC_TLS_POLICY_NAME,
            policy_attributes: tls_policy.map(|p| {
                json!([{"AttributeName": "Reference-Security-Policy", "AttributeValue": p}])
                    .to_string()
            }),
            certificate_arn,
            certificate_request,
            certificate_wait: DEFAULT_CERTIFICATE_WAIT,
            hosted_zone_id,
            alias: aws.alias.as_ref(),
            ip_address_type: aws.ip_address_type.key(),
            client_host: plan.client_host(),
            endpoints: aws
                .listeners
                .iter()
                .map(|l| EndpointView {
                    key: l.key,
                    port: l.port,
                })
                .collect(),
            cloudera_manager_port: plan.cloudera_manager_port(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_load() {
        renderer().unwrap();
    }
}
