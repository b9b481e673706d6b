package summarize

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// TestPromptNamesLanguage: the model is told by name which language to
// write in: the server's setting, else the article's detected language.
func TestPromptNamesLanguage(t *testing.T) {
	ja, err := os.ReadFile(filepath.Join("testdata", "lang", "ja.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := servePage(t, string(ja))
	for _, tc := range []struct {
		setting, req, want string
	}{
		{"", "", "in Japanese"},
		{"de", "", "in German"},
		{"de", "pt-BR", "in Portuguese"},
	} {
		srv := llmtest.New(t)
		s := llmService(t, srv, 5*time.Second)
		s.opts.Language = tc.setting
		if _, err := s.Summarize(context.Background(), page, Request{Language: tc.req}); err != nil {
			t.Fatalf("Summarize: %v", err)
		}
		if srv.Count() == 0 {
			t.Fatal("the model was never called")
		}
		system := srv.Last().Messages[0].Content
		if !strings.Contains(system, tc.want) || strings.Contains(system, "same language as the article") {
			t.Errorf("setting %q, request %q: system prompt does not say %q:\n%s", tc.setting, tc.req, tc.want, system)
		}
	}
}
