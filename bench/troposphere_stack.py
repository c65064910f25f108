#!/usr/bin/env python3
"""The CloudFormation stack impala-lbgen writes for a Classic ELB spec, written with
troposphere, the Python library people use instead: the benchmark's point of comparison.

Reads the same spec (PyYAML) and builds the same resources (front-end and back-end security
groups with their rules, the Classic ELB with SSL listeners, TLS policy, health check, idle
timeout, access logs, connection draining, instances and tags, the ACM certificate, the alias
record, the metadata with one command per instance, and the outputs), then prints the
template as YAML. Usage: troposphere_stack.py SPEC.yaml
"""
import sys

import yaml
from troposphere import GetAtt, Output, Ref, Tags, Template
from troposphere.certificatemanager import Certificate, DomainValidationOption
from troposphere.ec2 import SecurityGroup, SecurityGroupIngress, SecurityGroupRule
from troposphere.elasticloadbalancing import (
    AccessLoggingPolicy, ConnectionDrainingPolicy, ConnectionSettings, HealthCheck, Listener,
    LoadBalancer, Policy, PolicyItem,
)
from troposphere.route53 import AliasTarget, RecordSetType

DEFAULT_PORTS = {"beeswax": 21000, "hs2": 21050, "hs2_http": 28000}


def seconds(value, default):
    if value is None:
        return default
    if isinstance(value, int):
        return value
    unit = {"s": 1, "m": 60, "h": 3600}.get(value[-1])
    return int(value[:-1]) * unit if unit else int(value)


