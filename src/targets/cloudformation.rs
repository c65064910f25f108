//! CloudFormation: one template a user deploys unchanged with `aws cloudformation deploy`.
//!
//! The plan is turned into a [`View`] that only formats it (logical IDs, the Classic health
//! check target `TCP:<port>`, protocol names), rendered through the YAML registry of
//! `templates/cloudformation/`. `--format json` is the same render read back with our YAML
//! reader and written as JSON in document order, so the two formats cannot disagree.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::error::Error;
use crate::plan::{
    Aws, Certificate, Check, Plan, PolicyStatement, Principal, Tag, TargetGroupSettings,
    ACCOUNT_ID, CLASSIC_TLS_POLICY_NAME,
};
use crate::render::{Format, Renderer};
use crate::spec::model::{LoadBalancerKind, TlsMode};
use crate::spec::yaml::{self, Node, NodeKind};

const TARGET: &str = "cloudformation";

/// The templates, embedded at compile time. `template` is the document; the others are
/// partials it includes.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "template",
        include_str!("../../templates/cloudformation/template.yaml.hbs"),
    ),
    (
        "security-groups",
        include_str!("../../templates/cloudformation/security-groups.yaml.hbs"),
    ),
    (
        "classic",
        include_str!("../../templates/cloudformation/classic.yaml.hbs"),
    ),
    (
        "network",
        include_str!("../../templates/cloudformation/network.yaml.hbs"),
    ),
    (
        "certificate",
        include_str!("../../templates/cloudformation/certificate.yaml.hbs"),
    ),
    (
        "outputs",
        include_str!("../../templates/cloudformation/outputs.yaml.hbs"),
    ),
    (
        "tags",
        include_str!("../../templates/cloudformation/tags.yaml.hbs"),
    ),
    (
        "logs-bucket",
        include_str!("../../templates/cloudformation/logs-bucket.yaml.hbs"),
    ),
    (
        "alarms",
        include_str!("../../templates/cloudformation/alarms.yaml.hbs"),
    ),
    (
        "migration",
        include_str!("../../templates/cloudformation/migration.yaml.hbs"),
    ),
];

/// The registry of the CloudFormation templates.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new(TARGET, Format::Yaml, TEMPLATES)
}

/// Renders the plan as a CloudFormation template in YAML.
pub fn render(plan: &Plan) -> Result<String, Error> {
    render_with(&renderer()?, plan)
}

/// Renders the plan as a CloudFormation template in YAML with a registry from [`renderer`].
/// (That every template reads back as YAML is proved by the tests and the fuzzer, not here:
/// parsing the output again would cost more than rendering it.)
pub fn render_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    let text = renderer.render("template", &View::new(plan)?)?;
    Ok(retain(text, &adopted(plan)))
}

/// One existing resource an adopting spec imports into the stack: its logical ID, type, and
/// the identifier CloudFormation finds it by (the type's primary identifier).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adopted {
    #[serde(rename = "ResourceType")]
    pub resource_type: &'static str,
    #[serde(rename = "LogicalResourceId")]
    pub logical_id: String,
    #[serde(rename = "ResourceIdentifier")]
    pub identifier: std::collections::BTreeMap<&'static str, String>,
}

