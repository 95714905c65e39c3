package main

import (
	"fmt"
	"os"
	"time"
)

// contender is one program measured in each round. A peer that fails is
// reported with its reason and left out of later rounds; Megabox or a
// baseline failing stops the benchmark.
type contender struct {
	m        *Measure
	run      func(round int) (float64, error)
	optional bool
}

// interleave runs every contender once per round, in order, so drift in
// the machine's load spreads evenly over all of them.
func interleave(runs int, cs ...contender) error {
	for round := range runs {
		for _, c := range cs {
			if c.m.Why != "" {
				continue
			}
			v, err := c.run(round)
			if err != nil {
				if !c.optional {
					return fmt.Errorf("%s: %w", c.m.Short, err)
				}
				fmt.Fprintf(os.Stderr, "  %s: %v\n", c.m.Short, err)
				c.m.Why = err.Error()
				c.m.Vals = nil
				continue
			}
			c.m.Vals = append(c.m.Vals, v)
		}
	}
	return nil
}

func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
