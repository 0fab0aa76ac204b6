"""The Compare tab's runs: one base config trained under 2 to 4 values of one setting."""
