package main

import "fmt"

// TODO make the greeting configurable
func main() {
	fmt.Println("Hello from a workspace that samuel-lint reads through a read-only mount, line by line, rule by rule.")
}
