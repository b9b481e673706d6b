package pdf

import (
	"bytes"
	"errors"
	"strconv"
)

// Limits that keep a hostile file from costing unbounded time or memory.
const (
	maxObjects      = 4 << 20  // object numbers considered
	maxStreamOut    = 64 << 20 // bytes one decoded stream may grow to
	maxDecodedTotal = 512 << 20
	maxXrefSections = 64
	maxResolveDepth = 32
)

// document is an opened PDF: its bytes, where its objects are, and a
// cache of those already parsed.
type document struct {
	data    []byte
	xref    map[int]xrefEntry
	trailer dict
	cache   map[ref]object
	crypt   *decrypter
	budget  int // decoded bytes still allowed
	busy    map[ref]bool
	rebuilt bool // the cross-reference data was rebuilt by a scan
	// objStms caches decoded object streams (nil: unreadable).
	objStms map[int]*objStm
}

type xrefEntry struct {
	offset int  // byte offset, or index in an object stream
	stream int  // object stream number, 0 when the object is in the file
	inStm  bool // stored in an object stream
}

var (
	errNotPDF  = errors.New("not a PDF")
	errDamaged = errors.New("damaged or incomplete")
)

// open reads the cross-reference data of a PDF, rebuilding it by a scan
// of the file when it is broken.
func open(data []byte) (*document, error) {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, errNotPDF
	}
	d := &document{data: data, xref: map[int]xrefEntry{}, cache: map[ref]object{}, budget: maxDecodedTotal, busy: map[ref]bool{},
		objStms: map[int]*objStm{}}
	err := d.readXrefChain()
	if err == nil && d.trailer != nil {
		if err := d.setupCrypt(); err != nil {
			return nil, err
		}
	}
	if err != nil || d.trailer == nil || d.catalog() == nil {
		d.xref = map[int]xrefEntry{}
		d.trailer = nil
		d.crypt = nil
		d.cache = map[ref]object{}
		clear(d.objStms)
		d.rebuilt = true
		if err := d.reconstruct(); err != nil {
			return nil, err
		}
		if err := d.setupCrypt(); err != nil {
			return nil, err
		}
		if d.catalog() == nil {
			return nil, errDamaged
		}
	}
	return d, nil
}

// setupCrypt opens an encrypted document with the empty user password.
// The Encrypt dictionary itself is read before decryption starts, as it
// is stored in the clear.
func (d *document) setupCrypt() error {
	enc := d.trailer["Encrypt"]
	if enc == nil || d.crypt != nil {
		return nil
	}
	c, err := d.newDecrypter(enc)
	if err != nil {
		return err
	}
	d.crypt = c
	d.cache = map[ref]object{}
	return nil
}

func (d *document) catalog() dict {
	c, _ := d.resolve(d.trailer["Root"]).(dict)
	if c == nil {
		return nil
	}
	if _, ok := d.resolve(c["Pages"]).(dict); !ok {
		return nil
	}
	return c
}

// readXrefChain follows startxref and the /Prev chain.
func (d *document) readXrefChain() error {
	tail := d.data
	if len(tail) > 2048 {
		tail = tail[len(tail)-2048:]
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return errDamaged
	}
	l := lexer{b: tail, pos: i + len("startxref")}
	_, v := l.next()
	off, ok := v.(int64)
	if !ok {
		return errDamaged
	}
	seen := map[int64]bool{}
	for n := 0; n < maxXrefSections; n++ {
		if off <= 0 || off >= int64(len(d.data)) || seen[off] {
			break
		}
		seen[off] = true
		trailer, err := d.readXrefAt(int(off))
		if err != nil {
			return err
		}
		if d.trailer == nil {
			d.trailer = trailer
		}
		// A hybrid file keeps more entries in an /XRefStm.
		if xs, ok := trailer["XRefStm"].(int64); ok && xs > 0 && xs < int64(len(d.data)) && !seen[xs] {
			seen[xs] = true
			if _, err := d.readXrefAt(int(xs)); err != nil {
				return err
			}
		}
		prev, ok := trailer["Prev"].(int64)
		if !ok {
			break
		}
		off = prev
	}
	if d.trailer == nil {
		return errDamaged
	}
	return nil
}

