// A peer baseline for the benchmark: a runtime wrapper of the shape of
// nvidia-container-runtime (find the bundle in runc's argv, decode
// config.json into the typed OCI spec, change one field, encode it, write it
// back, exec the real runtime).  It is only measured, never installed.
//
//	gowrap BACKEND [runc arguments...]
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// bundle returns the --bundle/-b value of a create call, or "" otherwise.
func bundle(args []string) (string, bool) {
	create := false
	for i, a := range args {
		if a == "create" {
			create = true
		}
		if !create {
			continue
		}
		for _, f := range []string{"--bundle", "-b"} {
			if a == f && i+1 < len(args) {
				return args[i+1], true
			}
			if strings.HasPrefix(a, f+"=") {
				return a[len(f)+1:], true
			}
		}
	}
	if create {
		return ".", true
	}
	return "", false
}

func modify(dir string) error {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return err
	}
	if spec.Process != nil {
		spec.Process.NoNewPrivileges = true
	}
	out, err := json.Marshal(&spec)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gowrap BACKEND [args...]")
		os.Exit(2)
	}
	backend, args := os.Args[1], os.Args[2:]
	if dir, ok := bundle(args); ok {
		if err := modify(dir); err != nil {
			fmt.Fprintln(os.Stderr, "gowrap:", err)
			os.Exit(1)
		}
	}
	argv := append([]string{backend}, args...)
	if err := syscall.Exec(backend, argv, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "gowrap: exec:", err)
		os.Exit(127)
	}
}
