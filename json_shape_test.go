package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// TestJSONShapesHoldWhenEmpty: the JSON of DESIGN §4 and §6 keeps its
// shape when there is little to say: a brief whose every claim was
// dropped still has "claims":[] (not null), fresh and cached; ask's
// answer has "quotes":[] when the article doesn't say; and a failed
// SOURCE is {"source","error"}, in that order.
func TestJSONShapesHoldWhenEmpty(t *testing.T) {
	ts := pageServer(t)
	srv := llmtest.New(t)
	// A claim whose quote is not in the article: verification drops it.
	srv.Always(llmtest.Summary("The council approved a bridge.",
		llmtest.Claim{Claim: "The mayor resigned.", Quote: "Mayor Ana Ruiz resigned in protest after the vote."}))
	cfg := testConfig(t, fmt.Sprintf("[llm]\nbase_url = %q\nmodel = \"test-model\"\n", srv.URL()))
	for _, run := range []string{"fresh", "cached"} {
		code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/story")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", run, code, errOut)
		}
		if !strings.Contains(out, `"claims":[]`) {
			t.Errorf("%s brief without claims: %s; want \"claims\":[]", run, strings.TrimSpace(out))
		}
	}

	code, out, errOut := runCLI(t, nil, "", "ask", "--config", testConfig(t, ""), "--format", "json",
		"--question", "Who is the king of France?", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("ask: exit %d: %s", code, errOut)
	}
	if a := decodeLines(t, out)[0]; a["found"] != false || !strings.Contains(out, `"quotes":[]`) {
		t.Errorf("ask without an answer: %s; want found false and \"quotes\":[]", strings.TrimSpace(out))
	}

	code, out, _ = runCLI(t, nil, "", "extract", "--config", testConfig(t, ""), "--format", "json", ts.URL+"/missing")
	if code != 1 || !strings.HasPrefix(out, `{"source":"`+ts.URL+`/missing","error":"`) {
		t.Errorf("failed SOURCE: exit %d, %s; want 1 and {\"source\",\"error\"}", code, strings.TrimSpace(out))
	}
}

// TestInterruptedSourcesSaySo: a SOURCE cut short by SIGINT or SIGTERM
// fails (exit 1) with a sentence saying it was interrupted, not Go's
// "context canceled".
func TestInterruptedSourcesSaySo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the signal arrives while the page is being fetched
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer ts.Close()
	defer close(stop)
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"summarize", "--config", testConfig(t, ""), "--format", "json", ts.URL + "/story"},
		strings.NewReader(""), &out, &errOut, envOf(nil))
	if code != 1 || !strings.Contains(errOut.String(), "interrupted") || strings.Contains(errOut.String(), "context canceled") ||
		!strings.Contains(out.String(), `"error":"interrupted`) {
		t.Errorf("interrupted summarize: exit %d, stdout %q, stderr %q; want 1 and \"interrupted\"", code, out.String(), errOut.String())
	}
}