// readXrefAt reads one xref table or stream at off, adding the entries
// not already known (later sections win), and returns its trailer.
func (d *document) readXrefAt(off int) (dict, error) {
	p := parser{lexer: lexer{b: d.data, pos: off}}
	k, v := p.tok()
	if kw, ok := v.(keyword); ok && k == tokKeyword && kw == "xref" {
		return d.readXrefTable(&p)
	}
	p.unread(k, v)
	obj, err := d.parseIndirectAt(&p)
	if err != nil {
		return nil, err
	}
	s, ok := obj.(*stream)
	if !ok {
		return nil, errDamaged
	}
	return s.dict, d.readXrefStream(s)
}

func (d *document) readXrefTable(p *parser) (dict, error) {
	for {
		k, v := p.tok()
		if kw, ok := v.(keyword); ok && k == tokKeyword && kw == "trailer" {
			t, err := p.object(0)
			if err != nil {
				return nil, err
			}
			td, ok := t.(dict)
			if !ok {
				return nil, errDamaged
			}
			return td, nil
		}
		start, ok1 := v.(int64)
		_, v2 := p.tok()
		count, ok2 := v2.(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || start+count > maxObjects {
			return nil, errDamaged
		}
		for i := int64(0); i < count; i++ {
			_, a := p.tok()
			_, b := p.tok()
			_, c := p.tok()
			o, ok1 := a.(int64)
			_, ok2 := b.(int64)
			t, ok3 := c.(keyword)
			if !ok1 || !ok2 || !ok3 {
				return nil, errDamaged
			}
			num := int(start + i)
			if _, known := d.xref[num]; known || t != "n" {
				if t == "f" {
					if _, known := d.xref[num]; !known {
						d.xref[num] = xrefEntry{offset: -1}
					}
				}
				continue
			}
			d.xref[num] = xrefEntry{offset: int(o)}
		}
	}
}

func (d *document) readXrefStream(s *stream) error {
	data, err := d.decodeStream(s, false)
	if err != nil {
		return err
	}
	w, _ := s.dict["W"].(array)
	if len(w) != 3 {
		return errDamaged
	}
	var ws [3]int
	total := 0
	for i, x := range w {
		n, ok := x.(int64)
		if !ok || n < 0 || n > 8 {
			return errDamaged
		}
		ws[i] = int(n)
		total += int(n)
	}
	if total == 0 {
		return errDamaged
	}
	size, _ := s.dict["Size"].(int64)
	index, _ := s.dict["Index"].(array)
	if len(index) == 0 {
		index = array{int64(0), size}
	}
	pos := 0
	field := func(n int, def int64) int64 {
		if n == 0 {
			return def
		}
		var v int64
		for j := 0; j < n; j++ {
			v = v<<8 | int64(data[pos])
			pos++
		}
		return v
	}
	for i := 0; i+1 < len(index); i += 2 {
		start, ok1 := index[i].(int64)
		count, ok2 := index[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || start+count > maxObjects {
			return errDamaged
		}
		for j := int64(0); j < count; j++ {
			if pos+total > len(data) {
				return nil
			}
			typ := field(ws[0], 1)
			f2 := field(ws[1], 0)
			f3 := field(ws[2], 0)
			num := int(start + j)
			if _, known := d.xref[num]; known {
				continue
			}
			switch typ {
			case 0:
				d.xref[num] = xrefEntry{offset: -1}
			case 1:
				d.xref[num] = xrefEntry{offset: int(f2)}
			case 2:
				d.xref[num] = xrefEntry{stream: int(f2), offset: int(f3), inStm: true}
			}
		}
	}
	return nil
}

// reconstruct finds "n g obj" headers by scanning the whole file, for
// files whose cross-reference data is missing or wrong.
func (d *document) reconstruct() error {
	b := d.data
	var lastTrailer dict
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte("obj"))
		k := bytes.Index(b[i:], []byte("trailer"))
		if j < 0 && k < 0 {
			break
		}
		if k >= 0 && (j < 0 || k < j) {
			p := parser{lexer: lexer{b: b, pos: i + k + len("trailer")}}
			if t, err := p.object(0); err == nil {
				if td, ok := t.(dict); ok && td["Root"] != nil {
					lastTrailer = td
				}
			}
			i += k + len("trailer")
			continue
		}
		at := i + j
		i = at + 3
		if num, ok := objHeaderBefore(b, at); ok && num < maxObjects {
			d.xref[num] = xrefEntry{offset: headerStart(b, at)}
		}
	}
	if lastTrailer != nil {
		d.trailer = lastTrailer
		if lastTrailer["Encrypt"] != nil {
			// The catalog can be checked only once decryption is set up.
			return nil
		}
		if d.catalog() != nil {
			return nil
		}
	}
	// No usable trailer: find the catalog among the objects (streams of
	// objects included, since the xref stream said where they were).
	nums := make([]int, 0, len(d.xref))
	for n := range d.xref {
		nums = append(nums, n)
	}
	for _, n := range nums {
		o := d.resolve(ref{n, 0})
		if s, ok := o.(*stream); ok && s.dict["Type"] == name("XRef") {
			_ = d.readXrefStream(s)
			if d.trailer == nil && s.dict["Root"] != nil {
				d.trailer = s.dict
			}
			continue
		}
		if dd, ok := o.(dict); ok && dd["Type"] == name("Catalog") && d.trailer == nil {
			d.trailer = dict{"Root": ref{n, 0}}
		}
	}
	for n := range d.xref {
		if dd, ok := d.resolve(ref{n, 0}).(dict); ok && dd["Type"] == name("Catalog") {
			if d.trailer == nil || d.catalog() == nil {
				d.trailer = dict{"Root": ref{n, 0}}
			}
		}
	}
	if d.trailer == nil || d.catalog() == nil {
		return errDamaged
	}
	if enc, ok := lastTrailer["Encrypt"]; ok {
		d.trailer["Encrypt"] = enc
		d.trailer["ID"] = lastTrailer["ID"]
	}
	return nil
}

