package bot_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves goroutines behind: every
// Bot must stop all of its work when Run returns. The pipeline's shared
// work for one URL is deliberately detached from any one caller (others
// may be waiting on it) and ends on its own timeouts, so it is not counted.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("golang.org/x/sync/singleflight.(*Group).doCall"))
}
