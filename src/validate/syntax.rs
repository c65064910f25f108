//! Format checks for the values a spec holds: DNS names, IP addresses, CIDR blocks, AWS IDs,
//! bucket names. Each returns why a value is wrong, in words a user can act on.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::limits::*;

/// A DNS name: letters, digits and `-` in labels of 1–63 characters, not starting or ending
/// with `-`, 253 characters in all; a trailing dot is not allowed. With `wildcard`, the first
/// label may be `*`.
pub fn dns_name(s: &str, wildcard: bool) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(c) = s.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("it contains {}", describe_char(c)));
    }
    if s.len() > DNS_NAME_MAX {
        return Err(format!(
            "it is {} characters long; DNS names have at most {DNS_NAME_MAX}",
            s.len()
        ));
    }
    for (i, label) in s.split('.').enumerate() {
        if wildcard && i == 0 && label == "*" {
            continue;
        }
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row, or a dot at either end)".into());
        }
        if label.len() > DNS_LABEL_MAX {
            return Err(format!(
                "the label {label:?} is longer than {DNS_LABEL_MAX} characters"
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "it contains {}; DNS names use letters, digits, '-' and '.'",
                describe_char(c)
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label {label:?} starts or ends with '-'"));
        }
    }
    Ok(())
}

/// A daemon host: a DNS name or an IP address.
pub fn host(s: &str) -> Result<(), String> {
    if s.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    if s.split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("it looks like an IPv4 address but is not one".into());
    }
    dns_name(s, false)
}

/// A character as a message names it: "a line break", "a space", "'é'".
pub fn describe_char(c: char) -> String {
    match c {
        '\n' => "a line break".into(),
        '\r' => "a carriage return".into(),
        '\t' => "a tab".into(),
        ' ' => "a space".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("{c:?}"),
    }
}

/// A CIDR block, IPv4 or IPv6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr {
    pub ipv6: bool,
    pub prefix: u8,
    /// The block with host bits cleared, as AWS stores it.
    pub canonical: String,
}

pub fn cidr(s: &str) -> Result<Cidr, String> {
    let Some((addr, len)) = s.split_once('/') else {
        return Err("a CIDR block is an address and a prefix length, such as 10.30.0.0/16".into());
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{addr:?} is not an IP address"))?;
    let max = if ip.is_ipv6() { 128 } else { 32 };
    let prefix: u8 = match len.parse::<u8>() {
        Ok(p) if p <= max && !len.starts_with('+') => p,
        _ => {
            return Err(format!(
                "the prefix length {len:?} must be a number from 0 to {max}"
            ))
        }
    };
    let canonical = match ip {
        IpAddr::V4(v4) => {
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - prefix)
            };
            format!("{}/{prefix}", Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            format!("{}/{prefix}", Ipv6Addr::from(u128::from(v6) & mask))
        }
    };
    Ok(Cidr {
        ipv6: ip.is_ipv6(),
        prefix,
        canonical,
    })
}

/// An AWS resource ID such as `i-0a1b2c3d4e5f60035`: the prefix, a hyphen, and 8 or 17
/// lower-case hex digits.
pub fn aws_id(s: &str, prefix: &str) -> Result<(), String> {
    let form = || {
        format!("{prefix}- and 8 or 17 lower-case hex digits, such as {prefix}-0a1b2c3d4e5f67890")
    };
    let Some(hex) = s.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
        return Err(format!(
            "it does not start with {prefix}-; the form is {}",
            form()
        ));
    };
    if !(hex.len() == 8 || hex.len() == 17) {
        return Err(format!(
            "it has {} characters after {prefix}-; the form is {}",
            hex.chars().count(),
            form()
        ));
    }
    if let Some(c) = hex.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(format!(
            "{} is not a lower-case hex digit; the form is {}",
            describe_char(c),
            form()
        ));
    }
    Ok(())
}

