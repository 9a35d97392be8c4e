package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// provider is one configured aws provider: the engine starts one process per provider
// resource, configures it once, then sends it the operations of that provider's resources.
type provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	mu         sync.Mutex
	configured bool
	account    account
}

func newProvider() *provider { return &provider{} }

var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns:  true,
	KeepSecrets:   true,
	KeepResources: true,
	SkipNulls:     true,
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, marshalOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOpts)
}

// GetPluginInfo reports the @pulumi/aws version the stand-in was built for.
func (p *provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Handshake accepts secrets and resource references, like the real provider.
func (p *provider) Handshake(
	context.Context, *pulumirpc.ProviderHandshakeRequest,
) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

// CheckConfig validates the provider's config with the checks Configure applies, so a bad
// provider config fails at preview, before any resource.
func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	if !news.ContainsUnknowns() {
		if _, problems := accountOf(news); len(problems) > 0 {
			for _, problem := range problems {
				property, reason, _ := strings.Cut(problem, ": ")
				failures = append(failures, &pulumirpc.CheckFailure{Property: property, Reason: reason})
			}
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// DiffConfig reports which config keys changed; none replaces the provider.
func (p *provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diff(resourceType{}, req)
}

// Configure pins the provider to its account, partition and region.
func (p *provider) Configure(
	_ context.Context, req *pulumirpc.ConfigureRequest,
) (*pulumirpc.ConfigureResponse, error) {
	var config resource.PropertyMap
	if req.GetArgs() != nil {
		var err error
		if config, err = unmarshal(req.GetArgs()); err != nil {
			return nil, err
		}
	} else {
		config = resource.PropertyMap{}
		for k, v := range req.GetVariables() {
			// Variables are keyed `aws:config:<name>` (or `aws:<name>`).
			name := k[strings.LastIndex(k, ":")+1:]
			config[resource.PropertyKey(name)] = resource.NewStringProperty(v)
		}
	}
	acct, problems := accountOf(config)
	if len(problems) > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "aws provider config: %s", strings.Join(problems, "; "))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.account = acct
	p.configured = true
	return &pulumirpc.ConfigureResponse{
		AcceptSecrets: true, SupportsPreview: true, AcceptResources: true,
	}, nil
}

func (p *provider) pinned() (account, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.configured {
		return account{}, status.Error(codes.FailedPrecondition, "the aws provider was not configured")
	}
	return p.account, nil
}

// Check validates a resource's inputs as the real provider would before planning it: required
// arguments present, policy documents well-formed JSON. It names the resource when its name
// input is absent, and returns the inputs otherwise unchanged.
func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := lookupType(typeOf(req.GetUrn(), req.GetType()))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	if t.nameProperty != "" {
		key := resource.PropertyKey(t.nameProperty)
		if _, has := news[key]; !has {
			if old, hadName := olds[key]; hadName {
				news[key] = old
			} else {
				news[key] = resource.NewStringProperty(autoName(nameOf(req.GetUrn(), req.GetName()), req.GetRandomSeed()))
			}
		}
	}
	var failures []*pulumirpc.CheckFailure
	for _, key := range t.required {
		if v, ok := news[resource.PropertyKey(key)]; !ok || v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: key, Reason: fmt.Sprintf("Missing required argument: %q is required", key),
			})
		}
	}
	for _, key := range t.documents {
		v, ok := news[resource.PropertyKey(key)]
		if !ok || v.ContainsUnknowns() {
			continue
		}
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsString() || !json.Valid([]byte(v.StringValue())) {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: key, Reason: fmt.Sprintf("%q contains an invalid JSON policy document", key),
			})
		}
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff compares the new inputs with the old ones, property by property.
func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := lookupType(typeOf(req.GetUrn(), req.GetType()))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return diff(t, req)
}