// objHeaderBefore reads "num gen " just before the "obj" at at.
func objHeaderBefore(b []byte, at int) (int, bool) {
	if at+3 < len(b) && !isSpace(b[at+3]) && !isDelim(b[at+3]) {
		return 0, false
	}
	i := at - 1
	digits := func() (int, bool) {
		for i >= 0 && isSpace(b[i]) {
			i--
		}
		end := i + 1
		for i >= 0 && b[i] >= '0' && b[i] <= '9' {
			i--
		}
		if end-(i+1) == 0 || end-(i+1) > 10 {
			return 0, false
		}
		n, err := strconv.Atoi(string(b[i+1 : end]))
		return n, err == nil
	}
	if _, ok := digits(); !ok {
		return 0, false
	}
	return digits()
}

func headerStart(b []byte, at int) int {
	i := at - 1
	for k := 0; k < 2; k++ {
		for i >= 0 && isSpace(b[i]) {
			i--
		}
		for i >= 0 && b[i] >= '0' && b[i] <= '9' {
			i--
		}
	}
	return i + 1
}

// parseIndirectAt reads "n g obj ... endobj" at the parser's position.
func (d *document) parseIndirectAt(p *parser) (object, error) {
	_, a := p.tok()
	_, b := p.tok()
	_, c := p.tok()
	num, ok1 := a.(int64)
	gen, ok2 := b.(int64)
	if kw, ok3 := c.(keyword); !ok1 || !ok2 || !ok3 || kw != "obj" {
		return nil, errDamaged
	}
	obj, err := p.object(0)
	if err != nil {
		return nil, err
	}
	dd, ok := obj.(dict)
	if !ok {
		return obj, nil
	}
	// A stream follows its dictionary.
	save := p.pos
	k, v := p.tok()
	if kw, ok := v.(keyword); !ok || k != tokKeyword || kw != "stream" {
		p.pos = save
		p.pending = nil
		return dd, nil
	}
	pos := p.pos
	if pos < len(d.data) && d.data[pos] == '\r' {
		pos++
	}
	if pos < len(d.data) && d.data[pos] == '\n' {
		pos++
	}
	length := -1
	if n, ok := d.resolveShallow(dd["Length"]).(int64); ok && n >= 0 && pos+int(n) <= len(d.data) {
		length = int(n)
		// Trust Length only when endstream follows it.
		rest := d.data[pos+length:]
		if len(rest) > 32 {
			rest = rest[:32]
		}
		if !bytes.Contains(rest, []byte("endstream")) {
			length = -1
		}
	}
	if length < 0 {
		e := bytes.Index(d.data[pos:], []byte("endstream"))
		if e < 0 {
			length = len(d.data) - pos
		} else {
			length = e
			for length > 0 && (d.data[pos+length-1] == '\n' || d.data[pos+length-1] == '\r') {
				length--
			}
		}
	}
	return &stream{dict: dd, raw: d.data[pos : pos+length], ref: ref{int(num), int(gen)}}, nil
}

