"""Drives a local moto_server for tests/cloudformation.rs (the CloudFormation end-to-end test).

    python moto_e2e.py ENDPOINT REGION setup
        creates a VPC, a subnet, two instances and a Route 53 hosted zone; prints their IDs as JSON
    python moto_e2e.py ENDPOINT REGION deploy STACK TEMPLATE
        creates the stack, waits for it, and prints what AWS APIs report back as JSON: the
        stack, its outputs, the balancers, security groups, DNS records, buckets and alarms

Only boto3 is needed (the tools venv of scripts/test has it). Credentials are moto's dummies.
"""

import json
import sys
import time

import boto3


def clients(endpoint, region):
    kw = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return lambda name: boto3.client(name, **kw)


def setup(client):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instances = ec2.run_instances(
        ImageId=image, MinCount=2, MaxCount=2, SubnetId=subnet, InstanceType="t3.large"
    )["Instances"]
    zone = client("route53").create_hosted_zone(
        Name="example.com", CallerReference="impala-lbgen-e2e"
    )["HostedZone"]["Id"]
    return {
        "vpc_id": vpc,
        "subnet_id": subnet,
        "instance_ids": [i["InstanceId"] for i in instances],
        "hosted_zone_id": zone.split("/")[-1],
    }


def deploy(client, stack, template_path):
    cfn = client("cloudformation")
    with open(template_path, encoding="utf-8") as f:
        cfn.create_stack(StackName=stack, TemplateBody=f.read())
    deadline = time.monotonic() + 60
    while True:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not status["StackStatus"].endswith("_IN_PROGRESS"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"stack {stack} still {status['StackStatus']} after 60s")
        time.sleep(0.5)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in status.get("Outputs", [])}

    elb = client("elb")
    balancers = elb.describe_load_balancers()["LoadBalancerDescriptions"]
    for b in balancers:
        b.pop("CreatedTime", None)

    # By Name tag: the template gives the groups no GroupName, so CloudFormation names them.
    groups = {
        next((t["Value"] for t in g.get("Tags", []) if t["Key"] == "Name"), g["GroupName"]): {
            "id": g["GroupId"],
            "name": g["GroupName"],
            "vpc": g.get("VpcId"),
            "ingress": g["IpPermissions"],
        }
        for g in client("ec2").describe_security_groups()["SecurityGroups"]
    }

    r53 = client("route53")
    records = []
    for zone in r53.list_hosted_zones()["HostedZones"]:
        records += r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]

    s3 = client("s3")
    buckets = {}
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]
        info = {}
        try:
            info["encryption"] = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
        except s3.exceptions.ClientError:
            info["encryption"] = None
        try:
            info["policy"] = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        except s3.exceptions.ClientError:
            info["policy"] = None
        buckets[name] = info

    alarms = client("cloudwatch").describe_alarms()["MetricAlarms"]
    for a in alarms:
        for k in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp"):
            a.pop(k, None)

    return {
        "buckets": buckets,
        "alarms": alarms,
        "status": status["StackStatus"],
        "outputs": outputs,
        "balancers": balancers,
        "groups": groups,
        "records": records,
    }


def main():
    endpoint, region, command, *rest = sys.argv[1:]
    client = clients(endpoint, region)
    if command == "setup":
        result = setup(client)
    elif command == "deploy":
        result = deploy(client, *rest)
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
