package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// resourceType is what the stand-in knows of one aws resource type: what the real provider
// requires and validates, which inputs force a replacement (ForceNew in the Terraform AWS
// provider's schema), and how AWS fills the computed outputs.
type resourceType struct {
	// nameProperty is the input that names the resource; when absent the provider autonames it
	// (`<resource name>-<7 hex>`), as the real provider does. Empty: the type has no name.
	nameProperty string
	// required inputs (the real provider's "Missing required argument").
	required []string
	// documents are inputs holding a JSON policy document, refused when not valid JSON.
	documents []string
	// replaceOn are the inputs whose change replaces the resource.
	replaceOn []string
	// taggable types get `tagsAll`: the provider's default tags merged with `tags`.
	taggable bool
	// computed are the outputs create fills; unknown at preview, kept on update.
	computed []string
	// secrets are computed outputs returned as secrets.
	secrets []string
	// create returns the id and the computed outputs for known inputs.
	create func(a account, in inputs) (string, map[string]string)
}

// inputs reads string inputs of a resource.
type inputs resource.PropertyMap

// str is the string input key, or fallback when it is absent or not a string.
func (in inputs) str(key, fallback string) string {
	v, ok := in[resource.PropertyKey(key)]
	if ok && v.IsSecret() {
		v = v.SecretValue().Element
	}
	if ok && v.IsString() {
		return v.StringValue()
	}
	return fallback
}

func iamArn(a account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:%s%s%s", a.partition, a.id, kind, path, name)
}

func regionalArn(a account, service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.partition, service, a.region, a.id, resource)
}

// idOnly is a type whose id is one of its inputs and that has no other computed output.
func idOnly(key string) func(account, inputs) (string, map[string]string) {
	return func(_ account, in inputs) (string, map[string]string) {
		return in.str(key, ""), map[string]string{}
	}
}

// bucketConfiguration is one of the S3 bucket configuration resources: identified by its
// bucket, replaced when the bucket changes.
func bucketConfiguration(required ...string) resourceType {
	return resourceType{
		required:  append([]string{"bucket"}, required...),
		replaceOn: []string{"bucket", "expectedBucketOwner"},
		create:    idOnly("bucket"),
	}
}

// exclusive is one of the IAM `*Exclusive` resources that own a role's or user's policies:
// identified by the role or user they own.
func exclusive(owner, list string) resourceType {
	return resourceType{
		required:  []string{owner, list},
		replaceOn: []string{owner},
		create:    idOnly(owner),
	}
}

