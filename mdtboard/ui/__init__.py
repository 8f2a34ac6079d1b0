"""Qt Widgets user interface. Slots stay thin and call services."""
