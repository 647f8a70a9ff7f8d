package api_test

import (
	"strings"
	"testing"

	"carecircle/internal/reminder"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// TestReminderTemplatesAPI: community staff read the wording with its
// placeholders and preview; the station edits it; a bad text is 422 naming
// the field; others are refused.
func TestReminderTemplatesAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		status, body := e.call(t, "GET", "/api/v1/reminder-templates", "community1", nil)
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != len(reminder.Kinds) || body["editable"] != false {
			t.Fatalf("community reads: %d %v", status, body)
		}
		first := items[0].(map[string]any)
		if first["kind"] != "festival_visit" || first["default"] != true || first["updated_by"] != nil ||
			!strings.Contains(first["preview"].(string), "中秋") || len(first["placeholders"].([]any)) != 4 {
			t.Fatalf("a template: %v", first)
		}
		for _, who := range []string{"volunteer", "clinic", "viewer", "admin"} {
			if status, _ := e.call(t, "GET", "/api/v1/reminder-templates", who, nil); status != 403 {
				t.Errorf("%s reads: %d", who, status)
			}
		}
		for _, who := range []string{"community1", "volunteer", "admin"} {
			if status, _ := e.call(t, "PUT", "/api/v1/reminder-templates/weekly_chat", who, map[string]any{"text": "还差{count}次"}); status != 403 {
				t.Errorf("%s edits: %d", who, status)
			}
		}
		for _, tc := range []struct {
			kind, text, field, reason string
		}{
			{"weekly_chat", "", "text", "不能为空"},
			{"weekly_chat", "请看望{festival}", "text", "未知的占位符 {festival}"},
			{"no_such", "x", "kind", "没有这种提醒"},
		} {
			status, body := e.call(t, "PUT", "/api/v1/reminder-templates/"+tc.kind, "station", map[string]any{"text": tc.text})
			f, _ := fieldsOf(body)[tc.field].(string)
			if status != 422 || !strings.Contains(f, tc.reason) {
				t.Errorf("%s %q: %d %v", tc.kind, tc.text, status, body)
			}
		}
		status, body = e.call(t, "PUT", "/api/v1/reminder-templates/weekly_chat", "station", map[string]any{"text": "{elder}本周还差{count}次聊天"})
		if status != 200 || body["text"] != "{elder}本周还差{count}次聊天" || body["default"] != false || body["updated_by"] != "station" ||
			body["preview"] != "王秀兰、李建国本周还差2次聊天" {
			t.Fatalf("station edits: %d %v", status, body)
		}
		_, body = e.call(t, "GET", "/api/v1/reminder-templates", "community2", nil)
		for _, it := range body["items"].([]any) {
			if m := it.(map[string]any); m["kind"] == "weekly_chat" && (m["text"] != "{elder}本周还差{count}次聊天" || m["default"] != false) {
				t.Errorf("community 2 reads the edit: %v", m)
			}
		}
	})
}
