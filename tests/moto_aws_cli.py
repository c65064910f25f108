"""Drives a local moto_server for tests/aws_cli.rs (the AWS CLI script end to end).

    python moto_aws_cli.py ENDPOINT REGION setup BUCKET ZONE_NAME
        creates a VPC, a subnet, two instances in a group of their own, the access-log bucket
        and a Route 53 hosted zone; prints their IDs as JSON
    python moto_aws_cli.py ENDPOINT REGION state LB_NAME CLUSTER INSTANCE_ID...
        prints, as JSON, what the AWS APIs report about the balancer (Classic or NLB, found by
        name), its security groups, the instances' groups, certificates, DNS records, the
        buckets and the metric alarms

Only boto3 is needed (the tools venv of scripts/test has it). Credentials are moto's dummies.
"""

import json
import sys

import boto3


def clients(endpoint, region):
    kw = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return lambda name: boto3.client(name, **kw)


def setup(client, bucket, zone_name):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    app = ec2.create_security_group(GroupName="app", Description="the instances' own", VpcId=vpc)[
        "GroupId"
    ]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instances = ec2.run_instances(
        ImageId=image,
        MinCount=2,
        MaxCount=2,
        SubnetId=subnet,
        InstanceType="t3.large",
        SecurityGroupIds=[app],
    )["Instances"]
    s3 = client("s3")
    region = s3.meta.region_name
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    zone = client("route53").create_hosted_zone(Name=zone_name, CallerReference="impala-lbgen-aws-cli")[
        "HostedZone"
    ]["Id"]
    return {
        "vpc_id": vpc,
        "subnet_id": subnet,
        "app_group_id": app,
        "instance_ids": [i["InstanceId"] for i in instances],
        "hosted_zone_id": zone.split("/")[-1],
    }


def strip(value):
    """Drops what changes from one read to the next (times)."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in ("CreatedTime", "ResponseMetadata")}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def classic_state(client, name):
    elb = client("elb")
    found = [b for b in elb.describe_load_balancers()["LoadBalancerDescriptions"] if b["LoadBalancerName"] == name]
    if not found:
        return None
    lb = found[0]
    return {
        "kind": "classic",
        "balancer": lb,
        "count": len(found),
        "attributes": elb.describe_load_balancer_attributes(LoadBalancerName=name)["LoadBalancerAttributes"],
        "policies": elb.describe_load_balancer_policies(LoadBalancerName=name)["PolicyDescriptions"],
        "tags": elb.describe_tags(LoadBalancerNames=[name])["TagDescriptions"][0]["Tags"],
    }


def network_state(client, name):
    elbv2 = client("elbv2")
    found = [b for b in elbv2.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"] == name]
    if not found:
        return None
    lb = found[0]
    arn = lb["LoadBalancerArn"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    for listener in listeners:
        listener["Attributes"] = elbv2.describe_listener_attributes(ListenerArn=listener["ListenerArn"])[
            "Attributes"
        ]
    groups = elbv2.describe_target_groups()["TargetGroups"]
    for group in groups:
        tg = group["TargetGroupArn"]
        group["Attributes"] = elbv2.describe_target_group_attributes(TargetGroupArn=tg)["Attributes"]
        group["Targets"] = [
            t["Target"]["Id"] for t in elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        ]
        group["Tags"] = elbv2.describe_tags(ResourceArns=[tg])["TagDescriptions"][0]["Tags"]
    return {
        "kind": "network",
        "balancer": lb,
        "count": len(found),
        "attributes": elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"],
        "listeners": listeners,
        "target_groups": groups,
        "tags": elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"],
    }


ALARM_FIELDS = (
    "AlarmName",
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "ActionsEnabled",
    "AlarmActions",
    "OKActions",
)


def alarms(client):
    """Every metric alarm, by name, with its definition (not its state, which moto resets)."""
    found = client("cloudwatch").describe_alarms()["MetricAlarms"]
    return {a["AlarmName"]: {k: a.get(k) for k in ALARM_FIELDS} for a in found}


def buckets(client):
    """Every bucket, by name, with the settings the script sets."""
    s3 = client("s3")
    out = {}
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]

        def read(call, key, **kw):
            try:
                return call(Bucket=name, **kw)[key]
            except s3.exceptions.ClientError:
                return None

        policy = read(s3.get_bucket_policy, "Policy")
        out[name] = {
            "encryption": read(s3.get_bucket_encryption, "ServerSideEncryptionConfiguration"),
            "public_access_block": read(s3.get_public_access_block, "PublicAccessBlockConfiguration"),
            "ownership": read(s3.get_bucket_ownership_controls, "OwnershipControls"),
            "policy": json.loads(policy) if policy else None,
            "lifecycle": read(s3.get_bucket_lifecycle_configuration, "Rules"),
            "tags": read(s3.get_bucket_tagging, "TagSet"),
            "location": s3.get_bucket_location(Bucket=name)["LocationConstraint"],
        }
    return out


def state(client, name, cluster, instance_ids):
    ec2 = client("ec2")
    groups = {}
    for g in ec2.describe_security_groups()["SecurityGroups"]:
        if g["GroupName"] not in (f"{cluster} Impala FE", f"{cluster} Impala BE"):
            continue
        # Flattened from describe_security_groups: moto's describe_security_group_rules leaves
        # out the description of rules that name a group.
        rules = []
        for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
            for p in g[key]:
                peers = (
                    [(r["CidrIp"], r.get("Description")) for r in p.get("IpRanges", [])]
                    + [(r["CidrIpv6"], r.get("Description")) for r in p.get("Ipv6Ranges", [])]
                    + [(r["GroupId"], r.get("Description")) for r in p.get("UserIdGroupPairs", [])]
                )
                for peer, description in peers:
                    rules.append(
                        {
                            "egress": egress,
                            "protocol": p["IpProtocol"],
                            "from": p.get("FromPort"),
                            "to": p.get("ToPort"),
                            "peer": peer,
                            "description": description,
                        }
                    )
        groups.setdefault(g["GroupName"], []).append(
            {
                "id": g["GroupId"],
                "vpc": g.get("VpcId"),
                "description": g.get("Description"),
                "tags": sorted(g.get("Tags", []), key=lambda t: t["Key"]),
                "rules": sorted(rules, key=json.dumps),
            }
        )
    instances = {}
    for reservation in ec2.describe_instances(InstanceIds=instance_ids)["Reservations"]:
        for i in reservation["Instances"]:
            instances[i["InstanceId"]] = sorted(g["GroupId"] for g in i["SecurityGroups"])

    acm = client("acm")
    certificates = []
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        c = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        certificates.append(
            {
                "arn": c["CertificateArn"],
                "domain": c["DomainName"],
                "names": sorted(c.get("SubjectAlternativeNames", [])),
                "status": c["Status"],
                "tags": acm.list_tags_for_certificate(CertificateArn=c["CertificateArn"]).get("Tags", []),
            }
        )

    r53 = client("route53")
    records = []
    for zone in r53.list_hosted_zones()["HostedZones"]:
        records += r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]

    return strip(
        {
            "alarms": alarms(client),
            "buckets": buckets(client),
            "classic": classic_state(client, name),
            "network": network_state(client, name),
            "groups": groups,
            "instances": instances,
            "certificates": certificates,
            "records": records,
        }
    )


def main():
    endpoint, region, command, *rest = sys.argv[1:]
    client = clients(endpoint, region)
    if command == "setup":
        result = setup(client, *rest)
    elif command == "state":
        name, cluster, *ids = rest
        result = state(client, name, cluster, ids)
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout, default=str, sort_keys=True)


if __name__ == "__main__":
    main()
