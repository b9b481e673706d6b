package commands

import (
	"fmt"
	"sync"
	"time"
)

// window is a sliding-window counter per key: at most limit hits in any
// span. A hit is reserved before the work and released when the work turns
// out not to count (a cache hit, a failure), so concurrent requests cannot
// overshoot the limit. The zero limit allows everything.
type window struct {
	limit int
	span  time.Duration

	mu    sync.Mutex
	hits  map[string][]hit
	seq   uint64
	swept time.Time
}

type hit struct {
	at time.Time
	id uint64
}

func newWindow(limit int, span time.Duration) *window {
	return &window{limit: limit, span: span, hits: map[string][]hit{}}
}

// live returns the hits of key still inside the window at now, dropping
// the others. The caller holds mu.
func (w *window) live(key string, now time.Time) []hit {
	hs := w.hits[key]
	i := 0
	for i < len(hs) && !hs[i].at.After(now.Add(-w.span)) {
		i++
	}
	if i == len(hs) {
		delete(w.hits, key)
		return nil
	}
	hs = hs[i:]
	w.hits[key] = hs
	return hs
}

// sweep drops idle keys once per span so the map does not grow without
// bound. The caller holds mu.
func (w *window) sweep(now time.Time) {
	if now.Sub(w.swept) < w.span {
		return
	}
	w.swept = now
	for k := range w.hits {
		w.live(k, now)
	}
}

// wait returns how long until key may have another hit; 0 when it may now.
func (w *window) wait(key string, now time.Time) time.Duration {
	if w.limit <= 0 || key == "" {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	hs := w.live(key, now)
	if len(hs) < w.limit {
		return 0
	}
	return hs[len(hs)-w.limit].at.Add(w.span).Sub(now)
}

// count returns the hits of key in the window ending at now.
func (w *window) count(key string, now time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.live(key, now))
}

// reserve takes a hit for key at now. When the window is full it returns
// how long to wait instead. release gives the hit back; it is safe to call
// more than once.
func (w *window) reserve(key string, now time.Time) (release func(), wait time.Duration) {
	if w.limit <= 0 || key == "" {
		return func() {}, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sweep(now)
	hs := w.live(key, now)
	if len(hs) >= w.limit {
		return nil, hs[len(hs)-w.limit].at.Add(w.span).Sub(now)
	}
	w.seq++
	id := w.seq
	w.hits[key] = append(hs, hit{at: now, id: id})
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			hs := w.hits[key]
			for i, h := range hs {
				if h.id == id {
					w.hits[key] = append(hs[:i:i], hs[i+1:]...)
					break
				}
			}
			if len(w.hits[key]) == 0 {
				delete(w.hits, key)
			}
		})
	}, 0
}

// humanWait says a wait the way a person would: "in 42 seconds", "in 3
// minutes", "in 2 hours and 5 minutes". It rounds up, so a user who waits
// that long is never refused again.
func humanWait(d time.Duration) string {
	switch {
	case d <= time.Second:
		return "in a second"
	case d < time.Minute:
		return fmt.Sprintf("in %d seconds", int((d+time.Second-1)/time.Second))
	case d < time.Hour:
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "in a minute"
		}
		if m == 60 {
			return "in an hour"
		}
		return fmt.Sprintf("in %d minutes", m)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	h, m := m/60, m%60
	hours := fmt.Sprintf("%d hours", h)
	if h == 1 {
		hours = "an hour"
	}
	switch m {
	case 0:
		return "in " + hours
	case 1:
		return "in " + hours + " and 1 minute"
	}
	return fmt.Sprintf("in %s and %d minutes", hours, m)
}
