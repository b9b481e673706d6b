//go:build unix

package observe

import "syscall"

// fdLimit returns the most file descriptors the process may open.
func fdLimit() (float64, bool) { return rlimit(syscall.RLIMIT_NOFILE) }

// memoryLimit returns the most virtual memory the process may map.
func memoryLimit() (float64, bool) { return rlimit(syscall.RLIMIT_AS) }

// rlimit returns a resource's soft limit ("unlimited" is the largest
// uint64).
func rlimit(resource int) (float64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(resource, &lim); err != nil {
		return 0, false
	}
	return float64(lim.Cur), true
}
