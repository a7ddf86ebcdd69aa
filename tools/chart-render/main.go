// chart-render: renders a Helm chart the way `helm template` does, for the parts of Helm our chart uses, with no
// helm binary and no cluster: Go's text/template, sprig (Debian's golang-github-masterminds-sprig-dev) and
// Helm's own functions (include, tpl, toYaml, fromYaml, toJson, fromJson, required, .Files), values from
// values.yaml + -f files + --set, .Release, .Chart, .Capabilities.KubeVersion, .Template.
//
// Semantics follow Helm 3's pkg/engine and pkg/chartutil: missingkey=zero and "<no value>" removed, user values
// coalesced over the chart's (maps merge, a null deletes a key), numbers from YAML files are float64 (Helm reads
// values through JSON), --set values typed as Helm's strvals (int64, bool, null, string), toYaml through JSON
// then yaml.v2 (sigs.k8s.io/yaml), files starting with "_" are partials, NOTES.txt only with --notes.
//
// Build offline (GOPATH mode against /usr/share/gocode): see tools/chart-render/chart-template.mjs.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
	yaml2 "gopkg.in/yaml.v2"
	yaml3 "gopkg.in/yaml.v3"
)

type options struct {
	chartDir    string
	valueFiles  []string
	sets        []string
	setStrings  []string
	releaseName string
	namespace   string
	showOnly    []string
	printValues bool
	notes       bool
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: chart-render <chart-dir> [-f values.yml]... [--set k=v]... [--set-string k=v]... "+
		"[--release-name name] [--namespace ns] [-s templates/x.yaml]... [--print-values] [--notes]")
	os.Exit(2)
}

func parseOptions(args []string) options {
	o := options{releaseName: "release-name", namespace: "default"}
	next := func(i *int, flag string) string {
		if *i+1 >= len(args) {
			fmt.Fprintf(os.Stderr, "chart-render: %s needs a value\n", flag)
			usage()
		}
		*i++
		return args[*i]
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		flag, value, hasValue := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "-") {
			if o.chartDir != "" {
				fmt.Fprintf(os.Stderr, "chart-render: one chart only (got %q and %q)\n", o.chartDir, a)
				usage()
			}
			o.chartDir = a
			continue
		}
		get := func() string {
			if hasValue {
				return value
			}
			return next(&i, flag)
		}
		switch flag {
		case "-f", "--values":
			o.valueFiles = append(o.valueFiles, get())
		case "--set":
			o.sets = append(o.sets, get())
		case "--set-string":
			o.setStrings = append(o.setStrings, get())
		case "--release-name", "--name":
			o.releaseName = get()
		case "-n", "--namespace":
			o.namespace = get()
		case "-s", "--show-only":
			o.showOnly = append(o.showOnly, get())
		case "--print-values":
			o.printValues = true
		case "--notes":
			o.notes = true
		default:
			fmt.Fprintf(os.Stderr, "chart-render: unknown flag %s\n", a)
			usage()
		}
	}
	if o.chartDir == "" {
		usage()
	}
	return o
}

// jsonValues turns anything decoded from YAML into what Helm holds after sigs.k8s.io/yaml: JSON types.
func jsonValues(v interface{}) (map[string]interface{}, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if string(data) == "null" {
		return out, nil
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw interface{}
	if err := yaml3.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	if _, ok := raw.(map[string]interface{}); !ok {
		return nil, fmt.Errorf("%s: the top level must be a map", file)
	}
	out, err := jsonValues(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, nil
}

// mergeMaps is Helm's mergeMaps for -f files and --set: b over a, maps merged recursively.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce is Helm's CoalesceValues: user values over the chart's defaults; a user null deletes the key.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		um, userIsMap := v.(map[string]interface{})
		dm, defaultIsMap := out[k].(map[string]interface{})
		if userIsMap && defaultIsMap {
			out[k] = coalesce(um, dm)
		} else {
			out[k] = v
		}
	}
	return out
}

// typedSetValue is Helm's strvals typing for --set: null, true/false, int64 (no leading zero), else string.
func typedSetValue(s string) interface{} {
	switch s {
	case "null":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(strings.TrimPrefix(s, "-"), "0")) {
		return n
	}
	return s
}

