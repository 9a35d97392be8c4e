package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// account is where a configured provider puts its resources.
type account struct {
	id        string
	region    string
	partition string
	// defaultTags are the provider's `defaultTags.tags`, merged into every `tagsAll`.
	defaultTags map[string]string
}

var roleArnPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/.+$`)

// configValue reads a provider config value. The Node.js SDK sends non-string provider inputs
// as JSON text (`allowedAccountIds: "[\"111111111111\"]"`); newer SDKs send them as values.
func configValue(inputs resource.PropertyMap, key string) (any, bool) {
	v, ok := inputs[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return nil, false
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		text := v.StringValue()
		var parsed any
		if (strings.HasPrefix(text, "[") || strings.HasPrefix(text, "{")) &&
			json.Unmarshal([]byte(text), &parsed) == nil {
			return parsed, true
		}
		return text, true
	}
	return v.Mappable(), true
}

// accountOf resolves the account a provider works in, as the real provider would after
// assuming its role: the account of `assumeRoles[0].roleArn` (the stand-in has no other
// credentials), which must be one of `allowedAccountIds` when they are set. Every problem is
// returned, with the value and the fix.
func accountOf(inputs resource.PropertyMap) (account, []string) {
	var problems []string
	acct := account{defaultTags: map[string]string{}}

	if v, ok := configValue(inputs, "region"); ok {
		acct.region, _ = v.(string)
	}
	if acct.region == "" {
		problems = append(problems, "region: missing; the aws provider needs `region` in its config")
	}
	acct.partition = partitionOf(acct.region)

	var roleArn string
	if v, ok := configValue(inputs, "assumeRoles"); ok {
		if roles, isList := v.([]any); isList && len(roles) > 0 {
			if first, isMap := roles[0].(map[string]any); isMap {
				roleArn, _ = first["roleArn"].(string)
			}
		}
	}
	if m := roleArnPattern.FindStringSubmatch(roleArn); m != nil {
		acct.id = m[2]
		if m[1] != acct.partition && acct.region != "" {
			problems = append(problems, fmt.Sprintf(
				"assumeRoles[0].roleArn: %q is in partition %s, but region %s is in %s",
				roleArn, m[1], acct.region, acct.partition))
		}
	} else {
		problems = append(problems, fmt.Sprintf(
			"assumeRoles[0].roleArn: %q is not an IAM role ARN; the stand-in takes the provider's "+
				"account from the role it assumes (arn:<partition>:iam::<12 digits>:role/<name>)", roleArn))
	}

	if v, ok := configValue(inputs, "allowedAccountIds"); ok && acct.id != "" {
		allowed := []string{}
		if list, isList := v.([]any); isList {
			for _, id := range list {
				if s, isString := id.(string); isString {
					allowed = append(allowed, s)
				}
			}
		}
		if !contains(allowed, acct.id) {
			// The real provider's words when the credentials' account is not allowed.
			problems = append(problems, fmt.Sprintf(
				"AWS account ID not allowed: %s (allowedAccountIds: %v)", acct.id, allowed))
		}
	}

	if v, ok := configValue(inputs, "defaultTags"); ok {
		if m, isMap := v.(map[string]any); isMap {
			if tags, isTags := m["tags"].(map[string]any); isTags {
				for k, t := range tags {
					if s, isString := t.(string); isString {
						acct.defaultTags[k] = s
					}
				}
			}
		}
	}
	return acct, problems
}

// partitionOf derives the partition from the region, as AWS's endpoint data does.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

// dnsSuffix is the partition's domain for service endpoints.
func (a account) dnsSuffix() string {
	if a.partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
