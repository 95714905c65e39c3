package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fileSizes are the tree sizes of the per-file rows (-files).
var fileSizes = []int{1, 10, 100, 1000, 10_000}

func parseFileSizes(v string) error {
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-files: %q is not a number of files", f)
		}
		sizes = append(sizes, n)
	}
	fileSizes = sizes
	return nil
}

// benchFiles: the cost per file of an initial sync of 1 to 10,000 files of
// 1 MB, against raw per-file uploads, and how flat that cost stays as the
// tree grows.
func benchFiles(dir string, runs int, rep *Report) error {
	mp3, err := encodeMP3At(filepath.Join(dir, "one.mp3"), 24.9, 320) // 1 MB
	if err != nil {
		return err
	}
	ours := map[int]*Measure{}
	raws := map[int]*Measure{}
	for _, n := range fileSizes {
		row, err := filesAt(dir, runs, mp3, n)
		if err != nil {
			return err
		}
		ours[n], raws[n] = &row.Ours, row.Base
		rep.Rows = append(rep.Rows, *row)
	}
	if ours[100] == nil || ours[10_000] == nil {
		return nil
	}
	flat := func(m map[int]*Measure) []float64 {
		var v []float64
		for i := range m[10_000].Vals {
			v = append(v, m[10_000].Vals[i]/m[100].Vals[i])
		}
		return v
	}
	r := Row{Name: "flatness: cost per file at 10,000 files ÷ at 100 files", Digits: 2,
		Ours:   Measure{Short: "Megabox", Vals: flat(ours)},
		Base:   &Measure{Short: "raw", Label: "raw per-file PUTs", Vals: flat(raws)},
		Target: "≤ 1.2",
		Note:   "Per round, the ms/file at 10,000 files divided by the ms/file at 100 files of the same round (rows above).",
	}
	r.Met = r.Ours.median() <= 1.2
	rep.Rows = append(rep.Rows, r)
	return nil
}

func filesAt(dir string, runs int, mp3 []byte, n int) (*Row, error) {
	work := filepath.Join(dir, "files")
	music := filepath.Join(work, "music")
	defer os.RemoveAll(work)
	total, err := makeTree(music, mp3, n, 100)
	if err != nil {
		return nil, err
	}
	row := &Row{Name: fmt.Sprintf("initial sync, %s of 1 MB: cost per file", plural(n, "file")), Unit: "ms/file", Digits: 2,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "raw", Label: fmt.Sprintf("raw per-file PUTs, %d at a time", engineParallel)},
		Target: "≤ 1.5× raw",
	}
	if n == 1 {
		row.Note = fmt.Sprintf("Every size: distinct 1 MB MP3s in release folders of up to 100; Megabox and raw as in the album rows (fresh megaboxd, fresh cache, "+
			"raw PUT → sha256 → fsync, %d at a time); wall time of the whole sync divided by the files. Sizes run one after the other, each with its own interleaved rounds.", engineParallel)
	}
	err = interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			r, err := megaboxSync(work, music, total, false)
			if err != nil {
				return 0, err
			}
			return millis(r.took) / float64(n), nil
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			r, err := rawRun(work, music, false)
			if err != nil {
				return 0, err
			}
			return millis(r.took) / float64(n), nil
		}},
	)
	if err != nil {
		return nil, err
	}
	row.Met = row.ratio(row.Base) <= 1.5
	return row, nil
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return thousands(n) + " " + what + "s"
}