/// S3 general purpose bucket naming rules. On failure, the reason and a corrected name when
/// lower-casing and `_` → `-` give a valid one.
pub fn s3_bucket(s: &str) -> Result<(), (String, Option<String>)> {
    let Some(why) = s3_bucket_problem(s) else {
        return Ok(());
    };
    let lower = s.to_ascii_lowercase().replace('_', "-");
    let fix = (lower != s && s3_bucket_problem(&lower).is_none()).then_some(lower);
    Err((why, fix))
}

fn s3_bucket_problem(s: &str) -> Option<String> {
    let (min, max) = S3_BUCKET_LEN;
    let n = s.chars().count();
    if n < min || n > max {
        return Some(format!(
            "it is {n} characters long; bucket names have {min} to {max}"
        ));
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("it has upper-case letters; bucket names are lower case".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!(
            "it contains {}; bucket names use lower-case letters, digits, '.' and '-'",
            describe_char(c)
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(s.chars().next()) || !alnum(s.chars().last()) {
        return Some("it must start and end with a letter or digit".into());
    }
    if s.contains("..") {
        return Some("it has two dots in a row".into());
    }
    if s.contains(".-") || s.contains("-.") {
        return Some("a dot is next to a hyphen".into());
    }
    if s.parse::<Ipv4Addr>().is_ok() {
        return Some("it is formatted as an IP address".into());
    }
    if let Some(p) = S3_RESERVED_PREFIXES.iter().find(|p| s.starts_with(*p)) {
        return Some(format!("S3 reserves the prefix {p}"));
    }
    if let Some(x) = S3_RESERVED_SUFFIXES.iter().find(|x| s.ends_with(*x)) {
        return Some(format!("S3 reserves the suffix {x}"));
    }
    None
}

/// A load balancer or target group name.
pub fn lb_name(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > LB_NAME_MAX {
        return Err(format!(
            "it is {} characters long; AWS allows at most {LB_NAME_MAX}",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "it contains {}; names use letters, digits and '-'",
            describe_char(c)
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("it starts or ends with '-'".into());
    }
    Ok(())
}

/// An AWS region name such as `us-west-2`, `us-gov-west-1` or `eu-central-2`.
pub fn region(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err("an AWS region looks like us-west-2 or eu-central-1".into())
    }
}

/// A Route 53 hosted zone ID such as `Z0123456789ABCDEFGHIJ`.
pub fn hosted_zone_id(s: &str) -> Result<(), String> {
    let ok = s.starts_with('Z')
        && s.len() <= HOSTED_ZONE_ID_MAX
        && s.len() >= 2
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else if s.starts_with("/hostedzone/") {
        Err("give the ID without the /hostedzone/ prefix".into())
    } else {
        Err("a hosted zone ID is Z followed by upper-case letters and digits, such as Z0123456789ABCDEFGHIJ".into())
    }
}

/// An ACM certificate ARN or an IAM server certificate ARN.
pub fn certificate_arn(s: &str) -> Result<(), String> {
    let form = "arn:aws:acm:<region>:<account>:certificate/<id> or arn:aws:iam::<account>:server-certificate/<name>";
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
        return Err(format!("it is not an ARN; the form is {form}"));
    }
    let account_ok = parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit());
    let resource = parts[5];
    let clean = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_+=,.@/".contains(&b))
    };
    let ok = match parts[2] {
        "acm" => {
            region(parts[3]).is_ok()
                && account_ok
                && resource.strip_prefix("certificate/").is_some_and(clean)
        }
        "iam" => {
            parts[3].is_empty()
                && account_ok
                && resource
                    .strip_prefix("server-certificate/")
                    .is_some_and(clean)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("the form is {form}"))
    }
}

/// A character ELB, EC2 and ACM all accept in tags: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
pub fn tag_char_ok(c: char) -> bool {
    c.is_alphanumeric()
        || c == ' '
        || (c.is_whitespace() && !c.is_control())
        || "_.:/=+-@".contains(c)
}

/// An environment variable name.
pub fn env_name(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err("an environment variable name uses letters, digits and '_', and does not start with a digit".into())
    }
}