/// The resources the plan adopts, in template order.
pub fn adopted(plan: &Plan) -> Vec<Adopted> {
    let Some(aws) = plan.aws.as_ref() else {
        return Vec::new();
    };
    let Some(adopt) = &aws.adopt else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |resource_type, logical_id: String, key, value: &str| {
        out.push(Adopted {
            resource_type,
            logical_id,
            identifier: [(key, value.to_string())].into(),
        })
    };
    if let Some(id) = &aws.frontend_group.adopted_id {
        add(
            "AWS::EC2::SecurityGroup",
            "FrontEndSecurityGroup".into(),
            "Id",
            id,
        );
    }
    if let Some(id) = &aws.backend_group.adopted_id {
        add(
            "AWS::EC2::SecurityGroup",
            "BackEndSecurityGroup".into(),
            "Id",
            id,
        );
    }
    for r in &aws.backend_ingress {
        if let Some(id) = &r.adopted_id {
            add(
                "AWS::EC2::SecurityGroupIngress",
                format!("BackEndIngressPort{}", r.port),
                "Id",
                id,
            );
        }
    }
    if adopt.balancer {
        match (&adopt.arn, aws.kind) {
            (None, LoadBalancerKind::Classic) => add(
                "AWS::ElasticLoadBalancing::LoadBalancer",
                "LoadBalancer".into(),
                "LoadBalancerName",
                &aws.name,
            ),
            (Some(arn), _) => add(
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "LoadBalancer".into(),
                "LoadBalancerArn",
                arn,
            ),
            (None, _) => {}
        }
        for l in &aws.listeners {
            if let Some(a) = &l.adopted {
                let id = pascal(l.service.slug());
                add(
                    "AWS::ElasticLoadBalancingV2::TargetGroup",
                    format!("TargetGroup{id}"),
                    "TargetGroupArn",
                    &a.target_group_arn,
                );
                add(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    format!("Listener{id}"),
                    "ListenerArn",
                    &a.listener_arn,
                );
            }
        }
    }
    out
}

/// Puts `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain` on each adopted resource
/// (resource import needs a deletion policy; Retain keeps an existing resource whatever later
/// happens to the stack).
fn retain(template: String, adopted: &[Adopted]) -> String {
    if adopted.is_empty() {
        return template;
    }
    let mut out = String::with_capacity(template.len() + adopted.len() * 64);
    let mut pending = false;
    for line in template.lines() {
        if let Some(id) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            pending = !id.starts_with(' ') && adopted.iter().any(|a| a.logical_id == id);
        }
        out.push_str(line);
        out.push('\n');
        if pending && line.starts_with("    Type: ") {
            out.push_str("    # An existing resource (aws.adopt): imported, and kept if the stack lets go of it.\n");
            out.push_str("    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n");
            pending = false;
        }
    }
    out
}

/// The template for `aws cloudformation create-change-set --change-set-type IMPORT`: the
/// adopted resources only (an import may add nothing else, and no outputs), each with its
/// deletion policy, as JSON in template order. A property that refers to a resource the import
/// does not bring is left out; the update with the whole template that follows sets it.
pub fn render_import(plan: &Plan) -> Result<String, Error> {
    import_template(plan, &render(plan)?)
}

/// [`render_import`] from `template`, the plan's template as [`render_with`] wrote it.
pub fn import_template(plan: &Plan, template: &str) -> Result<String, Error> {
    let adopted = adopted(plan);
    let node = parse_template(template)?;
    let keep: Vec<&str> = adopted.iter().map(|a| a.logical_id.as_str()).collect();
    let NodeKind::Map(top) = node.kind else {
        return Err(Error::Render {
            target: TARGET,
            message: "the template is not a mapping".into(),
        });
    };
    let mut entries = Vec::new();
    for e in top {
        match e.key.as_str() {
            "Outputs" => {}
            "Description" => {
                let mut e = e;
                if let NodeKind::Str(d) = &mut e.value.kind {
                    d.insert_str(0, "Import of existing resources: ");
                }
                entries.push(e);
            }
            "Resources" => {
                let mut e = e;
                if let NodeKind::Map(resources) = &mut e.value.kind {
                    resources.retain(|r| keep.contains(&r.key.as_str()));
                    for r in resources.iter_mut() {
                        drop_references(&mut r.value, &keep);
                    }
                }
                entries.push(e);
            }
            _ => entries.push(e),
        }
    }
    let node = Node {
        kind: NodeKind::Map(entries),
        ..node
    };
    pretty_json(&InOrder(&node))
}

/// The `--resources-to-import` file for the import template.
pub fn render_resources_to_import(plan: &Plan) -> Result<String, Error> {
    pretty_json(&adopted(plan))
}

