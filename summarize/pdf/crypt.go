package pdf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
)

var errPassword = errors.New("needs a password")

// passwordPad is the padding of the standard security handler.
var passwordPad = [32]byte{
	0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
}

// decrypter undoes the standard security handler, opened with the empty
// user password (the only one a bot can know).
type decrypter struct {
	key       []byte
	strMethod string // "", "RC4", "AESV2", "AESV3"
	stmMethod string
}

func (d *document) newDecrypter(o object) (*decrypter, error) {
	enc := d.dictOf(o)
	if enc == nil {
		return nil, errDamaged
	}
	if d.nameOf(enc["Filter"]) != "Standard" {
		return nil, errPassword
	}
	v, _ := d.resolve(enc["V"]).(int64)
	r, _ := d.resolve(enc["R"]).(int64)
	ostr, _ := d.resolve(enc["O"]).(pdfString)
	ustr, _ := d.resolve(enc["U"]).(pdfString)
	p, _ := d.resolve(enc["P"]).(int64)
	encMeta := true
	if b, ok := d.resolve(enc["EncryptMetadata"]).(bool); ok {
		encMeta = b
	}
	var id0 []byte
	if ids := d.arrayOf(d.trailer["ID"]); len(ids) > 0 {
		s, _ := d.resolve(ids[0]).(pdfString)
		id0 = []byte(s)
	}
	c := &decrypter{strMethod: "RC4", stmMethod: "RC4"}
	if v >= 4 {
		cf := d.dictOf(enc["CF"])
		method := func(n name) string {
			if n == "Identity" || n == "" {
				return ""
			}
			switch d.nameOf(d.dictOf(cf[n])["CFM"]) {
			case "AESV2":
				return "AESV2"
			case "AESV3":
				return "AESV3"
			case "None":
				return ""
			}
			return "RC4"
		}
		c.strMethod = method(d.nameOf(enc["StrF"]))
		c.stmMethod = method(d.nameOf(enc["StmF"]))
	}
	if r >= 5 {
		ue, _ := d.resolve(enc["UE"]).(pdfString)
		if len(ustr) < 48 || len(ue) < 32 {
			return nil, errDamaged
		}
		u := []byte(ustr)
		if !bytes.Equal(hashR6(nil, u[32:40], nil, r), u[:32]) {
			return nil, errPassword
		}
		ik := hashR6(nil, u[40:48], nil, r)
		block, err := aes.NewCipher(ik)
		if err != nil {
			return nil, errDamaged
		}
		key := make([]byte, 32)
		cipher.NewCBCDecrypter(block, make([]byte, 16)).CryptBlocks(key, []byte(ue)[:32])
		c.key = key
		return c, nil
	}
	n := 5
	if r >= 3 {
		if l, ok := d.resolve(enc["Length"]).(int64); ok && l >= 40 && l <= 128 && l%8 == 0 {
			n = int(l / 8)
		} else {
			n = 16
		}
	}
	h := md5.New()
	h.Write(passwordPad[:])
	h.Write([]byte(ostr))
	var pb [4]byte
	binary.LittleEndian.PutUint32(pb[:], uint32(int32(p)))
	h.Write(pb[:])
	h.Write(id0)
	if r >= 4 && !encMeta {
		h.Write([]byte{0xff, 0xff, 0xff, 0xff})
	}
	key := h.Sum(nil)
	if r >= 3 {
		for i := 0; i < 50; i++ {
			s := md5.Sum(key[:n])
			key = s[:]
		}
	}
	key = key[:n]
	// Check the user password (empty) against U.
	var check []byte
	if r == 2 {
		check = make([]byte, 32)
		cph, _ := rc4.NewCipher(key)
		cph.XORKeyStream(check, passwordPad[:])
	} else {
		hh := md5.New()
		hh.Write(passwordPad[:])
		hh.Write(id0)
		check = hh.Sum(nil)
		tmp := make([]byte, len(key))
		for i := 0; i < 20; i++ {
			for j := range key {
				tmp[j] = key[j] ^ byte(i)
			}
			cph, _ := rc4.NewCipher(tmp)
			cph.XORKeyStream(check, check)
		}
	}
	m := 32
	if r >= 3 {
		m = 16
	}
	if len(ustr) < m || !bytes.Equal(check[:m], []byte(ustr)[:m]) {
		return nil, errPassword
	}
	c.key = key
	return c, nil
}

// hashR6 is the password hash of revision 6 (ISO 32000-2, 7.6.4.3.4);
// revision 5 is plain SHA-256.
func hashR6(pw, salt, udata []byte, r int64) []byte {
	h := sha256.New()
	h.Write(pw)
	h.Write(salt)
	h.Write(udata)
	k := h.Sum(nil)
	if r == 5 {
		return k
	}
	for round := 0; ; round++ {
		var k1 []byte
		for i := 0; i < 64; i++ {
			k1 = append(k1, pw...)
			k1 = append(k1, k...)
			k1 = append(k1, udata...)
		}
		block, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(block, k[16:32]).CryptBlocks(e, k1)
		sum := 0
		for _, b := range e[:16] {
			sum += int(b)
		}
		var hh hash.Hash
		switch sum % 3 {
		case 0:
			hh = sha256.New()
		case 1:
			hh = sha512.New384()
		default:
			hh = sha512.New()
		}
		hh.Write(e)
		k = hh.Sum(nil)
		if round >= 63 && int(e[len(e)-1]) <= round+1-32 {
			break
		}
	}
	return k[:32]
}

func (c *decrypter) objectKey(r ref, aes bool) []byte {
	if len(c.key) == 32 {
		return c.key
	}
	h := md5.New()
	h.Write(c.key)
	h.Write([]byte{byte(r.num), byte(r.num >> 8), byte(r.num >> 16), byte(r.gen), byte(r.gen >> 8)})
	if aes {
		h.Write([]byte("sAlT"))
	}
	k := h.Sum(nil)
	n := len(c.key) + 5
	if n > 16 {
		n = 16
	}
	return k[:n]
}

func (c *decrypter) decrypt(method string, b []byte, r ref) []byte {
	switch method {
	case "":
		return b
	case "RC4":
		cph, err := rc4.NewCipher(c.objectKey(r, false))
		if err != nil {
			return b
		}
		out := make([]byte, len(b))
		cph.XORKeyStream(out, b)
		return out
	}
	if len(b) < 32 || len(b)%16 != 0 {
		return nil
	}
	block, err := aes.NewCipher(c.objectKey(r, true))
	if err != nil {
		return nil
	}
	out := make([]byte, len(b)-16)
	cipher.NewCBCDecrypter(block, b[:16]).CryptBlocks(out, b[16:])
	if pad := int(out[len(out)-1]); pad >= 1 && pad <= 16 && pad <= len(out) {
		out = out[:len(out)-pad]
	}
	return out
}

func (c *decrypter) decryptStream(b []byte, r ref) []byte {
	return c.decrypt(c.stmMethod, b, r)
}

// decryptObject decrypts the strings in an object read from the file.
func (c *decrypter) decryptObject(o object, r ref) object {
	switch v := o.(type) {
	case pdfString:
		return pdfString(c.decrypt(c.strMethod, []byte(v), r))
	case array:
		out := make(array, len(v))
		for i, x := range v {
			out[i] = c.decryptObject(x, r)
		}
		return out
	case dict:
		out := make(dict, len(v))
		for k, x := range v {
			out[k] = c.decryptObject(x, r)
		}
		return out
	case *stream:
		v.dict = c.decryptObject(v.dict, r).(dict)
		return v
	}
	return o
}