// resolveShallow resolves a reference to a direct number without
// following streams (used for stream lengths while parsing).
func (d *document) resolveShallow(o object) object {
	r, ok := o.(ref)
	if !ok {
		return o
	}
	if d.busy[r] {
		return nil
	}
	return d.resolve(r)
}

// resolve follows a reference to its object; anything unreadable is nil.
func (d *document) resolve(o object) object {
	r, ok := o.(ref)
	if !ok {
		return o
	}
	if v, ok := d.cache[r]; ok {
		return v
	}
	if d.busy[r] || len(d.busy) > maxResolveDepth {
		return nil
	}
	d.busy[r] = true
	v := d.load(r)
	delete(d.busy, r)
	d.cache[r] = v
	return v
}

func (d *document) load(r ref) object {
	e, ok := d.xref[r.num]
	if !ok || e.offset < 0 {
		return nil
	}
	if e.inStm {
		return d.loadFromObjStm(e.stream, e.offset, r.num)
	}
	if e.offset >= len(d.data) {
		return nil
	}
	p := parser{lexer: lexer{b: d.data, pos: e.offset}}
	obj, err := d.parseIndirectAt(&p)
	if err != nil {
		return nil
	}
	if d.crypt != nil {
		obj = d.crypt.decryptObject(obj, r)
	}
	return obj
}

func (d *document) loadFromObjStm(stmNum, index, num int) object {
	os, ok := d.objStms[stmNum]
	if !ok {
		os = d.readObjStm(stmNum)
		d.objStms[stmNum] = os
	}
	if os == nil {
		return nil
	}
	off, ok := os.offsets[num]
	if !ok || os.first+off >= len(os.data) || off < 0 {
		return nil
	}
	p := parser{lexer: lexer{b: os.data, pos: os.first + off}}
	obj, err := p.object(0)
	if err != nil {
		return nil
	}
	return obj
}

// objStm is a decoded object stream and where its objects start.
type objStm struct {
	data    []byte
	first   int
	offsets map[int]int
}

func (d *document) readObjStm(num int) *objStm {
	s, ok := d.resolve(ref{num, 0}).(*stream)
	if !ok {
		return nil
	}
	data, err := d.decodeStream(s, true)
	if err != nil {
		return nil
	}
	n, _ := s.dict["N"].(int64)
	first, _ := s.dict["First"].(int64)
	if n <= 0 || n > maxObjects || first < 0 || int(first) > len(data) {
		return nil
	}
	os := &objStm{data: data, first: int(first), offsets: map[int]int{}}
	p := parser{lexer: lexer{b: data[:first]}}
	for i := 0; i < int(n); i++ {
		_, a := p.tok()
		_, b := p.tok()
		on, ok1 := a.(int64)
		oo, ok2 := b.(int64)
		if !ok1 || !ok2 {
			break
		}
		if _, dup := os.offsets[int(on)]; !dup && on >= 0 && on < maxObjects {
			os.offsets[int(on)] = int(oo)
		}
	}
	return os
}

// dictOf resolves o and returns it as a dictionary (a stream's dictionary
// counts), or nil.
func (d *document) dictOf(o object) dict {
	switch v := d.resolve(o).(type) {
	case dict:
		return v
	case *stream:
		return v.dict
	}
	return nil
}

func (d *document) arrayOf(o object) array {
	a, _ := d.resolve(o).(array)
	return a
}

func (d *document) num(o object) (float64, bool) {
	switch v := d.resolve(o).(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func (d *document) nameOf(o object) name {
	n, _ := d.resolve(o).(name)
	return n
}
