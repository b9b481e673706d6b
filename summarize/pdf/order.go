package pdf

import (
	"math"
	"sort"
)

// maxCutFrags is the most fragments a page may have for the recursive
// cut; pages with more are read top to bottom.
const maxCutFrags = 4000

// readingOrder orders one page's fragments: columns are found as vertical
// gaps that no fragment crosses, bands as horizontal gaps; the cut goes
// where the whitespace is (recursive XY-cut). Each leaf is one block.
func readingOrder(fs []*frag, gutter float64) [][]*frag {
	if len(fs) > maxCutFrags {
		sorted := append([]*frag(nil), fs...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].y > sorted[j].y })
		return [][]*frag{sorted}
	}
	var out [][]*frag
	var rec func(fs []*frag, depth int)
	rec = func(fs []*frag, depth int) {
		if len(fs) == 0 {
			return
		}
		if len(fs) == 1 || depth > 200 {
			out = append(out, byLine(fs))
			return
		}
		if l, r, ok := cutVertical(fs, gutter); ok {
			rec(l, depth+1)
			rec(r, depth+1)
			return
		}
		// Cut at wide gaps between bands (paragraph spacing, a heading,
		// a figure); cut at narrow ones (between lines) only where
		// fragments stand side by side, which a later vertical cut will
		// separate, so that a column of lines stays one block.
		if bands := splitBands(fs, 0.5*gutter); len(bands) > 1 {
			for _, b := range mergeColumns(bands, gutter) {
				rec(b, depth+1)
			}
			return
		}
		if sideBySide(fs) {
			if t, b, ok := cutHorizontal(fs, 0); ok {
				rec(t, depth+1)
				rec(b, depth+1)
				return
			}
		}
		out = append(out, byLine(fs))
	}
	rec(fs, 0)
	return out
}

// byLine sorts fragments top to bottom, then left to right.
func byLine(fs []*frag) []*frag {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if d := a.y - b.y; d > 0.3*a.size || d < -0.3*a.size {
			return a.y > b.y
		}
		return a.x0 < b.x0
	})
	return fs
}

// cutVertical finds the widest x-gap (at least gutter wide) that no
// fragment crosses, and splits there.
func cutVertical(fs []*frag, gutter float64) (left, right []*frag, ok bool) {
	idx := make([]*frag, len(fs))
	copy(idx, fs)
	sort.Slice(idx, func(i, j int) bool { return idx[i].x0 < idx[j].x0 })
	reach := idx[0].x1
	best, at := 0.0, 0.0
	for _, f := range idx[1:] {
		if g := f.x0 - reach; g >= gutter && g > best {
			best, at = g, reach
		}
		if f.x1 > reach {
			reach = f.x1
		}
	}
	if best == 0 {
		return nil, nil, false
	}
	for _, f := range fs {
		if f.x1 <= at+0.01 {
			left = append(left, f)
		} else {
			right = append(right, f)
		}
	}
	return left, right, len(left) > 0 && len(right) > 0
}

// splitBands splits fs at every y-gap wider than min that no fragment
// crosses, top to bottom.
func splitBands(fs []*frag, min float64) [][]*frag {
	idx := make([]*frag, len(fs))
	copy(idx, fs)
	sort.SliceStable(idx, func(i, j int) bool { return idx[i].top() > idx[j].top() })
	var bands [][]*frag
	cur := []*frag{idx[0]}
	low := idx[0].bottom()
	for _, f := range idx[1:] {
		if low-f.top() > min {
			bands = append(bands, cur)
			cur = nil
		}
		cur = append(cur, f)
		if f.bottom() < low {
			low = f.bottom()
		}
	}
	return append(bands, cur)
}

// gutterOf returns the widest x-gap of at least width in fs, or ok false.
func gutterOf(fs []*frag, width float64) (lo, hi float64, ok bool) {
	idx := make([]*frag, len(fs))
	copy(idx, fs)
	sort.Slice(idx, func(i, j int) bool { return idx[i].x0 < idx[j].x0 })
	reach := idx[0].x1
	for _, f := range idx[1:] {
		if g := f.x0 - reach; g >= width && g > hi-lo {
			lo, hi, ok = reach, f.x0, true
		}
		if f.x1 > reach {
			reach = f.x1
		}
	}
	return lo, hi, ok
}

// mergeColumns joins neighbouring bands that the same gutter splits into
// columns: two columns that happen to have space at the same height (both
// start with a heading, or one column's heading lines up with the end of
// the other) stay one region, to be read column by column. A band with
// text on one side of the gutter only joins too.
func mergeColumns(bands [][]*frag, width float64) [][]*frag {
	out := [][]*frag{bands[0]}
	lo, hi, ok := gutterOf(bands[0], width)
	for _, b := range bands[1:] {
		l, h, o := gutterOf(b, width)
		last := out[len(out)-1]
		// Justified lines end a fraction of a point apart: a gutter
		// is matched with that much slack.
		const slack = 1.0
		switch {
		case ok && o:
			if nl, nh := math.Max(lo, l), math.Min(hi, h); nh-nl >= width {
				out[len(out)-1] = append(last, b...)
				lo, hi = nl, nh
				continue
			}
		case ok && avoids(b, lo+slack, hi-slack):
			out[len(out)-1] = append(last, b...)
			continue
		case !ok && o && avoids(last, l+slack, h-slack):
			out[len(out)-1] = append(last, b...)
			lo, hi, ok = l, h, true
			continue
		}
		out = append(out, b)
		lo, hi, ok = l, h, o
	}
	return out
}

// avoids reports whether no fragment of fs crosses the x-interval lo-hi.
func avoids(fs []*frag, lo, hi float64) bool {
	for _, f := range fs {
		if f.x0 < hi && f.x1 > lo {
			return false
		}
	}
	return true
}

// sideBySide reports whether two fragments share a line.
func sideBySide(fs []*frag) bool {
	idx := make([]*frag, len(fs))
	copy(idx, fs)
	sort.Slice(idx, func(i, j int) bool { return idx[i].y > idx[j].y })
	for i := 1; i < len(idx); i++ {
		a, b := idx[i-1], idx[i]
		if a.y-b.y < 0.5*b.size && (a.x1 <= b.x0 || b.x1 <= a.x0) {
			return true
		}
	}
	return false
}

// cutHorizontal splits at the largest y-gap, wider than min, that no
// fragment crosses.
func cutHorizontal(fs []*frag, min float64) (top, bottom []*frag, ok bool) {
	idx := make([]*frag, len(fs))
	copy(idx, fs)
	sort.Slice(idx, func(i, j int) bool { return idx[i].top() > idx[j].top() })
	low := idx[0].bottom()
	best, at := 0.0, 0.0
	for _, f := range idx[1:] {
		if g := low - f.top(); g > min && g > best {
			best, at = g, low
		}
		if f.bottom() < low {
			low = f.bottom()
		}
	}
	if best == 0 {
		return nil, nil, false
	}
	for _, f := range fs {
		if f.bottom() >= at-0.01 {
			top = append(top, f)
		} else {
			bottom = append(bottom, f)
		}
	}
	return top, bottom, len(top) > 0 && len(bottom) > 0
}
