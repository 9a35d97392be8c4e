package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// storeEnv names the directory where the stand-in remembers the resources it created: the
// "cloud" every process of one test run shares (the engine starts one provider process per
// account, and hands each the environment it runs with). Unset: nothing is remembered and
// nothing can be imported.
const storeEnv = "TFB_STANDIN_STORE"

// stored is one resource as the stand-in's "cloud" holds it.
type stored struct {
	Type    string          `json:"type"`
	Account string          `json:"account"`
	ID      string          `json:"id"`
	Inputs  json.RawMessage `json:"inputs"`
	Outputs json.RawMessage `json:"outputs"`
}

// storeDir is the store's directory, or "" when the run keeps none.
func storeDir() string { return os.Getenv(storeEnv) }

// importID is the id the real provider imports a resource by: its id, except for a policy
// attachment, imported as `<role>/<policy ARN>` (its id is generated at create).
func importID(token, id string, in resource.PropertyMap) string {
	if token == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" {
		return inputs(in).str("role", "") + "/" + inputs(in).str("policyArn", "")
	}
	return id
}

// storePath is where a resource of `token` with import id `id` in `account` is kept: one JSON
// file per resource, named by a hash of its type and id.
func storePath(dir, account, token, id string) string {
	sum := sha256.Sum256([]byte(token + "\x00" + id))
	return filepath.Join(dir, account, hex.EncodeToString(sum[:16])+".json")
}

var storeMarshal = plugin.MarshalOptions{KeepSecrets: true, SkipNulls: true}

func propertiesJSON(m resource.PropertyMap) (json.RawMessage, error) {
	s, err := plugin.MarshalProperties(m, storeMarshal)
	if err != nil {
		return nil, err
	}
	return json.Marshal(s.AsMap())
}

func propertiesOf(raw json.RawMessage) (resource.PropertyMap, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	s, err := structpb.NewStruct(m)
	if err != nil {
		return nil, err
	}
	return plugin.UnmarshalProperties(s, storeMarshal)
}

// remember writes a created or updated resource to the store (when the run keeps one).
func remember(acct account, token, id string, in, out resource.PropertyMap) error {
	dir := storeDir()
	if dir == "" {
		return nil
	}
	inJSON, err := propertiesJSON(in)
	if err != nil {
		return err
	}
	outJSON, err := propertiesJSON(out)
	if err != nil {
		return err
	}
	text, err := json.MarshalIndent(stored{
		Type: token, Account: acct.id, ID: id, Inputs: inJSON, Outputs: outJSON,
	}, "", "  ")
	if err != nil {
		return err
	}
	path := storePath(dir, acct.id, token, importID(token, id, in))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, text, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// forget removes a deleted resource from the store.
func forget(acct account, token, id string, in resource.PropertyMap) error {
	dir := storeDir()
	if dir == "" {
		return nil
	}
	err := os.Remove(storePath(dir, acct.id, token, importID(token, id, in)))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// errNotStored is a lookup of a resource the account does not hold.
var errNotStored = errors.New("not stored")

// lookup reads the resource of `token` imported by `id` in the account.
func lookup(acct account, token, id string) (stored, resource.PropertyMap, resource.PropertyMap, error) {
	var s stored
	text, err := os.ReadFile(storePath(storeDir(), acct.id, token, id))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil, nil, errNotStored
	}
	if err != nil {
		return s, nil, nil, err
	}
	if err := json.Unmarshal(text, &s); err != nil {
		return s, nil, nil, err
	}
	in, err := propertiesOf(s.Inputs)
	if err != nil {
		return s, nil, nil, err
	}
	out, err := propertiesOf(s.Outputs)
	if err != nil {
		return s, nil, nil, err
	}
	return s, in, out, nil
}
