// Go's stack-first string patterns, for the string table of stackfirst's benchmarks: the
// runtime's concatstrings and slicebytetostring use a 32-byte tmpBuf in the caller's frame
// when the result does not escape. n is the result's length in bytes (11, 24, 40).
//
//	gotable string-allocs                    one JSON line per pattern and n
//	gotable run PATTERN string N CALLS       as for the slice patterns (entries are registered here)
package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// A variable, so the compiler cannot fold the slices of it.
var text = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
var textBytes = []byte(text)

func useStr(s string) int64 { return int64(len(s)) + int64(s[len(s)-1]) }

//go:noinline
func concat2Local(n int) int64 {
	a, b := text[:n/2], text[n/2:n]
	s := a + b
	return useStr(s)
}

//go:noinline
func concat3Local(n int) int64 {
	a, b, c := text[:n/3], text[n/3:2*n/3], text[2*n/3:n]
	s := a + b + c
	return useStr(s)
}

//go:noinline
func concat2Escaping(n int) string {
	a, b := text[:n/2], text[n/2:n]
	return a + b
}

//go:noinline
func concat2Returned(n int) int64 { return useStr(concat2Escaping(n)) }

//go:noinline
func bytesLocal(n int) int64 {
	s := string(textBytes[:n])
	return useStr(s)
}

//go:noinline
func itoaLocal(n int) int64 {
	s := strconv.Itoa(n) + text[:n-2]
	return useStr(s)
}

// The entries the `run` command calls; callgrind toggles on the pattern functions they call
// (the names benches/run.sh passes to --toggle-collect).
var stringEntries = []struct {
	pattern string
	fn      func(int) int64
}{
	{"a+b local", runConcat2Local},
	{"a+b+c local", runConcat3Local},
	{"a+b returned", runConcat2Returned},
	{"string(b) local", runBytesLocal},
	{"itoa+suffix local", runItoaLocal},
}

//go:noinline
func runConcat2Local(n int) int64 { return concat2Local(n) }

//go:noinline
func runConcat3Local(n int) int64 { return concat3Local(n) }

//go:noinline
func runConcat2Returned(n int) int64 { return concat2Returned(n) }

//go:noinline
func runBytesLocal(n int) int64 { return bytesLocal(n) }

//go:noinline
func runItoaLocal(n int) int64 { return itoaLocal(n) }

func init() {
	for _, e := range stringEntries {
		entries[e.pattern] = map[string]func(int) int64{"string": e.fn}
	}
	if len(os.Args) == 2 && os.Args[1] == "string-allocs" {
		for _, e := range stringEntries {
			for _, n := range []int{11, 24, 40} {
				f := e.fn
				a := testing.AllocsPerRun(1000, func() { sink += f(n) })
				fmt.Printf("{\"pattern\":%q,\"ty\":\"string\",\"n\":%d,\"allocs\":%v}\n", e.pattern, n, a)
			}
		}
		os.Exit(0)
	}
}
