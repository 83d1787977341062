// Command goclient checks a Zhengzhao node's transparency log with the Go
// packages golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, written
// independently of the node: it verifies the signed checkpoint, recomputes
// inclusion and consistency proofs from the node's tiles, checks the proofs the
// node serves as JSON, and compares each leaf with the entry bundles.
//
// Usage:
//
//	goclient -log http://127.0.0.1:8000/log -vkey VKEY -license ID [-old N -oldroot B64]
//
// It prints one "ok ..." line per check and exits 1 at the first failure.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var logURL string

func main() {
	vkey := flag.String("vkey", "", "the log's verifier key (name+hash+base64)")
	license := flag.String("license", "", "a license identifier whose events to prove")
	old := flag.Int64("old", -1, "an earlier tree size to prove consistency from")
	oldRoot := flag.String("oldroot", "", "the root hash (base64) of that earlier tree")
	flag.StringVar(&logURL, "log", "", "the log's base URL, ending in /log")
	flag.Parse()

	tree := checkpoint(*vkey, fetch("checkpoint"))
	fmt.Printf("ok checkpoint size %d root %s\n", tree.N, tree.Hash)
	reader := tlog.TileHashReader(tree, &tileReader{})
	if *license != "" {
		proveLicense(*vkey, *license, tree, reader)
	}
	if *old >= 0 {
		proveConsistency(*old, *oldRoot, tree, reader)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	os.Exit(1)
}

func fetch(path string) []byte {
	response, err := http.Get(logURL + "/" + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil || response.StatusCode != 200 {
		fail("GET %s: HTTP %d %v", path, response.StatusCode, err)
	}
	return body
}

// checkpoint opens a signed checkpoint note and returns the tree it describes.
func checkpoint(vkey string, text []byte) tlog.Tree {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	opened, err := note.Open(text, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint body has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	root := decodeHash(lines[2])
	return tlog.Tree{N: size, Hash: root}
}

func decodeHash(text string) tlog.Hash {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize {
		fail("hash %q: %v", text, err)
	}
	var hash tlog.Hash
	copy(hash[:], raw)
	return hash
}

func decodeProof(items []string) []tlog.Hash {
	proof := make([]tlog.Hash, len(items))
	for i, item := range items {
		proof[i] = decodeHash(item)
	}
	return proof
}

// tileReader reads tiles over HTTP; the Go package names a tile
// tile/8/<L>/<N>, the C2SP layout the node serves tile/<L>/<N>.
type tileReader struct{}

func (r *tileReader) Height() int { return 8 }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		data[i] = fetch(strings.Replace(tile.Path(), "tile/8/", "tile/", 1))
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type licenseProofs struct {
	Checkpoint string `json:"checkpoint"`
	Events     []struct {
		Sequence int      `json:"sequence"`
		Index    int64    `json:"index"`
		Leaf     string   `json:"leaf"`
		Proof    []string `json:"inclusionProof"`
	} `json:"events"`
}

func proveLicense(vkey, license string, tree tlog.Tree, reader tlog.HashReader) {
	var proofs licenseProofs
	body := fetch("proofs/license/" + url.PathEscape(license))
	if err := json.Unmarshal(body, &proofs); err != nil {
		fail("license proofs: %v", err)
	}
	served := checkpoint(vkey, []byte(proofs.Checkpoint))
	if len(proofs.Events) == 0 {
		fail("no logged events for %s", license)
	}
	for _, event := range proofs.Events {
		leaf, err := base64.StdEncoding.DecodeString(event.Leaf)
		if err != nil {
			fail("leaf %d: %v", event.Index, err)
		}
		leafHash := tlog.RecordHash(leaf)
		if err := tlog.CheckRecord(decodeProof(event.Proof), served.N, served.Hash, event.Index, leafHash); err != nil {
			fail("served inclusion proof of leaf %d: %v", event.Index, err)
		}
		ours, err := tlog.ProveRecord(tree.N, event.Index, reader)
		if err != nil {
			fail("proof of leaf %d from tiles: %v", event.Index, err)
		}
		if err := tlog.CheckRecord(ours, tree.N, tree.Hash, event.Index, leafHash); err != nil {
			fail("tile inclusion proof of leaf %d: %v", event.Index, err)
		}
		if bundled := bundleEntry(tree.N, event.Index); string(bundled) != string(leaf) {
			fail("entry bundle holds another leaf at %d", event.Index)
		}
		fmt.Printf("ok inclusion %s event %d at index %d\n", license, event.Sequence, event.Index)
	}
}

// bundleEntry reads leaf index from the entry bundle that holds it.
func bundleEntry(size, index int64) []byte {
	n := index / 256
	path := "tile/entries/" + strings.TrimPrefix(tlog.Tile{H: 8, L: 0, N: n, W: 256}.Path(), "tile/8/0/")
	if width := size - n*256; width < 256 {
		path = "tile/entries/" + strings.TrimPrefix(tlog.Tile{H: 8, L: 0, N: n, W: int(width)}.Path(), "tile/8/0/")
	}
	data := fetch(path)
	for i := int64(0); len(data) >= 2; i++ {
		length := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+length {
			fail("truncated entry bundle %s", path)
		}
		if n*256+i == index {
			return data[2 : 2+length]
		}
		data = data[2+length:]
	}
	fail("entry %d not in bundle %s", index, path)
	return nil
}

type consistencyProof struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"`
}

func proveConsistency(old int64, oldRoot string, tree tlog.Tree, reader tlog.HashReader) {
	root := decodeHash(oldRoot)
	var served consistencyProof
	body := fetch(fmt.Sprintf("proofs/consistency?old=%d&new=%d", old, tree.N))
	if err := json.Unmarshal(body, &served); err != nil {
		fail("consistency proof: %v", err)
	}
	if err := tlog.CheckTree(decodeProof(served.Proof), tree.N, tree.Hash, old, root); err != nil {
		fail("served consistency proof %d..%d: %v", old, tree.N, err)
	}
	ours, err := tlog.ProveTree(tree.N, old, reader)
	if err != nil {
		fail("consistency proof from tiles: %v", err)
	}
	if err := tlog.CheckTree(ours, tree.N, tree.Hash, old, root); err != nil {
		fail("tile consistency proof %d..%d: %v", old, tree.N, err)
	}
	fmt.Printf("ok consistency %d..%d\n", old, tree.N)
}
