package validate

// machine validates the top-level state machine.
func (v *validator) machine(root *node) {
	var missing []string
	if !root.has("States") {
		missing = append(missing, "States")
	}
	if !root.has("StartAt") {
		missing = append(missing, "StartAt")
	}
	if len(missing) > 0 {
		v.add(CodeSchema, "/", "These fields are required: %v", missing)
	}
}
