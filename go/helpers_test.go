// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"dios.example/dios"
)

// The far ends of the cross-process tests: this test binary run again with
// DIOS_GO_HELPER=name and the channel's names as arguments.

// spawn starts the helper name with the channel names, output to the
// test's log.
func spawn(t *testing.T, name string, names [2]dios.Name) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, names[0].String(), names[1].String())
	cmd.Env = append(os.Environ(), "DIOS_GO_HELPER="+name)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// spawnChan makes a named channel and starts the helper name as its far
// end.
func spawnChan(t *testing.T, name string) (*dios.Chan, *exec.Cmd) {
	t.Helper()
	ch, names, err := dios.ChanCreate(open(t), 0)
	must(t, "chan create", err)
	return ch, spawn(t, name, names)
}

func runHelper(name string, args []string) int {
	if err := helper(name, args); err != nil {
		fmt.Fprintf(os.Stderr, "helper %s: %v\n", name, err)
		return 1
	}
	return 0
}

func helper(name string, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("want two names, got %q", args)
	}
	var names [2]dios.Name
	for i := range names {
		var err error
		if names[i], err = dios.ParseName(args[i]); err != nil {
			return err
		}
	}
	c, err := dios.Default()
	if err != nil {
		return err
	}
	ch, err := dios.ChanOpen(c, names)
	if err != nil {
		return err
	}
	switch name {
	case "echo": // every message back, until the other end closes
		for m := range ch.In {
			ch.Out <- m
		}
		ch.CloseSend()
		<-ch.Done()
		return nil
	case "once": // one message back, then exit without closing anything
		m, ok := <-ch.In
		if !ok {
			return ch.Err()
		}
		ch.Out <- m
		ch.CloseSend()
		<-ch.Done()
		os.Exit(0)
	}
	return fmt.Errorf("no helper %q", name)
}
