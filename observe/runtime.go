package observe

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// writeGoMetrics writes the Go runtime's metrics under the names
// Prometheus' Go collector gives them (go_goroutines, go_memstats_*,
// go_gc_duration_seconds...), so dashboards made for Go services work.
func writeGoMetrics(w *bufio.Writer) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5) // minimum, quartiles, maximum
	debug.ReadGCStats(&gc)

	writeHeader(w, "go_gc_duration_seconds", "Pause (stop-the-world) time of the garbage collection cycles.", kindSummary)
	for i, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
		writeSample(w, "go_gc_duration_seconds", nil, nil, "quantile", q, gc.PauseQuantiles[i].Seconds())
	}
	writeSample(w, "go_gc_duration_seconds_sum", nil, nil, "", 0, gc.PauseTotal.Seconds())
	writeSample(w, "go_gc_duration_seconds_count", nil, nil, "", 0, float64(gc.NumGC))

	limit := debug.SetMemoryLimit(-1) // a negative limit reads it without a change
	threads, _ := runtime.ThreadCreateProfile(nil)
	writeGauges(w, []gauge{
		{"go_gc_gogc_percent", "The heap growth that starts a garbage collection (GOGC), in percent; -1 when off.", kindGauge, float64(gcPercent(os.Getenv("GOGC")))},
		{"go_gc_gomemlimit_bytes", "The memory limit of the Go runtime (GOMEMLIMIT), math.MaxInt64 when none.", kindGauge, float64(limit)},
		{"go_goroutines", "Goroutines that exist now.", kindGauge, float64(runtime.NumGoroutine())},
	})
	writeHeader(w, "go_info", "The Go version the binary was built with.", kindGauge)
	writeSample(w, "go_info", []string{"version"}, []string{runtime.Version()}, "", 0, 1)
	lastGC := 0.0
	if ms.LastGC > 0 {
		lastGC = float64(ms.LastGC) / 1e9
	}
	writeGauges(w, []gauge{
		{"go_memstats_alloc_bytes", "Bytes of heap objects in use.", kindGauge, float64(ms.Alloc)},
		{"go_memstats_alloc_bytes_total", "Bytes allocated for heap objects since the start, freed or not.", kindCounter, float64(ms.TotalAlloc)},
		{"go_memstats_buck_hash_sys_bytes", "Bytes of the profiling bucket hash table.", kindGauge, float64(ms.BuckHashSys)},
		{"go_memstats_frees_total", "Heap objects freed since the start.", kindCounter, float64(ms.Frees)},
		{"go_memstats_gc_sys_bytes", "Bytes of garbage collection metadata.", kindGauge, float64(ms.GCSys)},
		{"go_memstats_heap_alloc_bytes", "Bytes of heap objects in use (as go_memstats_alloc_bytes).", kindGauge, float64(ms.HeapAlloc)},
		{"go_memstats_heap_idle_bytes", "Bytes of heap spans without objects.", kindGauge, float64(ms.HeapIdle)},
		{"go_memstats_heap_inuse_bytes", "Bytes of heap spans with at least one object.", kindGauge, float64(ms.HeapInuse)},
		{"go_memstats_heap_objects", "Heap objects in use.", kindGauge, float64(ms.HeapObjects)},
		{"go_memstats_heap_released_bytes", "Bytes of heap returned to the operating system.", kindGauge, float64(ms.HeapReleased)},
		{"go_memstats_heap_sys_bytes", "Bytes of heap obtained from the operating system.", kindGauge, float64(ms.HeapSys)},
		{"go_memstats_last_gc_time_seconds", "When the last garbage collection ended, in seconds since 1970; 0 before the first.", kindGauge, lastGC},
		{"go_memstats_mallocs_total", "Heap objects allocated since the start.", kindCounter, float64(ms.Mallocs)},
		{"go_memstats_mcache_inuse_bytes", "Bytes of mcache structures in use.", kindGauge, float64(ms.MCacheInuse)},
		{"go_memstats_mcache_sys_bytes", "Bytes of mcache structures obtained from the operating system.", kindGauge, float64(ms.MCacheSys)},
		{"go_memstats_mspan_inuse_bytes", "Bytes of mspan structures in use.", kindGauge, float64(ms.MSpanInuse)},
		{"go_memstats_mspan_sys_bytes", "Bytes of mspan structures obtained from the operating system.", kindGauge, float64(ms.MSpanSys)},
		{"go_memstats_next_gc_bytes", "Heap size at which the next garbage collection starts.", kindGauge, float64(ms.NextGC)},
		{"go_memstats_other_sys_bytes", "Bytes of other runtime allocations.", kindGauge, float64(ms.OtherSys)},
		{"go_memstats_stack_inuse_bytes", "Bytes of goroutine stack spans in use.", kindGauge, float64(ms.StackInuse)},
		{"go_memstats_stack_sys_bytes", "Bytes of stack memory obtained from the operating system.", kindGauge, float64(ms.StackSys)},
		{"go_memstats_sys_bytes", "Bytes obtained from the operating system in all.", kindGauge, float64(ms.Sys)},
		{"go_sched_gomaxprocs_threads", "GOMAXPROCS: the operating system threads that may run Go code at once.", kindGauge, float64(runtime.GOMAXPROCS(0))},
		{"go_threads", "Operating system threads created.", kindGauge, float64(threads)},
	})
}

