// Command robfig answers, for each cron expression read from stdin, what robfig/cron v3's
// ParseStandard says about it (accepted or the error text) and, when accepted, the next N fire
// times after each start instant (chained Next calls). Input and output are JSON; see
// generate.py, which builds the corpus and writes golden.json. Run with TZ=UTC so that a spec
// without a zone (time.Local) is evaluated in UTC, as on the providers' servers.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	cron "github.com/robfig/cron/v3"
)

type query struct {
	Expr   string  `json:"expr"`
	Starts []int64 `json:"starts"`
	N      int     `json:"n"`
}

type answer struct {
	Expr  string    `json:"expr"`
	OK    bool      `json:"ok"`
	Error string    `json:"error,omitempty"`
	Runs  [][]int64 `json:"runs,omitempty"` // per start: unix seconds of the next N runs
}

func parse(expr string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return cron.ParseStandard(expr)
}

func main() {
	var queries []query
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := make([]answer, 0, len(queries))
	for _, q := range queries {
		a := answer{Expr: q.Expr}
		sched, err := parse(q.Expr)
		if err != nil {
			a.Error = err.Error()
			out = append(out, a)
			continue
		}
		a.OK = true
		for _, start := range q.Starts {
			t := time.Unix(start, 0).UTC()
			runs := []int64{}
			for i := 0; i < q.N; i++ {
				t = sched.Next(t)
				if t.IsZero() {
					break
				}
				runs = append(runs, t.Unix())
			}
			a.Runs = append(a.Runs, runs)
		}
		out = append(out, a)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