// splitUnescaped splits on sep outside {…} lists and not after a backslash.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// setPath stores value at a dotted key with optional [n] indexes (`a.b[0].c`, `a\.b`).
func setPath(root map[string]interface{}, key string, value interface{}) error {
	segments := splitUnescaped(key, '.')
	var cur interface{} = root
	var assign func(interface{})
	for i, seg := range segments {
		name := seg
		var indexes []int
		for strings.HasSuffix(name, "]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return fmt.Errorf("--set %s: unbalanced [", key)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return fmt.Errorf("--set %s: bad index %q", key, name[open:])
			}
			indexes = append([]int{n}, indexes...)
			name = name[:open]
		}
		name = unescape(name)
		m, ok := cur.(map[string]interface{})
		if !ok {
			return fmt.Errorf("--set %s: %s is not a map", key, strings.Join(segments[:i], "."))
		}
		last := i == len(segments)-1
		if len(indexes) == 0 {
			if last {
				m[name] = value
				return nil
			}
			child, ok := m[name].(map[string]interface{})
			if !ok {
				child = map[string]interface{}{}
				m[name] = child
			}
			cur = child
			continue
		}
		list, _ := m[name].([]interface{})
		parentMap, parentKey := m, name
		assign = func(v interface{}) { parentMap[parentKey] = v }
		for j, idx := range indexes {
			for len(list) <= idx {
				list = append(list, nil)
			}
			assign(list)
			if j == len(indexes)-1 {
				if last {
					list[idx] = value
					return nil
				}
				child, ok := list[idx].(map[string]interface{})
				if !ok {
					child = map[string]interface{}{}
					list[idx] = child
				}
				cur = child
			} else {
				inner, _ := list[idx].([]interface{})
				outer, at := list, idx
				assign = func(v interface{}) { outer[at] = v }
				list = inner
			}
		}
	}
	return nil
}

func parseSet(line string, asString bool, into map[string]interface{}) error {
	for _, pair := range splitUnescaped(line, ',') {
		if pair == "" {
			continue
		}
		key, raw, ok := strings.Cut(pair, "=")
		if !ok {
			return fmt.Errorf("--set %q: key=value expected", pair)
		}
		var value interface{}
		switch {
		case asString:
			value = unescape(raw)
		case strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}"):
			items := []interface{}{}
			if inner := raw[1 : len(raw)-1]; inner != "" {
				for _, item := range splitUnescaped(inner, ',') {
					items = append(items, typedSetValue(unescape(item)))
				}
			}
			value = items
		default:
			value = typedSetValue(unescape(raw))
		}
		if err := setPath(into, key, value); err != nil {
			return err
		}
	}
	return nil
}

// Files is Helm's .Files: the chart's files outside templates/ and the chart's own metadata files.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }

func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if matched, _ := path.Match(pattern, name); matched {
			out[name] = data
		}
	}
	return out
}