/// Removes from a resource the properties whose value refers to a resource not in `keep`.
fn drop_references(resource: &mut Node, keep: &[&str]) {
    let NodeKind::Map(entries) = &mut resource.kind else {
        return;
    };
    for e in entries.iter_mut().filter(|e| e.key == "Properties") {
        if let NodeKind::Map(props) = &mut e.value.kind {
            props.retain(|p| !refers_elsewhere(&p.value, keep));
        }
    }
}

fn refers_elsewhere(node: &Node, keep: &[&str]) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => entries.iter().any(|e| {
            let named = match (e.key.as_str(), &e.value.kind) {
                ("Ref", NodeKind::Str(id)) => Some(id.as_str()),
                ("Fn::GetAtt", NodeKind::Seq(items)) => match items.first().map(|i| &i.kind) {
                    Some(NodeKind::Str(id)) => Some(id.as_str()),
                    _ => None,
                },
                ("Fn::Sub", _) => Some(""),
                _ => None,
            };
            named.is_some_and(|id| !keep.contains(&id)) || refers_elsewhere(&e.value, keep)
        }),
        NodeKind::Seq(items) => items.iter().any(|i| refers_elsewhere(i, keep)),
        _ => false,
    }
}

/// Renders the plan as a CloudFormation template in JSON: the YAML render, keys in the same
/// order, pretty-printed.
pub fn render_json(plan: &Plan) -> Result<String, Error> {
    render_json_with(&renderer()?, plan)
}

/// [`render_json`] with a registry from [`renderer`].
pub fn render_json_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    yaml_to_json(&render_with(renderer, plan)?)
}

/// Converts a YAML template to pretty JSON, keeping the order of keys as written.
pub fn yaml_to_json(text: &str) -> Result<String, Error> {
    pretty_json(&InOrder(&parse_template(text)?))
}

/// A rendered template read back as YAML.
fn parse_template(text: &str) -> Result<Node, Error> {
    yaml::parse(text).map_err(|e| Error::Render {
        target: TARGET,
        message: format!("the template is not valid YAML: {}", e.message),
    })
}

/// `value` as pretty-printed JSON with a final newline.
fn pretty_json(value: &impl Serialize) -> Result<String, Error> {
    let mut out = serde_json::to_string_pretty(value).map_err(|e| Error::Render {
        target: TARGET,
        message: e.to_string(),
    })?;
    out.push('\n');
    Ok(out)
}

/// A YAML node serialised with its mapping keys in document order (`serde_json::Value` would
/// sort them without the `preserve_order` feature, which would change every other JSON the
/// crate handles).
struct InOrder<'a>(&'a Node);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0.kind {
            NodeKind::Null => s.serialize_unit(),
            NodeKind::Bool(b) => s.serialize_bool(*b),
            NodeKind::Int(i) => s.serialize_i64(*i),
            NodeKind::Float(f) => s.serialize_f64(*f),
            NodeKind::Str(t) => s.serialize_str(t),
            NodeKind::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&InOrder(item))?;
                }
                seq.end()
            }
            NodeKind::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for e in entries {
                    map.serialize_entry(&e.key, &InOrder(&e.value))?;
                }
                map.end()
            }
        }
    }
}

