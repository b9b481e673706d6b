package observe

import (
	"bufio"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The metrics are kept and written here, in Prometheus' text exposition
// format (version 0.0.4), rather than with the Prometheus client library:
// that library's packages (with expvar, runtime/metrics and protobuf)
// initialize at the start of every run of the binary, the CLI's too, and
// cost each about 2 MB of memory, while the bot needs a few counters and
// one histogram.

// contentType is the media type of the text exposition format.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// Kinds of metric family, as written on their # TYPE line.
const (
	kindCounter   = "counter"
	kindGauge     = "gauge"
	kindHistogram = "histogram"
	kindSummary   = "summary"
)

// family is a metric family: a name, its help, and series told apart by
// the values of its labels. The zero value is not usable: see newFamily.
type family struct {
	name, help, kind string
	labels           []string  // label names, sorted
	buckets          []float64 // upper bounds of a histogram's buckets, sorted

	mu     sync.Mutex
	series map[string]*series // by joinValues of the label values
}

// series is one time series of a family.
type series struct {
	values []string // label values, in the order of family.labels
	value  float64  // a counter's or gauge's value; a histogram's sum
	counts []uint64 // a histogram's observations per bucket, not cumulative
	count  uint64   // a histogram's observations
}

// newFamily returns a family of the given kind; labels must be sorted,
// and buckets too for a histogram.
func newFamily(name, help, kind string, labels []string, buckets ...float64) *family {
	return &family{name: name, help: help, kind: kind, labels: labels, buckets: buckets, series: map[string]*series{}}
}

// handle is one series of a family, as With returns it.
type handle struct {
	f *family
	s *series
}

// With returns the series of f for the label values, in the order of
// f.labels, creating it at zero if needed. It panics when the count of
// values is wrong: that is a bug in the caller, as with the Prometheus
// client's WithLabelValues.
func (f *family) With(values ...string) handle {
	if len(values) != len(f.labels) {
		panic("observe: " + f.name + " takes " + strconv.Itoa(len(f.labels)) + " label values, got " + strconv.Itoa(len(values)))
	}
	key := joinValues(values)
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.series[key]
	if s == nil {
		s = &series{values: slices.Clone(values)}
		if f.kind == kindHistogram {
			s.counts = make([]uint64, len(f.buckets))
		}
		f.series[key] = s
	}
	return handle{f, s}
}

// joinValues makes a map key of label values; 0xff never occurs in UTF-8.
func joinValues(values []string) string {
	return strings.Join(values, "\xff")
}

// Inc adds one to a counter.
func (h handle) Inc() { h.Add(1) }

// Add adds v to a counter; a negative v is ignored, as a counter only
// goes up.
func (h handle) Add(v float64) {
	if !(v >= 0) {
		return
	}
	h.f.mu.Lock()
	h.s.value += v
	h.f.mu.Unlock()
}

// Observe records v in a histogram: in the first bucket whose upper bound
// is at least v (none: only in +Inf), its sum and its count.
func (h handle) Observe(v float64) {
	i, _ := slices.BinarySearch(h.f.buckets, v)
	h.f.mu.Lock()
	if i < len(h.s.counts) {
		h.s.counts[i]++
	}
	h.s.count++
	h.s.value += v
	h.f.mu.Unlock()
}

// write writes f in the text format; a family without series writes
// nothing.
func (f *family) write(w *bufio.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.series) == 0 {
		return
	}
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	writeHeader(w, f.name, f.help, f.kind)
	for _, k := range keys {
		s := f.series[k]
		if f.kind != kindHistogram {
			writeSample(w, f.name, f.labels, s.values, "", 0, s.value)
			continue
		}
		var cum uint64
		for i, le := range f.buckets {
			cum += s.counts[i]
			writeSample(w, f.name+"_bucket", f.labels, s.values, "le", le, float64(cum))
		}
		writeSample(w, f.name+"_bucket", f.labels, s.values, "le", math.Inf(1), float64(s.count))
		writeSample(w, f.name+"_sum", f.labels, s.values, "", 0, s.value)
		writeSample(w, f.name+"_count", f.labels, s.values, "", 0, float64(s.count))
	}
}

// writeHeader writes a family's # HELP and # TYPE lines.
func writeHeader(w *bufio.Writer, name, help, kind string) {
	w.WriteString("# HELP ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(escapeHelp(help))
	w.WriteString("\n# TYPE ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(kind)
	w.WriteByte('\n')
}

// writeSample writes one sample line: name{label="value",...} value. A
// non-empty extra adds a last label with a number as value (a bucket's
// "le", a quantile).
func writeSample(w *bufio.Writer, name string, labels, values []string, extra string, extraValue, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || extra != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l)
			w.WriteString(`="`)
			w.WriteString(escapeLabel(values[i]))
			w.WriteByte('"')
		}
		if extra != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(extra)
			w.WriteString(`="`)
			w.WriteString(formatFloat(extraValue))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

// formatFloat writes a value as the format spells it.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// escapeHelp escapes a help text: backslash and line feed.
func escapeHelp(s string) string { return helpEscaper.Replace(s) }

// escapeLabel escapes a label value: backslash, line feed and quote.
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// gauge is a sample computed at scrape time, such as the goroutine count.
type gauge struct {
	name, help, kind string // kind: kindGauge or kindCounter
	value            float64
}

// writeGauges writes samples without labels, one family each.
func writeGauges(w *bufio.Writer, gs []gauge) {
	for _, g := range gs {
		writeHeader(w, g.name, g.help, g.kind)
		writeSample(w, g.name, nil, nil, "", 0, g.value)
	}
}
