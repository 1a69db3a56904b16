package rules

import (
	"encoding/json"
	"testing"
)

// frameBundle is a valid bundle with one frame rule, to be broken by a test.
func frameBundle() map[string]any {
	m := minimal()
	r := rule0(m)
	delete(r, "phrase")
	r["id"], r["category"], r["severity"], r["kind"] = "politics.opinion", "politics", "warn", "frame"
	var fr map[string]any
	_ = json.Unmarshal([]byte(`{"roles":[
	  {"name":"target","label":{"nb":"Mål","nn":"Mål","en":"Target"},"classes":[{"name":"party","label":{"nb":"parti","nn":"parti","en":"party"},"words":["høgre","frp"]}]},
	  {"name":"stance","label":{"nb":"Vurdering","nn":"Vurdering","en":"Evaluation"},"classes":[{"name":"praise","label":{"nb":"ros","nn":"ros","en":"praise"},"words":["flott*"],"patterns":["👏"],"kinds":["post"]}]}
	],"unless":["sier han"],"carry":["dette"],"merge":true}`), &fr)
	r["frame"] = fr
	return m
}

func roleN(m map[string]any, i int) map[string]any {
	return rule0(m)["frame"].(map[string]any)["roles"].([]any)[i].(map[string]any)
}

func class00(m map[string]any) map[string]any {
	return roleN(m, 0)["classes"].([]any)[0].(map[string]any)
}

func TestValidateFrame(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		path  string
		inMsg string
	}{
		{"ok", func(m map[string]any) {}, "", ""},
		{"no roles", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["roles"] = []any{} }, "rules[0].frame.roles", "at least one role"},
		{"bad role name", func(m map[string]any) { roleN(m, 0)["name"] = "Target!" }, "rules[0].frame.roles[0].name", "not a role name"},
		{"duplicate role", func(m map[string]any) { roleN(m, 1)["name"] = "target" }, "rules[0].frame.roles[1].name", "defined twice"},
		{"role without label", func(m map[string]any) { roleN(m, 0)["label"] = map[string]any{"en": "x"} }, "rules[0].frame.roles[0].label.nb", "explanation"},
		{"class without words", func(m map[string]any) { delete(class00(m), "words") }, "rules[0].frame.roles[0].classes[0]", "words or patterns"},
		{"bad class term", func(m map[string]any) { class00(m)["words"] = []any{"h*gre"} }, "rules[0].frame.roles[0].classes[0].words[0]", "may only start or end"},
		{"bad class pattern", func(m map[string]any) { class00(m)["patterns"] = []any{"(a"} }, "rules[0].frame.roles[0].classes[0].patterns[0]", "invalid RE2"},
		{"bad class kind", func(m map[string]any) { class00(m)["kinds"] = []any{"tweet"} }, "rules[0].frame.roles[0].classes[0].kinds[0]", "tweet"},
		{"bad span", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["span"] = "word" }, "rules[0].frame.span", "not a span"},
		{"within", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["within"] = 101 }, "rules[0].frame.within", "between 0 and 100"},
		{"bad carry term", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["carry"] = []any{"*"} }, "rules[0].frame.carry[0]", "only a wildcard"},
		{"carry_with an unknown class", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["carry_with"] = []any{"praise", "nonsense"} }, "rules[0].frame.carry_with[1]", "not a class"},
		{"carry_with a class of the first role", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["carry_with"] = []any{"party"} }, "rules[0].frame.carry_with[0]", "after the first"},
		{"cover an unknown role", func(m map[string]any) { rule0(m)["frame"].(map[string]any)["cover"] = []any{"stance", "ask"} }, "rules[0].frame.cover[1]", "not a role"},
		{"frame on a phrase rule", func(m map[string]any) { rule0(m)["phrase"] = map[string]any{"words": []any{"x"}} }, "rules[0].phrase", "kind is \"frame\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := frameBundle()
			tt.edit(m)
			wantValidationError(t, m, tt.path, tt.inMsg)
		})
	}
}
