// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT

package dios_test

import (
	"fmt"
	"log"

	"dios.example/dios"
)

// The example of docs/go.md, run with the tests.
func Example() {
	c, err := dios.Default()
	if err != nil {
		log.Fatal(err) // ENODEV: the module is not loaded
	}
	ch, peer, err := dios.ChanPair(c, 0) // 64 KiB per direction
	if err != nil {
		log.Fatal(err)
	}
	far := dios.NewChan(peer[1], peer[0], 0) // here; or hand peer over
	go func() {
		for m := range far.In {
			far.Out <- append([]byte("pong: "), m...)
		}
		far.CloseSend()
	}()
	ch.Out <- []byte("ping")
	fmt.Printf("%s\n", <-ch.In) // pong: ping
	ch.CloseSend()              // the far end drains, then sees EPIPE
	for range ch.In {
	}
	fmt.Println(ch.Err()) // EPIPE: the far end closed too
	// Output:
	// pong: ping
	// dios: recv: broken pipe
}
