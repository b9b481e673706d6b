package main

import (
	"strings"
	"testing"
)

// A brief cached while fetch.allow_private_networks was on is not served
// once it is off: summarize and ask refuse the private address in one
// line, as a fetch would, instead of answering from the cache.
func TestCachedBriefMeetsFetchPolicy(t *testing.T) {
	ts := pageServer(t) // on 127.0.0.1
	open := testConfig(t, "")
	link := ts.URL + "/story"
	if code, _, errOut := runCLI(t, nil, "", "summarize", "--config", open, link); code != exitOK {
		t.Fatalf("summarize with private networks allowed: exit %d, %s", code, errOut)
	}
	closed := writeConfig(t, strings.Replace(readFile(t, open), "allow_private_networks = true", "allow_private_networks = false", 1))
	for _, args := range [][]string{
		{"summarize", "--config", closed, link},
		{"ask", "--config", closed, "--question", "How much will the bridge cost?", link},
	} {
		code, out, errOut := runCLI(t, nil, "", args...)
		if code != exitFailed || out != "" || !strings.Contains(errOut, "private network") {
			t.Errorf("%s after allow_private_networks was turned off: exit %d, stdout %.80q, stderr %q; want 1 and the private-network refusal", args[0], code, out, errOut)
		}
	}
	code, out, errOut := runCLI(t, nil, "", "summarize", "--config", open, "--format", "json", link)
	if code != exitOK || decodeLines(t, out)[0]["cached"] != true {
		t.Errorf("summarize with private networks allowed again: exit %d, %s %s; want the cached brief", code, out, errOut)
	}
}