/// What the templates print: the plan, formatted for CloudFormation. Strings are escaped by
/// the YAML registry; numbers are printed raw and come from validated `u16`/`u32`/`u64`.
#[derive(Debug, Serialize)]
pub struct View<'a> {
    pub description: String,
    pub cluster: &'a str,
    pub classic: bool,
    pub region: &'a str,
    pub vpc_id: &'a str,
    pub subnet_ids: &'a [String],
    pub name: &'a str,
    pub scheme: &'static str,
    /// NLB `IpAddressType`: `ipv4` or `dualstack`.
    pub ip_address_type: &'static str,
    pub frontend_group: GroupView<'a>,
    pub backend_group: GroupView<'a>,
    pub frontend_ingress: Vec<RuleView<'a>>,
    pub frontend_egress: Vec<RuleView<'a>>,
    pub backend_ingress: Vec<RuleView<'a>>,
    pub listeners: Vec<ListenerView<'a>>,
    pub health_check: HealthView<'a>,
    pub idle_timeout: u64,
    pub connection_draining: u64,
    /// NLB target group attributes.
    pub target_group: &'a TargetGroupSettings,
    pub access_logs: Option<LogsView<'a>>,
    pub tags: &'a [Tag],
    /// The Classic ELB's `Instances`, or each NLB target group's `Targets`.
    pub instances: Vec<&'a str>,
    /// Any listener terminates TLS.
    pub tls: bool,
    pub tls_policy: Option<&'a str>,
    pub tls_policy_name: &'static str,
    /// `tls.certificate_arn`.
    pub certificate_arn: Option<&'a str>,
    /// An ACM certificate this stack requests.
    pub certificate_request: Option<CertificateView<'a>>,
    /// Route 53 alias records for the name clients use.
    pub alias: Vec<AliasView<'a>>,
    /// The weighted record pair of a migration from a Classic ELB (then there is no alias).
    pub migration: Option<MigrationView<'a>>,
    /// Cloudera Manager's "Impala Daemons Load Balancer", when the host is known.
    pub cloudera_manager: Option<String>,
    pub cloudera_manager_port: u16,
    /// The balancer's attribute naming the Route 53 zone of its DNS name.
    pub hosted_zone_attribute: &'static str,
    pub metadata: MetadataView,
    /// The access-log bucket this stack creates, with its policy.
    pub logs_bucket: Option<LogsBucketView<'a>>,
    /// CloudWatch alarms on the daemons' health.
    pub alarms: Vec<AlarmView<'a>>,
    /// Where the alarms notify.
    pub alarm_topic: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct LogsBucketView<'a> {
    pub bucket: &'a str,
    pub retention_days: Option<u32>,
    pub statements: Vec<StatementView>,
}

/// A bucket policy statement as CloudFormation writes it.
#[derive(Debug, Serialize)]
pub struct StatementView {
    pub sid: &'static str,
    pub effect: &'static str,
    /// `AWS` or `Service`; none for anyone (`Principal: "*"`).
    pub principal_key: Option<&'static str>,
    pub principal: Option<String>,
    pub actions: Vec<&'static str>,
    pub resources: Vec<SubView>,
    /// Per operator (`StringEquals`, ...), its keys and values.
    pub conditions: Vec<ConditionView>,
}

#[derive(Debug, Serialize)]
pub struct ConditionView {
    pub test: &'static str,
    pub keys: Vec<ConditionKeyView>,
}

#[derive(Debug, Serialize)]
pub struct ConditionKeyView {
    pub variable: &'static str,
    pub values: Vec<SubView>,
}

/// A string, written through `Fn::Sub` when it holds the stack's account ID.
#[derive(Debug, Serialize)]
pub struct SubView {
    pub text: String,
    pub sub: bool,
}

impl SubView {
    /// [`ACCOUNT_ID`] as `${AWS::AccountId}`; any other `${` written `${!` so that `Fn::Sub`
    /// takes it literally (no plan value holds one: bucket names, prefixes and regions cannot).
    fn of(text: &str) -> SubView {
        if !text.contains(ACCOUNT_ID) {
            return SubView {
                text: text.to_string(),
                sub: false,
            };
        }
        let parts: Vec<String> = text
            .split(ACCOUNT_ID)
            .map(|p| p.replace("${", "${!"))
            .collect();
        SubView {
            text: parts.join("${AWS::AccountId}"),
            sub: true,
        }
    }
}

