#!/usr/bin/env bash
# Saves what `impala-lbgen import aws --from DIR` reads, for a machine where the AWS CLI runs
# but impala-lbgen does not: the describe-* JSON of one Classic ELB or NLB, its instances and
# its security groups, each in the file the importer looks for.
#
# Usage: bash aws-describe.sh LB_NAME DIR [aws options, such as --region us-west-2 --profile p]
# Then, anywhere: impala-lbgen import aws --name LB_NAME --from DIR -o impala-lb.yaml
# Read only: it calls describe-* operations and nothing else.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
name=$1 dir=$2
shift 2
mkdir -p "$dir"
export AWS_PAGER=""
save() { # save FILE SERVICE OPERATION ARGS...: the operation's JSON into DIR/FILE.json
  local file=$1
  shift
  aws "$@" --output json "${opts[@]}" >"$dir/$file.json"
}
opts=("$@")
text() { aws "$@" --output text "${opts[@]}"; }

if aws elb describe-load-balancers --load-balancer-names "$name" --output json "${opts[@]}" \
  >"$dir/elb-describe-load-balancers.json" 2>/dev/null; then
  # A Classic ELB.
  save elb-describe-load-balancer-attributes elb describe-load-balancer-attributes --load-balancer-name "$name"
  save elb-describe-load-balancer-policies elb describe-load-balancer-policies --load-balancer-name "$name"
  save elb-describe-tags elb describe-tags --load-balancer-names "$name"
  vpc=$(text elb describe-load-balancers --load-balancer-names "$name" --query 'LoadBalancerDescriptions[0].VPCId')
  read -r -a instances <<<"$(text elb describe-load-balancers --load-balancer-names "$name" \
    --query 'LoadBalancerDescriptions[0].Instances[].InstanceId')"
  read -r -a groups <<<"$(text elb describe-load-balancers --load-balancer-names "$name" \
    --query 'LoadBalancerDescriptions[0].SecurityGroups')"
else
  rm -f "$dir/elb-describe-load-balancers.json"
  # An NLB: the balancer, its listeners and target groups, each group's attributes and targets.
  save elbv2-describe-load-balancers elbv2 describe-load-balancers --names "$name"
  arn=$(text elbv2 describe-load-balancers --names "$name" --query 'LoadBalancers[0].LoadBalancerArn')
  vpc=$(text elbv2 describe-load-balancers --names "$name" --query 'LoadBalancers[0].VpcId')
  read -r -a groups <<<"$(text elbv2 describe-load-balancers --names "$name" --query 'LoadBalancers[0].SecurityGroups')"
  save elbv2-describe-load-balancer-attributes elbv2 describe-load-balancer-attributes --load-balancer-arn "$arn"
  save elbv2-describe-tags elbv2 describe-tags --resource-arns "$arn"
  save elbv2-describe-listeners elbv2 describe-listeners --load-balancer-arn "$arn"
  while read -r port listener protocol; do
    [[ -n $port && $protocol == TCP ]] || continue
    save "elbv2-describe-listener-attributes-$port" elbv2 describe-listener-attributes --listener-arn "$listener"
  done <<<"$(text elbv2 describe-listeners --load-balancer-arn "$arn" --query 'Listeners[].[Port,ListenerArn,Protocol]')"
  save elbv2-describe-target-groups elbv2 describe-target-groups --load-balancer-arn "$arn"
  instances=()
  while read -r group tg; do
    [[ -n $group ]] || continue
    save "elbv2-describe-target-group-attributes-$group" elbv2 describe-target-group-attributes --target-group-arn "$tg"
    save "elbv2-describe-target-health-$group" elbv2 describe-target-health --target-group-arn "$tg"
    read -r -a targets <<<"$(text elbv2 describe-target-health --target-group-arn "$tg" \
      --query 'TargetHealthDescriptions[].Target.Id')"
    instances+=("${targets[@]}")
  done <<<"$(text elbv2 describe-target-groups --load-balancer-arn "$arn" --query 'TargetGroups[].[TargetGroupName,TargetGroupArn]')"
fi

# The instances (registered with the balancer), the VPC's security groups (the back-end group
# is the one that admits the balancer's), and the rules of the balancer's group and that one.
if ((${#instances[@]})); then
  read -r -a instances <<<"$(printf '%s\n' "${instances[@]}" | awk '!seen[$0]++' | tr '\n' ' ')"
  save ec2-describe-instances ec2 describe-instances --instance-ids "${instances[@]}"
fi
save ec2-describe-security-groups ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc"
if ((${#groups[@]})); then
  fe=${groups[0]}
  backend=$(text ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc" "Name=ip-permission.group-id,Values=$fe" \
    --query 'SecurityGroups[].GroupId')
  ids=$fe
  for g in $backend; do
    [[ $g == "$fe" ]] || ids="$ids,$g"
  done
  save ec2-describe-security-group-rules ec2 describe-security-group-rules --filters "Name=group-id,Values=$ids"
fi
echo "saved the describe-* JSON of $name in $dir" >&2