func (f Files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f Files) AsSecrets() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = base64.StdEncoding.EncodeToString(data)
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// toYAML is sigs.k8s.io/yaml's Marshal (JSON first, then yaml.v2) without the final newline, as Helm's toYaml.
func toYAML(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml2.Unmarshal(data, &obj); err != nil {
		return ""
	}
	out, err := yaml2.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYAML(s string) map[string]interface{} {
	var raw interface{}
	if err := yaml3.Unmarshal([]byte(s), &raw); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	out, err := jsonValues(raw)
	if err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	return out
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}

const recursionMaxNums = 1000

// funcMap is sprig's plus Helm's; include and tpl execute in `t` (Helm's initFunMap).
func funcMap(t **template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	depth := map[string]int{}
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > recursionMaxNums {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf strings.Builder
		if err := (*t).ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := (*t).Clone()
		if err != nil {
			return "", err
		}
		clone.Option("missingkey=zero")
		cloneRef := clone
		clone.Funcs(funcMap(&cloneRef))
		name := "tpl"
		if m, ok := data.(map[string]interface{}); ok {
			if tm, ok := m["Template"].(map[string]interface{}); ok {
				if n, ok := tm["Name"].(string); ok {
					name = n
				}
			}
		}
		if _, err := clone.New(name).Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, name, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

// chartMetadata maps Chart.yaml's keys to the field names templates see (.Chart.Name, .Chart.AppVersion, …).
func chartMetadata(file string) (map[string]interface{}, error) {
	raw, err := readYAMLMap(file)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{
		"apiVersion": "APIVersion", "name": "Name", "version": "Version", "appVersion": "AppVersion",
		"description": "Description", "type": "Type", "kubeVersion": "KubeVersion", "home": "Home",
		"keywords": "Keywords", "sources": "Sources", "icon": "Icon", "annotations": "Annotations",
		"maintainers": "Maintainers", "deprecated": "Deprecated",
	}
	out := map[string]interface{}{}
	for k, v := range raw {
		field, ok := fields[k]
		if !ok {
			return nil, fmt.Errorf("%s: unknown key %q", file, k)
		}
		out[field] = v
	}
	if out["Name"] == nil || out["Version"] == nil {
		return nil, fmt.Errorf("%s: name and version are required", file)
	}
	return out, nil
}

func run(o options) error {
	chartDir := filepath.Clean(o.chartDir)
	chart, err := chartMetadata(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	defaults, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	user := map[string]interface{}{}
	for _, file := range o.valueFiles {
		m, err := readYAMLMap(file)
		if err != nil {
			return err
		}
		user = mergeMaps(user, m)
	}
	setValues := map[string]interface{}{}
	for _, s := range o.sets {
		if err := parseSet(s, false, setValues); err != nil {
			return err
		}
	}
	for _, s := range o.setStrings {
		if err := parseSet(s, true, setValues); err != nil {
			return err
		}
	}
	values := coalesce(mergeMaps(user, setValues), defaults)
	if o.printValues {
		data, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		fmt.Println(string(data))
		return nil
	}

	chartName, _ := chart["Name"].(string)
	files := Files{}
	templates := map[string]string{}
	err = filepath.WalkDir(chartDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[chartName+"/"+rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || rel == "Chart.lock" ||
			strings.HasPrefix(rel, "charts/"):
		default:
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		return err
	}

	var root *template.Template
	root = template.New("gotpl").Option("missingkey=zero")
	root.Funcs(funcMap(&root))
	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(templates[name]); err != nil {
			return err
		}
	}

	top := map[string]interface{}{
		"Values": values,
		"Chart":  chart,
		"Files":  files,
		"Release": map[string]interface{}{
			"Name": o.releaseName, "Namespace": o.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30", "GitVersion": "v1.30.0"},
		},
	}
	var out, notes bytes.Buffer
	shown := 0
	for _, name := range names {
		base := path.Base(name)
		rel := strings.TrimPrefix(name, chartName+"/")
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt" && !o.notes) {
			continue
		}
		if len(o.showOnly) > 0 && !contains(o.showOnly, rel) {
			continue
		}
		data := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return err
		}
		rendered := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			// Helm prints the notes after every manifest.
			fmt.Fprintf(&notes, "NOTES:\n%s\n", strings.TrimSpace(rendered))
			shown++
			continue
		}
		for _, doc := range splitDocuments(rendered) {
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, doc)
		}
		shown++
	}
	if len(o.showOnly) > 0 && shown < len(o.showOnly) {
		return fmt.Errorf("could not find template(s) %s in chart", strings.Join(o.showOnly, ", "))
	}
	out.Write(notes.Bytes())
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

// splitDocuments is Helm's releaseutil.SplitManifests: documents separated by `---` lines; blank or comment-only
// documents dropped (Helm skips whitespace-only ones; a comment-only one would be an empty object to the API server).
func splitDocuments(s string) []string {
	var docs []string
	var cur []string
	flush := func() {
		doc := strings.Trim(strings.Join(cur, "\n"), "\n")
		if strings.TrimSpace(doc) != "" && !onlyComments(doc) {
			docs = append(docs, doc)
		}
		cur = nil
	}
	for _, line := range strings.Split(s, "\n") {
		if line == "---" || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "---\t") {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return docs
}

func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func main() {
	if err := run(parseOptions(os.Args[1:])); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}
