"""What an instance looks like from Python: functions, memories, globals, tables."""