// Create fills the computed outputs; at preview they are unknown, as with the real provider.
func (p *provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := lookupType(typeOf(req.GetUrn(), req.GetType()))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	acct, err := p.pinned()
	if err != nil {
		return nil, err
	}
	in, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	out := in.Copy()
	id := ""
	if req.GetPreview() {
		for _, key := range t.computed {
			if _, isInput := out[resource.PropertyKey(key)]; !isInput {
				out[resource.PropertyKey(key)] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
	} else {
		if in.ContainsUnknowns() {
			return nil, status.Errorf(codes.InvalidArgument, "%s: inputs still unknown at create", req.GetUrn())
		}
		var computed map[string]string
		id, computed = t.create(acct, inputs(in))
		for key, value := range computed {
			v := resource.NewStringProperty(value)
			if contains(t.secrets, key) {
				v = resource.MakeSecret(v)
			}
			out[resource.PropertyKey(key)] = v
		}
	}
	if t.taggable {
		out["tagsAll"] = tagsAll(acct, in)
	}
	if !req.GetPreview() {
		if err := remember(acct, typeOf(req.GetUrn(), req.GetType()), id, in, out); err != nil {
			return nil, status.Errorf(codes.Internal, "%s: could not record the resource: %v", req.GetUrn(), err)
		}
	}
	props, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// Update keeps the computed outputs of the existing resource and takes the new inputs.
func (p *provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := lookupType(typeOf(req.GetUrn(), req.GetType()))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	acct, err := p.pinned()
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	out := news.Copy()
	for _, key := range t.computed {
		k := resource.PropertyKey(key)
		if _, isInput := news[k]; !isInput {
			if old, ok := olds[k]; ok {
				out[k] = old
			}
		}
	}
	if t.taggable {
		out["tagsAll"] = tagsAll(acct, news)
	}
	if !req.GetPreview() && !news.ContainsUnknowns() {
		if err := remember(acct, typeOf(req.GetUrn(), req.GetType()), req.GetId(), news, out); err != nil {
			return nil, status.Errorf(codes.Internal, "%s: could not record the resource: %v", req.GetUrn(), err)
		}
	}
	props, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Read returns the resource as the state has it: the stand-in has no AWS to read, so it cannot
// show drift. A read without state is an import: it answers from the store of the resources
// the stand-in created in this run (TFB_STANDIN_STORE), and fails, naming the account, for a
// resource that is not there.
func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	token := typeOf(req.GetUrn(), req.GetType())
	if _, err := lookupType(token); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if len(req.GetProperties().GetFields()) > 0 {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	if storeDir() == "" {
		return nil, status.Errorf(codes.Unimplemented,
			"%s: the aws provider stand-in cannot import %q: it keeps no store of the resources it "+
				"created (set %s to a directory shared by the run)", req.GetUrn(), req.GetId(), storeEnv)
	}
	acct, err := p.pinned()
	if err != nil {
		return nil, err
	}
	s, in, out, err := lookup(acct, token, req.GetId())
	if errors.Is(err, errNotStored) {
		return nil, status.Errorf(codes.NotFound,
			"%s: cannot import %q: no such resource (%s) in account %s", req.GetUrn(), req.GetId(), token, acct.id)
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%s: could not read the store: %v", req.GetUrn(), err)
	}
	props, err := marshal(out)
	if err != nil {
		return nil, err
	}
	ins, err := marshal(in)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: s.ID, Properties: props, Inputs: ins}, nil
}

// Delete removes the resource from the store. The engine does not call it for a resource it
// retains (retainOnDelete), so a retained resource stays.
func (p *provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	token := typeOf(req.GetUrn(), req.GetType())
	if _, err := lookupType(token); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if storeDir() == "" {
		return &emptypb.Empty{}, nil
	}
	acct, err := p.pinned()
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if err := forget(acct, token, req.GetId(), olds); err != nil {
		return nil, status.Errorf(codes.Internal, "%s: could not update the store: %v", req.GetUrn(), err)
	}
	return &emptypb.Empty{}, nil
}

// Invoke refuses every function: tf-bootstrap builds every value from config.
func (p *provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, status.Errorf(codes.Unimplemented,
		"the aws provider stand-in answers no function calls (called: %s)", req.GetTok())
}

// Cancel has nothing in flight to stop.
func (p *provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// diff is the property-by-property comparison Diff and DiffConfig share. A value still unknown
// counts as changed. Keys of t.replaceOn that changed replace the resource.
func diff(t resourceType, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	oldsStruct := req.GetOldInputs()
	if oldsStruct == nil {
		oldsStruct = req.GetOlds()
	}
	olds, err := unmarshal(oldsStruct)
	if err != nil {
		return nil, err
	}
	ignored := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignored[k] = true
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range news {
		keys[k] = true
	}
	for k := range olds {
		keys[k] = true
	}
	res := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	for k := range keys {
		if ignored[string(k)] || strings.HasPrefix(string(k), "__") {
			continue
		}
		oldV, hadOld := olds[k]
		newV, hasNew := news[k]
		hadOld = hadOld && !oldV.IsNull()
		hasNew = hasNew && !newV.IsNull()
		replace := contains(t.replaceOn, string(k))
		var kind pulumirpc.PropertyDiff_Kind
		switch {
		case !hadOld && !hasNew:
			continue
		case !hadOld:
			kind = pick(replace, pulumirpc.PropertyDiff_ADD_REPLACE, pulumirpc.PropertyDiff_ADD)
		case !hasNew:
			kind = pick(replace, pulumirpc.PropertyDiff_DELETE_REPLACE, pulumirpc.PropertyDiff_DELETE)
		case newV.ContainsUnknowns() || !oldV.DeepEquals(newV):
			kind = pick(replace, pulumirpc.PropertyDiff_UPDATE_REPLACE, pulumirpc.PropertyDiff_UPDATE)
		default:
			continue
		}
		res.Changes = pulumirpc.DiffResponse_DIFF_SOME
		res.Diffs = append(res.Diffs, string(k))
		res.DetailedDiff[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		if replace {
			res.Replaces = append(res.Replaces, string(k))
		}
	}
	sort.Strings(res.Diffs)
	sort.Strings(res.Replaces)
	return res, nil
}

func pick(cond bool, yes, no pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	if cond {
		return yes
	}
	return no
}

// tagsAll merges the provider's default tags with the resource's `tags` (the resource wins),
// unknown while `tags` is.
func tagsAll(a account, in resource.PropertyMap) resource.PropertyValue {
	merged := resource.PropertyMap{}
	for k, v := range a.defaultTags {
		merged[resource.PropertyKey(k)] = resource.NewStringProperty(v)
	}
	if tags, ok := in["tags"]; ok && !tags.IsNull() {
		if tags.ContainsUnknowns() {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		if tags.IsSecret() {
			tags = tags.SecretValue().Element
		}
		if tags.IsObject() {
			for k, v := range tags.ObjectValue() {
				merged[k] = v
			}
		}
	}
	return resource.NewObjectProperty(merged)
}

// typeOf is the request's type token, read from the URN for engines that do not send it.
func typeOf(urn, token string) string {
	if token != "" {
		return token
	}
	parsed, err := resource.ParseURN(urn)
	if err != nil {
		return urn
	}
	return string(parsed.Type())
}

func nameOf(urn, name string) string {
	if name != "" {
		return name
	}
	parsed, err := resource.ParseURN(urn)
	if err != nil {
		return urn
	}
	return parsed.Name()
}

// autoName is the real provider's default physical name: the resource name, a dash and seven
// hex characters, drawn from the engine's random seed so a re-run names it the same.
func autoName(name string, seed []byte) string {
	suffix := hex.EncodeToString(seed)
	if len(suffix) < 7 {
		suffix = (suffix + "0000000")[:7]
	}
	return name + "-" + suffix[:7]
}