/// A plain word for configuration files: letters, digits, `.`, `_`, `-`.
pub fn word(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
    {
        Some(c) => Err(format!(
            "it contains {}; use letters, digits, '.', '_' and '-'",
            describe_char(c)
        )),
        None => Ok(()),
    }
}

/// An absolute file path without characters a configuration file would need to quote.
pub fn abs_path(s: &str) -> Result<(), String> {
    if !s.starts_with('/') {
        return Err("give an absolute path, starting with '/'".into());
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/._-+@".contains(*c)))
    {
        Some(c) => Err(format!(
            "it contains {}; paths here use letters, digits and / . _ - + @",
            describe_char(c)
        )),
        None => Ok(()),
    }
}

/// `address:port` for a listener: `*:port`, `IPv4:port` or `[IPv6]:port`.
pub fn bind_address(s: &str) -> Result<(String, u16), String> {
    let form = "address:port, such as 127.0.0.1:25002, *:25002 or [::1]:25002";
    let (addr, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("the form is {form}"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("{port:?} is not a port (1 to 65535); the form is {form}"))?;
    let addr = addr
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr);
    listen_address(addr).map_err(|e| format!("{e}; the form is {form}"))?;
    Ok((addr.to_string(), port))
}

/// A DNS server: an IP address, optionally with a port (`10.0.0.2`, `10.0.0.2:5353`,
/// `2001:db8::53`, `[2001:db8::53]:53`); the port defaults to 53.
pub fn nameserver(s: &str) -> Result<(IpAddr, u16), String> {
    let form = "an IP address, or address:port, such as 10.0.0.2, 10.0.0.2:53 or [2001:db8::53]:53";
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok((ip, 53));
    }
    let (addr, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not {form}"))?;
    let addr = match addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().map(IpAddr::V6).ok(),
        None => addr.parse::<std::net::Ipv4Addr>().map(IpAddr::V4).ok(),
    }
    .ok_or_else(|| format!("{s:?} is not {form}"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("{port:?} is not a port (1 to 65535)"))?;
    Ok((addr, port))
}

/// A listen address: `*` or an IP address.
pub fn listen_address(s: &str) -> Result<(), String> {
    if s == "*" || s.parse::<IpAddr>().is_ok() {
        Ok(())
    } else {
        Err(format!("{s:?} is neither '*' nor an IP address"))
    }
}

/// An address with its prefix length, as an interface holds it: `10.0.0.10/24` (host bits
/// set, unlike a [`cidr`] block). Returns the address and the length.
pub fn address_with_prefix(s: &str) -> Result<(IpAddr, u8), String> {
    let form = "an IP address and its prefix length, such as 10.0.0.10/24";
    let Some((addr, len)) = s.split_once('/') else {
        return Err(format!("it has no prefix length; write {form}"));
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{addr:?} is not an IP address; write {form}"))?;
    let max = if ip.is_ipv6() { 128 } else { 32 };
    match len.parse::<u8>() {
        Ok(p) if (1..=max).contains(&p) && !len.starts_with('+') => {}
        _ => {
            return Err(format!(
                "the prefix length {len:?} must be a number from 1 to {max}"
            ))
        }
    }
    let prefix: u8 = len.parse().unwrap_or(max);
    if let IpAddr::V4(v4) = ip {
        if prefix < 31 {
            let host = u32::from(v4) & !(u32::MAX << (32 - prefix));
            if host == 0 {
                return Err(format!(
                    "{v4} is the network address of {s}, not one a host may hold"
                ));
            }
            if host == !(u32::MAX << (32 - prefix)) {
                return Err(format!("{v4} is the broadcast address of {s}"));
            }
        }
    }
    if ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() {
        return Err(format!("{ip} cannot be a virtual IP address"));
    }
    Ok((ip, prefix))
}

/// A Linux network interface name: 1–15 bytes, no `/`, `:`, blanks or control characters,
/// and not `.` or `..`; we also keep to letters, digits, `.`, `_` and `-`, which every
/// configuration file can hold bare.
pub fn interface_name(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > INTERFACE_NAME_MAX {
        return Err(format!(
            "it is {} characters long; Linux interface names have at most {INTERFACE_NAME_MAX}",
            s.len()
        ));
    }
    if s == "." || s == ".." {
        return Err("it is not a name".into());
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
    {
        Some(c) => Err(format!(
            "it contains {}; interface names use letters, digits, '.', '_' and '-'",
            describe_char(c)
        )),
        None => Ok(()),
    }
}

/// An SNS topic ARN: `arn:<partition>:sns:<region>:<account>:<name>`.
pub fn sns_topic_arn(s: &str) -> Result<(), String> {
    let form = "arn:aws:sns:<region>:<12-digit account>:<topic name>";
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || !parts[1].starts_with("aws") || parts[2] != "sns" {
        return Err(format!("the form is {form}"));
    }
    region(parts[3]).map_err(|e| format!("{e}; the form is {form}"))?;
    if !(parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!(
            "the account {:?} is not 12 digits; the form is {form}",
            parts[4]
        ));
    }
    let name = parts[5];
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if base.is_empty()
        || name.len() > SNS_TOPIC_NAME_MAX
        || !base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "the topic name {name:?} is not 1 to {SNS_TOPIC_NAME_MAX} letters, digits, '_' and '-'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameservers() {
        let ok = |s: &str| nameserver(s).map(|(a, p)| format!("{a} {p}")).unwrap();
        assert_eq!(ok("10.0.0.2"), "10.0.0.2 53");
        assert_eq!(ok("10.0.0.2:5353"), "10.0.0.2 5353");
        assert_eq!(ok("2001:db8::53"), "2001:db8::53 53");
        assert_eq!(ok("[2001:db8::53]:54"), "2001:db8::53 54");
        for bad in [
            "",
            "ns1.example.com",
            "10.0.0.2:0",
            "10.0.0.2:x",
            "[10.0.0.2]:53",
            "2001:db8::53]:53",
            "10.0.0.2 53",
        ] {
            assert!(nameserver(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dns_names() {
        assert!(dns_name("ip-10-30-1-35.ec2.internal", false).is_ok());
        assert!(dns_name("*.example.com", true).is_ok());
        assert!(dns_name("*.example.com", false).is_err());
        assert!(dns_name("a..b", false).is_err());
        assert!(dns_name("host\nbind", false)
            .unwrap_err()
            .contains("line break"));
        assert!(dns_name("-a.b", false).is_err());
        assert!(dns_name(&"a".repeat(64), false).is_err());
        assert!(host("10.0.0.1").is_ok());
        assert!(host("::1").is_ok());
        assert!(host("10.0.0.300").is_err());
    }

    #[test]
    fn cidrs() {
        assert_eq!(cidr("10.30.0.0/16").unwrap().canonical, "10.30.0.0/16");
        assert_eq!(cidr("10.30.1.5/16").unwrap().canonical, "10.30.0.0/16");
        assert!(cidr("2001:db8::/32").unwrap().ipv6);
        assert!(cidr("10.30.0.0/33").is_err());
        assert!(cidr("10.30.0.0").is_err());
        assert!(cidr("10.30.0/16").is_err());
        assert_eq!(cidr("0.0.0.0/0").unwrap().canonical, "0.0.0.0/0");
    }

    #[test]
    fn aws_ids() {
        assert!(aws_id("i-0a1b2c3d4e5f60035", "i").is_ok());
        assert!(aws_id("i-0a1b2c3d", "i").is_ok());
        assert!(aws_id("i-0A1B2C3D", "i").is_err());
        assert!(aws_id("i-0a1b2c3", "i").is_err());
        assert!(aws_id("vpc-0d1e2f3a4b5c6d7e8", "vpc").is_ok());
        assert!(aws_id("subnet-0a9b8c7d6e5f4a3b2", "subnet").is_ok());
        assert!(aws_id("sg-0a9b8c7d", "subnet").is_err());
    }

    #[test]
    fn buckets() {
        assert!(s3_bucket("cluster1-logs").is_ok());
        let (why, fix) = s3_bucket("Cluster1-logs").unwrap_err();
        assert!(why.contains("upper-case"));
        assert_eq!(fix.as_deref(), Some("cluster1-logs"));
        for bad in [
            "ab",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "sthree-x",
            "abc-s3alias",
            "abc--ol-s3",
            "-abc",
            "abc-",
            "a_b",
        ] {
            assert!(s3_bucket(bad).is_err(), "{bad}");
        }
        assert!(s3_bucket(&"a".repeat(64)).is_err());
        // Found by the fuzzer: a suggestion that is itself invalid must not recurse.
        assert_eq!(s3_bucket("Cluste\r1-logs").unwrap_err().1, None);
        assert_eq!(
            s3_bucket("Cluster_1").unwrap_err().1.as_deref(),
            Some("cluster-1")
        );
    }

    #[test]
    fn names_and_arns() {
        assert!(lb_name("elb-impala-cluster1").is_ok());
        assert!(lb_name(&"a".repeat(33)).is_err());
        assert!(lb_name("-a").is_err());
        assert!(lb_name("a_b").is_err());
        assert!(region("us-west-2").is_ok());
        assert!(region("us-gov-west-1").is_ok());
        assert!(region("uswest2").is_err());
        assert!(hosted_zone_id("Z0123456789ABCDEFGHIJ").is_ok());
        assert!(hosted_zone_id("z123").is_err());
        assert!(certificate_arn(
            "arn:aws:acm:us-west-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"
        )
        .is_ok());
        assert!(certificate_arn("arn:aws:iam::123456789012:server-certificate/impala").is_ok());
        assert!(certificate_arn("arn:aws:acm:us-west-2:1234:certificate/x").is_err());
        assert!(bind_address("127.0.0.1:25002").is_ok());
        assert!(bind_address("[::1]:25002").is_ok());
        assert!(bind_address("localhost:25002").is_err());
        assert!(bind_address("127.0.0.1:0").is_err());
        assert!(env_name("HAPROXY_STATS_PASSWORD").is_ok());
        assert!(env_name("1X").is_err());
        assert!(abs_path("/etc/haproxy/certs/c1.pem").is_ok());
        assert!(abs_path("/etc/ha proxy").is_err());
        assert!(sns_topic_arn("arn:aws:sns:us-west-2:123456789012:impala-oncall").is_ok());
        assert!(sns_topic_arn("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b").is_ok());
        assert!(sns_topic_arn("arn:aws:sns:us-west-2:1234:x").is_err());
        assert!(sns_topic_arn("arn:aws:sqs:us-west-2:123456789012:x").is_err());
        assert!(sns_topic_arn("arn:aws:sns:us-west-2:123456789012:a b").is_err());
        assert!(sns_topic_arn("arn:aws:sns:us-west-2:123456789012:").is_err());
    }

    #[test]
    fn virtual_ips_and_interfaces() {
        assert_eq!(
            address_with_prefix("10.0.0.10/24").unwrap(),
            ("10.0.0.10".parse().unwrap(), 24)
        );
        assert!(address_with_prefix("10.0.0.10/32").is_ok());
        assert!(address_with_prefix("2001:db8::10/64").is_ok());
        for bad in [
            "10.0.0.10",
            "10.0.0.0/24",
            "10.0.0.255/24",
            "10.0.0.10/33",
            "10.0.0.10/0",
            "127.0.0.1/8",
            "x/24",
        ] {
            assert!(address_with_prefix(bad).is_err(), "{bad}");
        }
        assert!(interface_name("eth0").is_ok());
        assert!(interface_name("bond0.100").is_ok());
        for bad in [
            "",
            ".",
            "a b",
            "eth0:1",
            "a/b",
            "averyveryverylongname",
            "eth0@if2",
        ] {
            assert!(interface_name(bad).is_err(), "{bad:?}");
        }
    }
}