fn statement_view(st: &PolicyStatement) -> StatementView {
    let (principal_key, principal) = match &st.principal {
        Principal::Aws(arn) => (Some("AWS"), Some(arn.clone())),
        Principal::Service(s) => (Some("Service"), Some(s.to_string())),
        Principal::Anyone => (None, None),
    };
    let mut conditions: Vec<ConditionView> = Vec::new();
    for c in &st.conditions {
        let key = ConditionKeyView {
            variable: c.variable,
            values: c.values.iter().map(|v| SubView::of(v)).collect(),
        };
        match conditions.iter_mut().find(|v| v.test == c.test) {
            Some(v) => v.keys.push(key),
            None => conditions.push(ConditionView {
                test: c.test,
                keys: vec![key],
            }),
        }
    }
    StatementView {
        sid: st.sid,
        effect: st.effect,
        principal_key,
        principal,
        actions: st.actions.clone(),
        resources: st.resources.iter().map(|r| SubView::of(r)).collect(),
        conditions,
    }
}

#[derive(Debug, Serialize)]
pub struct AlarmView<'a> {
    /// The logical ID.
    pub id: String,
    pub alarm: &'a crate::plan::Alarm,
    /// NLB: the logical ID of the watched target group.
    pub target_group: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct GroupView<'a> {
    pub name: &'a str,
    pub description: &'a str,
}

#[derive(Debug, Serialize)]
pub struct RuleView<'a> {
    /// The logical ID of a standalone rule.
    pub id: String,
    pub port: u16,
    /// `CidrIp` or `CidrIpv6`, for rules from a CIDR block.
    pub cidr_key: &'static str,
    pub cidr: Option<&'a str>,
    pub description: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ListenerView<'a> {
    /// The service in a logical ID: `Beeswax`, `Hs2`, `Hs2Http`.
    pub id: String,
    pub key: &'a str,
    pub port: u16,
    pub backend_port: u16,
    /// Classic `Protocol` (`TCP`/`SSL`) or NLB listener protocol (`TCP`/`TLS`).
    pub protocol: &'static str,
    /// Classic `InstanceProtocol` or NLB target group protocol.
    pub backend_protocol: &'static str,
    pub frontend_tls: bool,
    pub sticky: bool,
    pub target_group_name: &'a str,
    /// `host:port`, when the host is known (else the balancer's DNS name is used).
    pub endpoint: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HealthView<'a> {
    /// Classic `HealthCheck.Target`: `TCP:<port>` or `HTTP:<port><path>`.
    pub classic_target: String,
    /// NLB `HealthCheckProtocol`: `TCP` or `HTTP`.
    pub protocol: &'static str,
    pub path: Option<&'a str>,
    pub port: u16,
    pub interval: u64,
    pub timeout: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
}

#[derive(Debug, Serialize)]
pub struct LogsView<'a> {
    pub bucket: &'a str,
    pub prefix: Option<&'a str>,
    pub interval_minutes: u64,
}

#[derive(Debug, Serialize)]
pub struct CertificateView<'a> {
    pub domain: &'a str,
    pub subject_alternative_names: &'a [String],
    /// Every name on the certificate with the zone that validates it.
    pub validation: Vec<ValidationView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ValidationView<'a> {
    pub domain: &'a str,
    pub hosted_zone_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct AliasView<'a> {
    /// The logical ID: `DnsRecord` (A), `DnsRecordIpv6` (AAAA).
    pub id: &'static str,
    /// `A` or `AAAA`.
    pub record_type: &'static str,
    pub domain: &'a str,
    pub hosted_zone_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct MigrationView<'a> {
    pub plan: &'a crate::plan::Migration,
    /// The Classic ELB's name for a comment (a valid ELB name: letters, digits and `-`).
    pub classic_label: &'a str,
}

#[derive(Debug, Serialize)]
pub struct MetadataView {
    /// Why and how to add the back-end group to the impalad instances, a sentence a line.
    pub existing_instances: Vec<String>,
    /// A command per instance.
    pub commands: Vec<String>,
}

