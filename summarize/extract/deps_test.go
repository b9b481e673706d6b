package extract

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoHeavyInit checks that the package does not import go-trafilatura
// or go-dateparser outside its tests: Go runs a package's initialization
// at start-up whether it is used or not, and go-dateparser's costs every
// run of the binary about 0.3 s and 78 MB, even `linkbrief version`.
func TestNoHeavyInit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, heavy := range []string{"github.com/markusmobius/go-trafilatura", "github.com/markusmobius/go-dateparser"} {
			if strings.HasPrefix(dep, heavy) {
				t.Errorf("package extract imports %s (through its dependencies), whose initialization every start-up pays", dep)
			}
		}
	}
}
