package bot_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves goroutines behind: every
// Bot must stop all of its work when Run returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