def main(path):
    spec = yaml.safe_load(open(path))
    cluster, aws, tls = spec["cluster"], spec["aws"], spec.get("tls") or {}
    services = spec.get("services") or {"beeswax": {"port": 21000}, "hs2": {"port": 21050}}
    hc = spec.get("health_check") or {}
    check_service = hc.get("service", "beeswax")
    check_port = services[check_service].get("backend_port", services[check_service]["port"])
    name = aws.get("name", f"elb-impala-{cluster}")
    tags = aws.get("tags") or {}

    t = Template(Description=f"impala-lbgen: Apache Impala load balancer {name} for cluster {cluster}")
    t.set_version("2010-09-09")
    t.set_metadata({"impala-lbgen": {
        "Cluster": cluster,
        "AddBackEndGroup": [
            f"aws ec2 modify-instance-attribute --region {aws['region']} --instance-id {d['instance_id']}"
            " --groups <its current group IDs> <BackEndSecurityGroupId>"
            for d in spec["daemons"]
        ],
    }})

    backend = {}
    for key, s in services.items():
        backend[s.get("backend_port", s["port"])] = f"Impala {key} on impalad"
    backend.setdefault(check_port, "impalad health check")
    fe = t.add_resource(SecurityGroup(
        "FrontEndSecurityGroup",
        GroupName=f"{cluster} Impala FE", GroupDescription="Impala Front-End Traffic", VpcId=aws["vpc_id"],
        SecurityGroupIngress=[
            SecurityGroupRule(Description=f"Impala {key} clients from {cidr}", IpProtocol="tcp",
                              FromPort=s["port"], ToPort=s["port"], CidrIp=cidr)
            for cidr in aws["client_cidrs"] for key, s in services.items()
        ],
        SecurityGroupEgress=[
            SecurityGroupRule(Description=f"{what} (to {cluster} Impala BE)", IpProtocol="tcp", FromPort=port,
                              ToPort=port, DestinationSecurityGroupId=GetAtt("BackEndSecurityGroup", "GroupId"))
            for port, what in sorted(backend.items())
        ],
        Tags=Tags(Name=f"{cluster} Impala FE", **tags),
    ))
    be = t.add_resource(SecurityGroup(
        "BackEndSecurityGroup",
        GroupName=f"{cluster} Impala BE", GroupDescription="Impala Back-End Traffic", VpcId=aws["vpc_id"],
        SecurityGroupEgress=[SecurityGroupRule(Description="No egress of its own", IpProtocol="-1",
                                               CidrIp="127.0.0.1/32")],
        Tags=Tags(Name=f"{cluster} Impala BE", **tags),
    ))
    for port, what in sorted(backend.items()):
        t.add_resource(SecurityGroupIngress(
            f"BackEndIngressPort{port}", Description=f"{what} (from {cluster} Impala FE)",
            GroupId=GetAtt(be, "GroupId"), SourceSecurityGroupId=GetAtt(fe, "GroupId"),
            IpProtocol="tcp", FromPort=port, ToPort=port,
        ))

    cert = t.add_resource(Certificate(
        "Certificate", DomainName=tls["domain"], ValidationMethod="DNS",
        DomainValidationOptions=[DomainValidationOption(DomainName=tls["domain"],
                                                        HostedZoneId=tls["hosted_zone_id"])],
    ))
    policy = "ImpalaTLSNegotiationPolicy"
    logs = aws.get("access_logs")
    lb = t.add_resource(LoadBalancer(
        "LoadBalancer",
        LoadBalancerName=name, Scheme=aws.get("scheme", "internal"), Subnets=aws["subnet_ids"],
        SecurityGroups=[GetAtt(fe, "GroupId")], CrossZone=True,
        Listeners=[
            Listener(LoadBalancerPort=str(s["port"]), Protocol="SSL",
                     InstancePort=str(s.get("backend_port", s["port"])), InstanceProtocol="TCP",
                     SSLCertificateId=Ref(cert), PolicyNames=[policy])
            for s in services.values()
        ],
        Policies=[Policy(PolicyName=policy, PolicyType="SSLNegotiationPolicyType",
                           Attributes=[PolicyItem(Name="Reference-Security-Policy",
                                                  Value=tls.get("policy", "ELBSecurityPolicy-TLS-1-2-2017-01"))])],
        HealthCheck=HealthCheck(Target=f"TCP:{check_port}", Interval=str(seconds(hc.get("interval"), 30)),
                                Timeout=str(seconds(hc.get("timeout"), 5)),
                                HealthyThreshold=str(hc.get("healthy_threshold", 5)),
                                UnhealthyThreshold=str(hc.get("unhealthy_threshold", 2))),
        ConnectionSettings=ConnectionSettings(IdleTimeout=seconds(spec.get("idle_timeout"), 3600)),
        ConnectionDrainingPolicy=ConnectionDrainingPolicy(Enabled=True, Timeout=300),
        AccessLoggingPolicy=AccessLoggingPolicy(Enabled=True, S3BucketName=logs["bucket"],
                                                S3BucketPrefix=logs.get("prefix", ""),
                                                EmitInterval=seconds(logs.get("interval"), 3600) // 60),
        Instances=[d["instance_id"] for d in spec["daemons"]],
        Tags=Tags(Name=name, **tags),
    ))
    t.add_resource(RecordSetType(
        "AliasRecord", HostedZoneId=tls["hosted_zone_id"], Name=tls["domain"], Type="A",
        AliasTarget=AliasTarget(HostedZoneId=GetAtt(lb, "CanonicalHostedZoneNameID"),
                                DNSName=GetAtt(lb, "DNSName")),
    ))
    t.add_output(Output("LoadBalancerDNSName", Value=GetAtt(lb, "DNSName")))
    t.add_output(Output("FrontEndSecurityGroupId", Value=GetAtt(fe, "GroupId")))
    t.add_output(Output("BackEndSecurityGroupId", Value=GetAtt(be, "GroupId")))
    for key, s in services.items():
        t.add_output(Output(f"{key.title().replace('_', '')}Endpoint", Value=f"{tls['domain']}:{s['port']}"))
    t.add_output(Output("ClouderaManagerLoadBalancer", Value=f"{tls['domain']}:{services['hs2']['port']}"))
    sys.stdout.write(t.to_yaml())


if __name__ == "__main__":
    main(sys.argv[1])
