package main

import (
	"fmt"
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
