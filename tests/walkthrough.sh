#!/usr/bin/env bash
# The AWS walk-through's balancer, built with the walk-through's own AWS CLI commands, step by
# step: the front-end and back-end security groups, a Classic ELB with TCP listeners on 21000
# and 21050, the TCP:21000 health check (30 s / 5 s / healthy 5 / unhealthy 2), the idle
# timeout, access logs, cross-zone balancing and draining, the instances, and the back-end
# group on each instance. tests/import.rs runs it against moto, then imports the balancer.
#
# Usage: bash walkthrough.sh CLUSTER VPC SUBNET CIDR BUCKET INSTANCE...
# The AWS CLI's environment chooses the account and endpoint (AWS_ENDPOINT_URL, AWS_REGION).
set -euo pipefail
CLUSTER_NAME=$1 VPC_ID=$2 SUBNET_ID=$3 CLIENT_CIDR=$4 LOG_BUCKET=$5
shift 5
INSTANCES=("$@")
ELB_NAME="elb-impala-${CLUSTER_NAME}"

# 1. Security groups: the front end admits the clients, the back end admits the front end.
FE_SG=$(aws ec2 create-security-group --group-name "${CLUSTER_NAME} Impala FE" \
  --description "Impala Front-End Traffic" --vpc-id "$VPC_ID" --query GroupId --output text)
BE_SG=$(aws ec2 create-security-group --group-name "${CLUSTER_NAME} Impala BE" \
  --description "Impala Back-End Traffic" --vpc-id "$VPC_ID" --query GroupId --output text)
for port in 21000 21050; do
  aws ec2 authorize-security-group-ingress --group-id "$FE_SG" --protocol tcp --port "$port" --cidr "$CLIENT_CIDR" >/dev/null
  aws ec2 authorize-security-group-ingress --group-id "$BE_SG" --protocol tcp --port "$port" --source-group "$FE_SG" >/dev/null
done

# 2. The ELB, internal, in the cluster's subnet, with the front-end group.
aws elb create-load-balancer --load-balancer-name "$ELB_NAME" \
  --listeners "Protocol=TCP,LoadBalancerPort=21000,InstanceProtocol=TCP,InstancePort=21000" \
  "Protocol=TCP,LoadBalancerPort=21050,InstanceProtocol=TCP,InstancePort=21050" \
  --subnets "$SUBNET_ID" --security-groups "$FE_SG" --scheme internal >/dev/null

# 3. Its configuration: health check, idle timeout, access logs, cross-zone, draining, tags.
aws elb configure-health-check --load-balancer-name "$ELB_NAME" \
  --health-check Target=TCP:21000,Interval=30,UnhealthyThreshold=2,HealthyThreshold=5,Timeout=5 >/dev/null
aws elb modify-load-balancer-attributes --load-balancer-name "$ELB_NAME" --load-balancer-attributes \
  "{\"ConnectionSettings\":{\"IdleTimeout\":3600},\"CrossZoneLoadBalancing\":{\"Enabled\":true},\"ConnectionDraining\":{\"Enabled\":true,\"Timeout\":300},\"AccessLog\":{\"Enabled\":true,\"S3BucketName\":\"${LOG_BUCKET}\",\"EmitInterval\":60,\"S3BucketPrefix\":\"${CLUSTER_NAME}-impala\"}}" >/dev/null
aws elb add-tags --load-balancer-names "$ELB_NAME" --tags "Key=env,Value=${CLUSTER_NAME}" >/dev/null

# 4. The instances: registered, and each given the back-end group beside its own.
aws elb register-instances-with-load-balancer --load-balancer-name "$ELB_NAME" --instances "${INSTANCES[@]}" >/dev/null
for instance in "${INSTANCES[@]}"; do
  read -r -a groups <<<"$(aws ec2 describe-instances --instance-ids "$instance" \
    --query 'Reservations[0].Instances[0].SecurityGroups[].GroupId' --output text)"
  aws ec2 modify-instance-attribute --instance-id "$instance" --groups "${groups[@]}" "$BE_SG"
done
aws elb describe-load-balancers --load-balancer-names "$ELB_NAME" --query 'LoadBalancerDescriptions[0].DNSName' --output text
