//go:build !unix

package observe

// fdLimit reports no limit where there are no resource limits.
func fdLimit() (float64, bool) { return 0, false }

// memoryLimit reports no limit where there are no resource limits.
func memoryLimit() (float64, bool) { return 0, false }