// resourceTypes are the types tf-bootstrap registers. Add a type here (with its computed
// outputs, as the AWS API documents them) before the program registers it.
var resourceTypes = map[string]resourceType{
	"aws:iam/role:Role": {
		nameProperty: "name",
		required:     []string{"assumeRolePolicy"},
		documents:    []string{"assumeRolePolicy"},
		replaceOn:    []string{"name", "namePrefix", "path"},
		taggable:     true,
		computed:     []string{"arn", "uniqueId", "createDate"},
		create: func(a account, in inputs) (string, map[string]string) {
			name := in.str("name", "")
			return name, map[string]string{
				"arn":        iamArn(a, "role", in.str("path", "/"), name),
				"uniqueId":   iamUniqueID("AROA"),
				"createDate": timestamp(),
			}
		},
	},
	"aws:iam/user:User": {
		nameProperty: "name",
		taggable:     true,
		computed:     []string{"arn", "uniqueId"},
		create: func(a account, in inputs) (string, map[string]string) {
			name := in.str("name", "")
			return name, map[string]string{
				"arn":      iamArn(a, "user", in.str("path", "/"), name),
				"uniqueId": iamUniqueID("AIDA"),
			}
		},
	},
	"aws:iam/accessKey:AccessKey": {
		required:  []string{"user"},
		replaceOn: []string{"user", "pgpKey"},
		computed:  []string{"secret", "sesSmtpPasswordV4", "createDate", "status"},
		secrets:   []string{"secret", "sesSmtpPasswordV4"},
		create: func(_ account, in inputs) (string, map[string]string) {
			return accessKeyID(), map[string]string{
				"secret":            secretAccessKey(),
				"sesSmtpPasswordV4": "B" + randomString(base64Alphabet, 43),
				"createDate":        timestamp(),
				"status":            in.str("status", "Active"),
			}
		},
	},
	"aws:iam/policy:Policy": {
		nameProperty: "name",
		required:     []string{"policy"},
		documents:    []string{"policy"},
		replaceOn:    []string{"name", "namePrefix", "path", "description"},
		taggable:     true,
		computed:     []string{"arn", "policyId"},
		create: func(a account, in inputs) (string, map[string]string) {
			arn := iamArn(a, "policy", in.str("path", "/"), in.str("name", ""))
			return arn, map[string]string{"arn": arn, "policyId": iamUniqueID("ANPA")}
		},
	},
	"aws:iam/rolePolicy:RolePolicy": {
		nameProperty: "name",
		required:     []string{"role", "policy"},
		documents:    []string{"policy"},
		replaceOn:    []string{"name", "namePrefix", "role"},
		create: func(_ account, in inputs) (string, map[string]string) {
			return in.str("role", "") + ":" + in.str("name", ""), map[string]string{}
		},
	},
	"aws:iam/userPolicy:UserPolicy": {
		nameProperty: "name",
		required:     []string{"user", "policy"},
		documents:    []string{"policy"},
		replaceOn:    []string{"name", "namePrefix", "user"},
		create: func(_ account, in inputs) (string, map[string]string) {
			return in.str("user", "") + ":" + in.str("name", ""), map[string]string{}
		},
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
		required:  []string{"role", "policyArn"},
		replaceOn: []string{"role", "policyArn"},
		create: func(_ account, in inputs) (string, map[string]string) {
			return attachmentID(in.str("role", "")), map[string]string{}
		},
	},
	"aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":                   exclusive("roleName", "policyNames"),
	"aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": exclusive("roleName", "policyArns"),
	"aws:iam/userPoliciesExclusive:UserPoliciesExclusive":                   exclusive("userName", "policyNames"),
	"aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": exclusive("userName", "policyArns"),
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
		required:  []string{"url", "clientIdLists"},
		replaceOn: []string{"url"},
		taggable:  true,
		computed:  []string{"arn"},
		create: func(a account, in inputs) (string, map[string]string) {
			host := strings.TrimPrefix(in.str("url", ""), "https://")
			arn := fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", a.partition, a.id, host)
			return arn, map[string]string{"arn": arn}
		},
	},
	"aws:kms/key:Key": {
		documents: []string{"policy"},
		replaceOn: []string{"customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"},
		taggable:  true,
		computed:  []string{"arn", "keyId"},
		create: func(a account, _ inputs) (string, map[string]string) {
			id := kmsKeyID()
			return id, map[string]string{"keyId": id, "arn": regionalArn(a, "kms", "key/"+id)}
		},
	},
	"aws:kms/alias:Alias": {
		nameProperty: "name",
		required:     []string{"targetKeyId"},
		replaceOn:    []string{"name", "namePrefix"},
		computed:     []string{"arn", "targetKeyArn"},
		create: func(a account, in inputs) (string, map[string]string) {
			name := in.str("name", "")
			target := in.str("targetKeyId", "")
			targetArn := target
			if !strings.HasPrefix(target, "arn:") {
				targetArn = regionalArn(a, "kms", "key/"+target)
			}
			return name, map[string]string{"arn": regionalArn(a, "kms", name), "targetKeyArn": targetArn}
		},
	},
	"aws:s3/bucket:Bucket": {
		nameProperty: "bucket",
		replaceOn:    []string{"bucket", "bucketPrefix", "objectLockEnabled"},
		taggable:     true,
		computed:     []string{"arn", "bucketDomainName", "bucketRegionalDomainName", "region"},
		create: func(a account, in inputs) (string, map[string]string) {
			bucket := in.str("bucket", "")
			return bucket, map[string]string{
				"arn":                      fmt.Sprintf("arn:%s:s3:::%s", a.partition, bucket),
				"bucketDomainName":         bucket + ".s3." + a.dnsSuffix(),
				"bucketRegionalDomainName": bucket + ".s3." + a.region + "." + a.dnsSuffix(),
				"region":                   a.region,
			}
		},
	},
	"aws:s3/bucketPolicy:BucketPolicy": func() resourceType {
		t := bucketConfiguration("policy")
		t.documents = []string{"policy"}
		return t
	}(),
	"aws:s3/bucketVersioning:BucketVersioning":                                               bucketConfiguration("versioningConfiguration"),
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketConfiguration("rules"),
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                 bucketConfiguration(),
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                 bucketConfiguration("rule"),
	"aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":                       bucketConfiguration(),
	"aws:s3/bucketLogging:BucketLogging":                                                     bucketConfiguration("targetBucket", "targetPrefix"),
	"aws:cloudtrail/trail:Trail": {
		nameProperty: "name",
		required:     []string{"s3BucketName"},
		replaceOn:    []string{"name"},
		taggable:     true,
		computed:     []string{"arn", "homeRegion"},
		create: func(a account, in inputs) (string, map[string]string) {
			arn := regionalArn(a, "cloudtrail", "trail/"+in.str("name", ""))
			return arn, map[string]string{"arn": arn, "homeRegion": a.region}
		},
	},
	"aws:dynamodb/table:Table": {
		nameProperty: "name",
		replaceOn:    []string{"name"},
		taggable:     true,
		computed:     []string{"arn"},
		create: func(a account, in inputs) (string, map[string]string) {
			name := in.str("name", "")
			return name, map[string]string{"arn": regionalArn(a, "dynamodb", "table/"+name)}
		},
	},
}

// lookupType finds a modelled type, or says how to add it.
func lookupType(token string) (resourceType, error) {
	t, ok := resourceTypes[token]
	if !ok {
		known := make([]string, 0, len(resourceTypes))
		for k := range resourceTypes {
			known = append(known, k)
		}
		sort.Strings(known)
		return t, fmt.Errorf("the aws provider stand-in does not model resource type %s; "+
			"add it, with its computed outputs, to test/engine/aws-standin/types.go "+
			"(it models: %s)", token, strings.Join(known, ", "))
	}
	return t, nil
}
