package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageManifest is the part of an npm package.json that declares a Pulumi plugin:
// `"pulumi": { "resource": true, "name": "aws", "version": "7.48.0" }`.
type packageManifest struct {
	Name   string `json:"name"`
	Pulumi *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPlugins lists the resource plugins declared by the packages installed in the
// program's node_modules (top level and scoped, nested node_modules included), one per
// name and version, sorted. A program without node_modules needs `npm ci` first.
func requiredPlugins(programDir string) ([]*pulumirpc.PluginDependency, error) {
	root := filepath.Join(programDir, "node_modules")
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("%s has no node_modules; run `npm ci` first: %w", programDir, err)
	}
	seen := map[string]*pulumirpc.PluginDependency{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Only package folders and nested node_modules can hold a manifest worth reading.
			if path != root && !isPackageFolder(root, path) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() != "package.json" || !isPackageFolder(root, filepath.Dir(path)) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var manifest packageManifest
		if err := json.Unmarshal(data, &manifest); err != nil {
			return nil // not every package.json under node_modules is a manifest we can read
		}
		p := manifest.Pulumi
		if p == nil || !p.Resource {
			return nil
		}
		name := p.Name
		if name == "" {
			name = strings.TrimPrefix(manifest.Name, "@pulumi/")
		}
		key := name + "@" + p.Version
		if _, ok := seen[key]; !ok {
			seen[key] = &pulumirpc.PluginDependency{
				Name: name, Kind: "resource", Version: p.Version, Server: p.Server,
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.SkipDir) {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*pulumirpc.PluginDependency, 0, len(keys))
	for _, k := range keys {
		out = append(out, seen[k])
	}
	return out, nil
}

// isPackageFolder tells whether dir (below root) is `pkg`, `@scope`, `@scope/pkg`, or the same
// under a nested `pkg/node_modules/`.
func isPackageFolder(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	// Strip `<package>/node_modules/` prefixes of nested installs.
	for {
		i := 1
		if strings.HasPrefix(parts[0], "@") {
			i = 2
		}
		if len(parts) > i && parts[i] == "node_modules" {
			parts = parts[i+1:]
			if len(parts) == 0 {
				return true
			}
			continue
		}
		break
	}
	switch {
	case len(parts) == 1:
		return true
	case len(parts) == 2:
		return strings.HasPrefix(parts[0], "@")
	default:
		return false
	}
}