/// `hs2-http` → `Hs2Http`: a service in a logical ID (letters and digits only).
fn pascal(slug: &str) -> String {
    slug.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

impl<'a> View<'a> {
    pub fn new(plan: &'a Plan) -> Result<View<'a>, Error> {
        let aws: &Aws = plan.aws.as_ref().ok_or_else(|| Error::Render {
            target: TARGET,
            message: "the plan has no aws section".into(),
        })?;
        let classic = aws.kind == LoadBalancerKind::Classic;
        let tls_mode = plan.tls.as_ref().map(|t| t.mode);
        let lb_kind = if classic {
            "Classic ELB"
        } else {
            "Network Load Balancer"
        };
        let tls_text = match tls_mode {
            None => "no TLS",
            Some(TlsMode::Offload) => "TLS offload",
            Some(TlsMode::Bridge) => "TLS bridge",
            Some(TlsMode::Passthrough) => "TLS passthrough",
        };
        let description = format!(
            "impala-lbgen: Apache Impala load balancer {} for cluster {} ({lb_kind}, {tls_text})",
            aws.name, plan.cluster
        );

        let client_host = plan.client_host();
        let cloudera_manager_port = plan.cloudera_manager_port();
        let rule = |r: &'a crate::plan::Rule, id: String| RuleView {
            id,
            port: r.port,
            cidr_key: if r.cidr.as_ref().is_some_and(|c| c.ipv6) {
                "CidrIpv6"
            } else {
                "CidrIp"
            },
            cidr: r.cidr.as_ref().map(|c| c.block.as_str()),
            description: &r.description,
        };

        let listeners = aws
            .listeners
            .iter()
            .map(|l| {
                let (protocol, backend_protocol) = if classic {
                    l.classic_protocols()
                } else {
                    l.nlb_protocols()
                };
                ListenerView {
                    id: pascal(l.service.slug()),
                    key: l.key,
                    port: l.port,
                    backend_port: l.backend_port,
                    protocol,
                    backend_protocol,
                    frontend_tls: l.frontend_tls,
                    sticky: l.sticky,
                    target_group_name: &l.target_group_name,
                    endpoint: client_host.map(|h| format!("{h}:{}", l.port)),
                }
            })
            .collect();

        let hc = &plan.health_check;
        let (classic_target, protocol, path) = match &hc.check {
            Check::Tcp { .. } => (format!("TCP:{}", hc.port), "TCP", None),
            Check::Http { path } => (
                format!("HTTP:{}{path}", hc.port),
                "HTTP",
                Some(path.as_str()),
            ),
        };

        let tls = plan.tls.as_ref();
        let terminates = tls.is_some_and(|t| t.terminates());
        let (certificate_arn, certificate_request) = match tls.map(|t| &t.certificate) {
            Some(Certificate::Existing { arn }) if terminates => (Some(arn.as_str()), None),
            Some(Certificate::Request {
                domain,
                subject_alternative_names,
            }) if terminates => {
                let zone = tls.and_then(|t| t.hosted_zone_id.as_deref());
                let validation = zone
                    .map(|z| {
                        std::iter::once(domain)
                            .chain(subject_alternative_names)
                            .map(|d| ValidationView {
                                domain: d,
                                hosted_zone_id: z,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    None,
                    Some(CertificateView {
                        domain,
                        subject_alternative_names,
                        validation,
                    }),
                )
            }
            _ => (None, None),
        };
        let alias = aws
            .alias
            .iter()
            .flat_map(|a| {
                a.record_types.iter().map(move |t| AliasView {
                    id: if *t == "AAAA" {
                        "DnsRecordIpv6"
                    } else {
                        "DnsRecord"
                    },
                    record_type: t,
                    domain: &a.name,
                    hosted_zone_id: &a.hosted_zone_id,
                })
            })
            .collect();
        let migration = aws.migration.as_ref().map(|m| MigrationView {
            plan: m,
            classic_label: &m.classic_name,
        });

        let instances: Vec<&str> = plan
            .daemons
            .iter()
            .filter_map(|d| d.instance_id.as_deref())
            .collect();
        let metadata = MetadataView {
            existing_instances: vec![
                "CloudFormation cannot add a security group to instances it does not create."
                    .to_string(),
                format!(
                    "Until each impalad instance is also in the back-end group (Name tag {}, \
                     output BackEndSecurityGroupId), the balancer cannot reach it and marks it \
                     unhealthy.",
                    aws.backend_group.name
                ),
                "After deploying, add the group with the commands below; --groups replaces an \
                 instance's groups, so list the ones it has now too."
                    .to_string(),
            ],
            commands: instances
                .iter()
                .map(|id| {
                    // (concat rather than format!: a line per daemon.)
                    [
                        "aws ec2 modify-instance-attribute --region ",
                        &aws.region,
                        " --instance-id ",
                        id,
                        " --groups <its current group IDs> <BackEndSecurityGroupId>",
                    ]
                    .concat()
                })
                .collect(),
        };

        let logs_bucket = aws
            .access_logs
            .as_ref()
            .filter(|l| l.create_bucket)
            .map(|l| LogsBucketView {
                bucket: &l.bucket,
                retention_days: l.retention_days,
                statements: l.policy.iter().map(statement_view).collect(),
            });
        let alarms = aws
            .alarms
            .iter()
            .flat_map(|a| &a.alarms)
            .map(|alarm| {
                let service = alarm.service.map(|k| pascal(k.slug()));
                let what = if alarm.metric == "HealthyHostCount" {
                    "HealthyDaemonsLowAlarm"
                } else {
                    "UnhealthyDaemonAlarm"
                };
                AlarmView {
                    id: format!("{}{what}", service.clone().unwrap_or_default()),
                    alarm,
                    target_group: service.map(|s| format!("TargetGroup{s}")),
                }
            })
            .collect();

        Ok(View {
            logs_bucket,
            alarms,
            alarm_topic: aws.alarms.as_ref().and_then(|a| a.sns_topic_arn.as_deref()),
            description,
            cluster: &plan.cluster,
            classic,
            region: &aws.region,
            vpc_id: &aws.vpc_id,
            subnet_ids: &aws.subnet_ids,
            name: &aws.name,
            scheme: aws.scheme.key(),
            ip_address_type: aws.ip_address_type.key(),
            frontend_group: GroupView {
                name: &aws.frontend_group.name,
                description: &aws.frontend_group.description,
            },
            backend_group: GroupView {
                name: &aws.backend_group.name,
                description: &aws.backend_group.description,
            },
            frontend_ingress: aws
                .frontend_ingress
                .iter()
                .map(|r| rule(r, String::new()))
                .collect(),
            frontend_egress: aws
                .frontend_egress
                .iter()
                .map(|r| rule(r, String::new()))
                .collect(),
            backend_ingress: aws
                .backend_ingress
                .iter()
                .map(|r| rule(r, format!("BackEndIngressPort{}", r.port)))
                .collect(),
            listeners,
            health_check: HealthView {
                classic_target,
                protocol,
                path,
                port: hc.port,
                interval: hc.interval,
                timeout: hc.timeout,
                healthy_threshold: hc.healthy_threshold,
                unhealthy_threshold: hc.unhealthy_threshold,
            },
            idle_timeout: plan.idle_timeout,
            connection_draining: aws.connection_draining,
            target_group: &aws.target_group,
            access_logs: aws.access_logs.as_ref().map(|l| LogsView {
                bucket: &l.bucket,
                prefix: l.prefix.as_deref(),
                interval_minutes: l.interval_minutes,
            }),
            tags: &aws.tags,
            instances,
            tls: terminates,
            tls_policy: aws.tls_policy.as_deref().filter(|_| terminates),
            tls_policy_name: CLASSIC_TLS_POLICY_NAME,
            certificate_arn,
            certificate_request,
            alias,
            migration,
            cloudera_manager: client_host.map(|h| format!("{h}:{cloudera_manager_port}")),
            cloudera_manager_port,
            hosted_zone_attribute: if classic {
                "CanonicalHostedZoneNameID"
            } else {
                "CanonicalHostedZoneID"
            },
            metadata,
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

    #[test]
    fn logical_ids_are_alphanumeric() {
        assert_eq!(pascal("hs2-http"), "Hs2Http");
        assert_eq!(pascal("beeswax"), "Beeswax");
        assert_eq!(pascal("hs2"), "Hs2");
    }
}
