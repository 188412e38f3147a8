"""Events published by notifications (none yet)."""