// gcPercent is the garbage collector's target as the runtime reads it
// from GOGC at start-up (the binary never changes it later): 100 unless
// set, -1 for "off".
func gcPercent(env string) int {
	if env == "off" {
		return -1
	}
	if n, err := strconv.Atoi(env); err == nil {
		return n
	}
	return 100
}

// clockTicks is the unit of the CPU times in /proc/self/stat (USER_HZ),
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// writeProcessMetrics writes the process's CPU time, memory, file
// descriptors and start time (process_*), read from /proc; where there is
// no /proc (not Linux), it writes nothing.
func writeProcessMetrics(w *bufio.Writer) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return
	}
	st, err := parseStat(data)
	if err != nil {
		return
	}
	gs := []gauge{
		{"process_cpu_seconds_total", "User and system CPU time spent, in seconds.", kindCounter, float64(st.utime+st.stime) / clockTicks},
	}
	if n, ok := fdLimit(); ok {
		gs = append(gs, gauge{"process_max_fds", "Most file descriptors the process may open.", kindGauge, n})
	}
	if data, err := os.ReadFile("/proc/self/net/dev"); err == nil {
		if rx, tx, err := parseNetDev(data); err == nil {
			gs = append(gs,
				gauge{"process_network_receive_bytes_total", "Bytes received over the network by the process's network namespace.", kindCounter, float64(rx)},
				gauge{"process_network_transmit_bytes_total", "Bytes sent over the network by the process's network namespace.", kindCounter, float64(tx)})
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		gs = append(gs, gauge{"process_open_fds", "Open file descriptors.", kindGauge, float64(len(fds))})
	}
	gs = append(gs, gauge{"process_resident_memory_bytes", "Resident memory, in bytes.", kindGauge, float64(st.rss * int64(os.Getpagesize()))})
	if boot, err := bootTime(); err == nil {
		gs = append(gs, gauge{"process_start_time_seconds", "When the process started, in seconds since 1970.", kindGauge, boot + float64(st.start)/clockTicks})
	}
	gs = append(gs, gauge{"process_virtual_memory_bytes", "Virtual memory, in bytes.", kindGauge, float64(st.vsize)})
	if n, ok := memoryLimit(); ok {
		gs = append(gs, gauge{"process_virtual_memory_max_bytes", "Most virtual memory the process may map, in bytes.", kindGauge, n})
	}
	writeGauges(w, gs)
}

// procStat holds the fields of /proc/self/stat that are written.
type procStat struct {
	utime, stime int64 // CPU time in clock ticks
	start        int64 // start time after boot in clock ticks
	vsize        int64 // bytes
	rss          int64 // pages
}

// parseStat reads /proc/[pid]/stat. The command name, field 2, is in
// parentheses and may hold spaces and parentheses itself, so the fields
// are counted from the last ')'.
func parseStat(data []byte) (procStat, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, errors.New("observe: /proc/self/stat: no command name")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state): field n is f[n-3].
	if len(f) < 22 {
		return procStat{}, errors.New("observe: /proc/self/stat: too few fields")
	}
	var st procStat
	for _, p := range []struct {
		field int
		dst   *int64
	}{{14, &st.utime}, {15, &st.stime}, {22, &st.start}, {23, &st.vsize}, {24, &st.rss}} {
		n, err := strconv.ParseInt(f[p.field-3], 10, 64)
		if err != nil {
			return procStat{}, errors.New("observe: /proc/self/stat: field " + strconv.Itoa(p.field) + " is not a number")
		}
		*p.dst = n
	}
	return st, nil
}

// parseNetDev sums the bytes received and sent over every interface in
// /proc/[pid]/net/dev: two header lines, then "name: " and 16 counters,
// bytes received first and bytes sent ninth.
func parseNetDev(data []byte) (rx, tx uint64, err error) {
	for i, line := range strings.Split(string(data), "\n") {
		_, counters, ok := strings.Cut(line, ":")
		if i < 2 || !ok {
			continue
		}
		f := strings.Fields(counters)
		if len(f) < 9 {
			return 0, 0, errors.New("observe: net/dev: too few fields")
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, 0, errors.New("observe: net/dev: a byte count is not a number")
		}
		rx += r
		tx += t
	}
	return rx, tx, nil
}

// bootTime reads when the machine booted, in seconds since 1970, from
// the btime line of /proc/stat.
func bootTime() (float64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, errors.New("observe: /proc/stat: no btime")
}
