// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The test binary runs in the test VM (scripts/go.sh, scripts/guest-init.sh)
// as `dios.test -tap`: it runs itself again with -test.v and prints one TAP
// line per top-level test, which scripts/parse-results.py reads as it reads
// the selftests' TAP. DIOS_GO_HELPER set: it is the far-end process of a
// test instead (helpers_test.go).
var tap = flag.Bool("tap", false, "run the tests and print TAP, one line per test")

func TestMain(m *testing.M) {
	if h := os.Getenv("DIOS_GO_HELPER"); h != "" {
		os.Exit(runHelper(h, os.Args[1:]))
	}
	flag.Parse()
	if *tap {
		os.Exit(runTAP())
	}
	os.Exit(m.Run())
}

// resultRE is a top-level result line of `go test -v` (subtests are
// indented).
var resultRE = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+)`)

func runTAP() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Printf("not ok 1 cannot find the test binary: %v\n", err)
		return 1
	}
	args := []string{"-test.v"}
	for _, a := range os.Args[1:] {
		if a != "-tap" && a != "--tap" {
			args = append(args, a)
		}
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stdout
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Printf("not ok 1 cannot run the tests: %v\n", err)
		return 1
	}
	n, failed := 0, 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		m := resultRE.FindStringSubmatch(line)
		if m == nil {
			fmt.Println("# " + strings.TrimRight(line, " "))
			continue
		}
		n++
		switch m[1] {
		case "PASS":
			fmt.Printf("ok %d %s\n", n, m[2])
		case "SKIP":
			fmt.Printf("ok %d %s # SKIP\n", n, m[2])
		default:
			failed++
			fmt.Printf("not ok %d %s\n", n, m[2])
		}
	}
	err = cmd.Wait()
	fmt.Printf("1..%d\n", n)
	if err != nil {
		// A crash (a panic, a signal) ends the run: the test that was
		// running has no line, the status says it.
		fmt.Printf("# the test binary ended: %v\n", err)
		if failed == 0 {
			return 1
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}
