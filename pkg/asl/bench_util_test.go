package asl

import (
	"runtime"
	"strconv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
